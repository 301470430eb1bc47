"""免申办 and 承诺办 in the web UI (issue 12), and the data-use record (issue 11 item 7): callbacks called
directly over a real PrefillService on a tmp data dir — the standing opt-in, offers (accept → the flow at
the review step, decline, 免申即享 grants), the materials checklist with 暂缺 → 承诺书 → 容缺待补 → later
upload, and the access log's human field names, one-thing names, one row per use and its card list."""

from __future__ import annotations

import datetime as dt
import json
import re

import gradio as gr
import pytest

from core.identity import Principal
from prefill.seed import scenarios_from_meta
from ui import prefill_render as pr
from ui.citizen import CitizenUI

TOLERABLE = "监护关系证明"  # childcare_subsidy: tolerance: true
NOT_TOLERABLE = "发放账户信息"  # childcare_subsidy: required, no tolerance
ZH = {"lang": "zh-Hans"}


@pytest.fixture
def ui(app):
    with gr.Blocks():
        yield CitizenUI(app)


def _text(upd) -> str:
    return json.dumps({str(getattr(k, "elem_id", k)): v for k, v in upd.items()} if isinstance(upd, dict) else upd,
                      ensure_ascii=False, default=str)


def _offer_person(svc, rule_id: str = "childcare_subsidy.birth_registered") -> tuple[Principal, str]:
    """Opt every demo person in, run the matcher over the seed's events, return one who got `rule_id`."""
    people = [p.person_id for p in svc.demo_people().people]
    for pid in people:
        svc.set_proactive(Principal("citizen", pid), True)
    today = dt.date.today()
    svc.run_offers(today - dt.timedelta(days=3 * 365), today + dt.timedelta(days=90))
    for pid in people:
        me = Principal("citizen", pid)
        for o in svc.my_offers(me):
            if o.rule_id == rule_id:
                return me, o.offer_id
    raise AssertionError(f"no demo person got {rule_id}")


def _sign_in(ui, pid: str) -> dict:
    return ui.account.signin(pid, ZH)


def test_signing_in_shows_the_persons_offers_with_why_and_basis(ui, svc):
    me, offer_id = _offer_person(svc)
    upd = _sign_in(ui, me.subject)
    view = upd[ui.account.offers_view]
    assert upd[ui.account.offers_box]["visible"] is True
    card = next(o for o in view["offers"] if o["offer_id"] == offer_id)
    html = card["html"]
    assert "育儿补贴" in html and "已为您预填，核对后确认即可" in html
    assert "为什么提醒您" in html and "《育儿补贴制度实施方案》" in html and "接受后为预填调取" in html
    assert not card["granted"]
    # Someone without offers sees no box at all.
    other = next(p.person_id for p in svc.demo_people().people if not svc.my_offers(Principal("citizen", p.person_id)))
    assert _sign_in(ui, other)[ui.account.offers_box]["visible"] is False


def test_accepting_opens_the_flow_at_review_and_nothing_is_submitted_before_confirmation(ui, svc):
    me, offer_id = _offer_person(svc)
    who = _sign_in(ui, me.subject)[ui.account.who]
    upd = ui.account.accept_offer(offer_id, who, ZH)
    flow, spec = upd[ui.flow.flow], upd[ui.flow.review_view]
    assert flow["step"] == "review" and upd[ui.flow.review_box]["visible"] is True
    assert upd[ui.flow.area]["visible"] is True and "已为您预填" in upd[ui.account.offers_status]
    assert all(o["offer_id"] != offer_id for o in upd[ui.account.offers_view]["offers"])  # no longer open
    # Nothing is left to choose: the payout method comes from the person's 社保 record (its source shown and
    # editable like any pre-filled value), so the review is ready for the tick and the submit alone.
    assert spec["quick"] == [] and spec["ready"]
    method = next(f for f in svc.draft(who, flow["draft_id"]).fields if f.key == "payment_method")
    assert method.display == "社会保障卡金融账户" and method.state == "prefilled" and method.editable
    assert method.provenance.source == "social_insurance"
    payment = next(g["html"] for g in spec["sections"] if g["key"] == "payment")
    assert re.search(r"社会保障卡金融账户.*?社保医保", payment)  # the review names where the value came from
    assert svc.my_submissions(who) == []
    with pytest.raises(gr.Error):
        ui.flow.submit(who, flow, False)  # not without the tick
    assert svc.my_submissions(who) == []
    done = ui.flow.submit(who, flow, True)
    assert re.search(r"YJS-\d{8}-[A-Z2-9]{6}", done[ui.flow.done_html])


def test_declining_an_offer_and_a_no_application_grant(ui, svc):
    me, offer_id = _offer_person(svc)
    who = _sign_in(ui, me.subject)[ui.account.who]
    upd = ui.account.decline_offer(offer_id, who, "已经在线下办理", ZH)
    assert "不需要" in upd[ui.account.offers_status]
    assert svc.open_offer(me, offer_id).decline_reason == "已经在线下办理"
    # A 免申即享 grant is a notice with only 不需要.
    from prefill.store import OfferRow

    me2, offer2 = _offer_person(svc, "retirement.retirement_age")
    with svc.state.session() as s:
        s.get(OfferRow, offer2).status = "granted"
    view = _sign_in(ui, me2.subject)[ui.account.offers_view]
    card = next(o for o in view["offers"] if o["offer_id"] == offer2)
    assert card["granted"] and "免申即享" in card["html"]


def test_the_standing_opt_in_is_explained_granted_and_withdrawn(ui, svc):
    pid = svc.demo_people().people[0].person_id
    who = _sign_in(ui, pid)[ui.account.who]
    html, _, _, _ = ui.account.optin(who, ZH)
    assert "主动服务未开启" in html and "人口库" in html and "未经您确认，不会提交任何申请" in html
    html, msg, _, _ = ui.account.set_optin(True, who, ZH)
    assert "已开启" in html and "已开启" in msg and svc.proactive_status(who).granted
    html, msg, _, _ = ui.account.set_optin(False, who, ZH)
    assert "未开启" in html and not svc.proactive_status(who).granted
    staff_acting = Principal("citizen", pid, "clerk")
    with pytest.raises(gr.Error):
        ui.account.set_optin(True, staff_acting, ZH)


def _childcare_at_review(ui, svc):
    me, offer_id = _offer_person(svc)
    who = _sign_in(ui, me.subject)[ui.account.who]
    return who, ui.account.accept_offer(offer_id, who, ZH)


def _mat(spec, name):
    return next(m for m in spec["materials"]["items"] if m["name"] == name)


def test_a_tolerable_material_asks_for_a_signed_commitment_then_submits_as_pending(ui, svc, tmp_path):
    who, upd = _childcare_at_review(ui, svc)
    flow, spec = upd[ui.flow.flow], upd[ui.flow.review_view]
    assert _mat(spec, TOLERABLE)["absent"] and "可容缺后补" in _mat(spec, TOLERABLE)["html"]
    shown = ui.flow.material_absent(TOLERABLE, who, flow)
    assert shown[ui.flow.commit_box]["visible"] is True
    assert "容缺受理承诺书" in shown[ui.flow.commit_html] and TOLERABLE in shown[ui.flow.commit_html]
    assert "限期补交" in shown[ui.flow.commit_html]
    flow = shown[ui.flow.flow]
    assert svc.materials(who, flow["draft_id"]).pending == []  # nothing signed by looking
    with pytest.raises(gr.Error):
        ui.flow.sign_commitment(who, flow, False)
    signed = ui.flow.sign_commitment(who, flow, True)
    assert "已签署承诺书" in _text(signed[ui.flow.notice])
    assert svc.materials(who, flow["draft_id"]).pending == [TOLERABLE]
    assert "容缺待补" in _mat(signed[ui.flow.review_view], TOLERABLE)["html"] and signed[ui.flow.review_view]["ready"]
    done = ui.flow.submit(who, signed[ui.flow.flow], True)
    assert "容缺待补" in done[ui.flow.done_html] and TOLERABLE in done[ui.flow.done_html]
    # 我的办事 lists it; the upload closes it.
    view, _ = ui.account.pending(who, ZH)
    item = next(i for i in view["items"] if i["material"] == TOLERABLE)
    assert "前补交" in item["html"]
    upload = tmp_path / "guardianship.pdf"
    upload.write_bytes(b"%PDF-1.4 guardianship")
    view, msg = ui.account.supply_pending(item["draft_id"], TOLERABLE, who, str(upload), ZH)
    assert "已收到" in msg and view["items"] == []
    assert "容缺待补" not in pr.submissions_html(svc.my_submissions(who), "zh-Hans")


def test_a_missing_material_that_cannot_follow_later_blocks_with_a_plain_reason(ui, svc, tmp_path):
    who, upd = _childcare_at_review(ui, svc)
    flow = upd[ui.flow.flow]
    res = ui.flow.material_absent(NOT_TOLERABLE, who, flow)
    assert "不可容缺" in _text(res[ui.flow.notice]) and ui.flow.commit_box not in res or \
        res[ui.flow.commit_box]["visible"] is False
    spec = res[ui.flow.review_view]
    assert not spec["ready"] and NOT_TOLERABLE in spec["materials"]["blocked"]
    assert ui.flow.toggle_confirm(True, spec)["interactive"] is False
    upload = tmp_path / "account.pdf"
    upload.write_bytes(b"bank account")
    res = ui.flow.supply_material(NOT_TOLERABLE, who, res[ui.flow.flow], str(upload))
    assert res[ui.flow.review_view]["ready"] and not res[ui.flow.review_view]["materials"]["blocked"]


# --- 数据使用记录 (issue 11 item 7) ------------------------------------------------------------------------
KEY = re.compile(r"\b[a-z]+_[a-z_]+\b|\bnewborn:")


def _newborn_log(svc):
    sc = [s for s in scenarios_from_meta(svc.shared.meta()) if s.one_thing_id == "newborn"][0]
    me = Principal("citizen", sc.applicant_id)
    d = svc.start_draft(me, "newborn")
    svc.grant_all(me, d.draft_id)
    svc.prefill(me, d.draft_id)
    svc.edit(me, d.draft_id, "contact_phone", "13800138000")
    return me


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant", "en"])
def test_the_access_log_shows_human_names_one_row_per_use_as_cards(ui, svc, lang):
    me = _newborn_log(svc)
    html = ui.account.access_log(me, {"lang": lang})
    assert "<table" not in html and html.count('class="yjs-log-card"') >= 3
    assert not KEY.search(re.sub(r"<[^>]+>", " ", html)), KEY.search(re.sub(r"<[^>]+>", " ", html))
    cards = re.findall(r'<li class="yjs-log-card">(.*?)</li>', html)
    assert len(cards) == len(set(cards))  # no two rows alike
    if lang == "en":
        assert "Newborn" in html and "Contact phone" in html or "phone" in html.lower()
    else:
        assert "新生儿出生一件事" in html or "新生兒出生一件事" in html


def test_log_field_names_use_the_forms_labels(svc):
    me = _newborn_log(svc)
    forms = svc.forms_library.by_one_thing
    edit = next(e for e in svc.my_access_log(me) if e.action == "edit")
    assert edit.one_thing_id == "newborn" and edit.field_keys == ["contact_phone"]
    zh = pr.log_field_names(edit, forms["newborn"], "zh-Hans")
    en = pr.log_field_names(edit, forms["newborn"], "en")
    assert zh and zh[0] != "contact_phone" and re.search(r"[\u4e00-\u9fff]", zh[0]) and en[0][0].isupper()
    read = next(e for e in svc.my_access_log(me) if e.action == "read")
    assert pr.log_field_names(read, forms["newborn"], "zh-Hans") == read.fields


# --- offers in English and 繁體 (issue 12) ----------------------------------------------------------------------
CJK = re.compile(r"[\u3400-\u9fff]")


def _all_offers(svc):
    """One offer of every rule the seed's events trigger (every demo person opted in)."""
    _offer_person(svc)
    seen = {}
    for p in svc.demo_people().people:
        for o in svc.my_offers(Principal("citizen", p.person_id)):
            seen.setdefault(o.rule_id, (Principal("citizen", p.person_id), o))
    return seen


def test_offers_read_in_english_when_the_page_is_in_english(ui, svc):
    """Title, message, event, status, why (facts and their sources), legal basis and what accepting reads:
    all English — not one Chinese character on the card; the buttons' words are English too."""
    from prefill.eligibility import RULES

    offers = _all_offers(svc)
    assert {"childcare_subsidy.birth_registered", "retirement.retirement_age"} <= set(offers)
    for rule_id, (me, _) in offers.items():
        view = ui.account.signin(me.subject, {"lang": "en"})[ui.account.offers_view]
        for card in view["offers"]:
            text = re.sub(r"<[^>]+>", " ", card["html"])
            assert not CJK.search(text), (rule_id, CJK.findall(text), text)
            assert not CJK.search(card["title"]), card["title"]
    me, offer = offers["childcare_subsidy.birth_registered"]
    card = next(o for o in ui.account.signin(me.subject, {"lang": "en"})[ui.account.offers_view]["offers"]
                if o["offer_id"] == offer.offer_id)
    assert "childcare subsidy" in card["html"] and "Why you are eligible" in card["html"]
    assert "Child&#x27;s age" in card["html"] and "Regulations on Household Registration" in card["html"]
    assert "Social &amp; medical insurance" in card["html"]  # what accepting reads, by English name
    for key in ("offer_accept", "offer_decline", "offer_decline_grant", "offer_reason"):
        assert not CJK.search(ui_t(key, "en")), key
    # Every rule carries its English, so a new rule without it fails here, not on someone's screen.
    for rule in RULES:
        assert rule.title_en and rule.message_en and all(b.quote_en for b in rule.basis), rule.id
        assert all(bool(b.law) == bool(b.law_en) for b in rule.basis), rule.id


def test_offers_read_in_traditional_chinese(ui, svc):
    me, offer_id = _offer_person(svc)
    card = next(o for o in ui.account.signin(me.subject, {"lang": "zh-Hant"})[ui.account.offers_view]["offers"]
                if o["offer_id"] == offer_id)
    assert "已為您預填，核對後確認即可" in card["html"] and "為什麼提醒您" in card["html"]
    assert "孩子年齡" in card["html"] and "戶口登記條例" in card["html"]
    assert "为" not in card["html"] and "预填" not in card["html"]


def ui_t(key, lang):
    from ui.i18n import t

    return t(key, lang)
