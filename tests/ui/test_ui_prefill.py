"""一键办理 in the web UI, callbacks called directly over a real PrefillService on a tmp data dir (the
synthetic shared-data DB seeds in ~0.1 s): sign-in, consent (refusal → typing), the pre-filled form
with badges and inline errors, review and 修改, confirmation gating, submission, 查进度, family
approval, 纠错, OCR, documents, 好差评, the access log, languages, and the staff consent-code path."""

from __future__ import annotations

import json
import re
from pathlib import Path

import gradio as gr
import pytest

from assistant.state import StaffAuditLog
from core.identity import Principal
from prefill.ocr import OcrResult
from prefill.seed import scenarios_from_meta
from ui import prefill_render as pr
from ui.citizen import new_session
from ui.i18n import t

FULL_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def _scenario(svc, one_thing: str, n: int = 0):
    return [s for s in scenarios_from_meta(svc.shared.meta()) if s.one_thing_id == one_thing][n]


def _sign_in(ui, person_id: str, lang: str = "zh-Hans") -> Principal:
    upd = ui.account.signin(person_id, {"lang": lang})
    return upd[ui.account.who]


def _open(ui, who, one_thing: str, lang: str = "zh-Hans") -> dict:
    return ui.on_prefill({**new_session(lang), "one_thing": one_thing, "session_id": None}, who)


def _fields(view: dict) -> dict[str, dict]:
    return {f["key"]: f for sec in view["sections"] for f in sec["fields"]}


def _inputs(view: dict) -> dict[str, object]:
    return {k: f["value"] for k, f in _fields(view).items() if f["kind"] != "readonly"}


def _html_of(upd: dict) -> str:
    """Everything an update would put on the page, as one string."""
    return json.dumps({str(getattr(k, "elem_id", k)): v for k, v in upd.items()}, ensure_ascii=False, default=str)


# --- pure helpers ---------------------------------------------------------------------------------
def test_render_helpers():
    assert pr.fmt_time("2026-11-23T07:28:18.016306Z") == "2026-11-23 15:28"  # shown in Beijing time
    msg = "contact_phone: must be an 11-digit mainland mobile number starting 13-19 (手机号码格式错误)"
    assert pr.friendly_error(msg, "zh-Hans") == "手机号码格式错误"
    assert pr.friendly_error(msg, "zh-Hant") == "手機號碼格式錯誤"
    assert pr.friendly_error(msg, "en").startswith("must be an 11-digit")
    assert pr.friendly_error("the draft changed in the meantime", "zh-Hans") == "the draft changed in the meantime"
    html = pr.steps_html("form", "zh-Hans", "退休一件事申请表")
    assert 'aria-current="step">2. 核对' in html and "退休一件事申请表" in html  # 授权 → 核对 → 确认 → 提交
    assert pr.status_name("已受理", "en") == "已受理（accepted）"


# --- sign-in ---------------------------------------------------------------------------------------
def test_demo_identities_are_masked_and_labelled(ui, svc):
    upd = ui.account.load_choices({"lang": "zh-Hans"})
    label, pid = upd["choices"][0]
    assert upd["label"] == t("id_label") and "合成数据" in upd["label"]
    assert "****" in label and not FULL_ID.search(json.dumps(upd["choices"], ensure_ascii=False))
    retirement = _scenario(svc, "retirement").applicant_id
    assert any(p == retirement and label.endswith("退休一件事") for label, p in upd["choices"])
    who = _sign_in(ui, retirement)
    assert who == Principal("citizen", retirement)
    with pytest.raises(gr.Error, match="演示身份"):
        ui.account.signin(None, {"lang": "zh-Hans"})
    out = ui.account.signout({"lang": "zh-Hans"})
    assert out[ui.account.who] is None and out[ui.account.whoami] == t("id_none")


def test_prefill_button_asks_to_sign_in_first(ui, svc):
    upd = _open(ui, None, "retirement")
    assert upd[ui.prefill_area]["visible"] is True and t("signin_first") in upd[ui.flow.notice]["value"]
    assert upd[ui.flow.consent_box]["visible"] is False and upd[ui.flow.flow]["draft_id"] is None
    with pytest.raises(gr.Error):  # a flow button without a sign-in
        ui.flow.grant_all(None, upd[ui.flow.flow])


def test_prefill_button_shows_when_the_service_is_up(ui, app):
    st = {**new_session(), "one_thing": "retirement"}
    assert ui._prefill_ready(st)
    app.prefill = None
    assert not ui._prefill_ready(st)
    with pytest.raises(gr.Error, match="暂不可用"):
        ui.on_prefill(st, Principal("citizen", "P00010"))


# --- consent → form -----------------------------------------------------------------------------------
def test_consent_screen_then_refusal_means_typing(ui, svc):
    person = _scenario(svc, "retirement").applicant_id
    who = _sign_in(ui, person)
    upd = _open(ui, who, "retirement")
    flow = upd[ui.flow.flow]
    assert flow["step"] == "consent" and upd[ui.flow.consent_box]["visible"] is True
    consent = upd[ui.flow.consent_html]
    for text in ("人口库", "社保医保", "公积金", "接收部门", "住房公积金管理中心", "待您决定", "办理退休一件事", "公民身份号码"):
        assert text in consent, text
    assert upd[ui.flow.consent_pick]["value"] == []  # nothing pre-ticked
    assert {v for _, v in upd[ui.flow.consent_pick]["choices"]} == {"population", "e_licence", "social_insurance",
                                                                    "housing_fund"}

    upd = ui.flow.apply_consent(who, flow, ["population", "e_licence", "social_insurance"])  # refuse 公积金
    flow, view = upd[ui.flow.flow], upd[ui.flow.view]
    assert flow["step"] == "form" and upd[ui.flow.form_box]["visible"] is True
    fields = _fields(view)
    for key in ("housing_fund_account", "housing_fund_balance"):
        assert fields[key]["state"] == "to_be_entered" and fields[key]["kind"] == "input", key
    assert fields["id_number"]["kind"] == "readonly" and fields["id_number"]["correctable"]
    assert "权威数据·只读" in fields["id_number"]["html"] and "来源：人口库 · 调取于" in fields["id_number"]["html"]
    # A locked registry value says why, and what to do instead (issue 11 blocker 1).
    assert "人口库登记的信息，不能在这里直接修改" in fields["id_number"]["html"] and "纠错" in fields["id_number"]["html"]
    assert fields["contact_phone"]["info"].startswith("已预填·可修改 · 来源：社保医保 · 调取于")
    assert fields["retirement_type"]["kind"] == "choice" and ("正常退休", "正常退休") in fields["retirement_type"]["options"]
    assert "16/20" in view["summary"]
    reads = [e for e in svc.my_access_log(who) if e.action == "read"]
    assert reads and not any("公积金" in (e.source_label or "") for e in reads)  # a refused source is never read

    back = ui.flow.back_to_consent(who, flow)
    assert back[ui.flow.consent_pick]["value"] == ["population", "e_licence", "social_insurance"]
    assert "已拒绝" in back[ui.flow.consent_html]


def test_own_values_are_shown_to_their_owner_and_stay_masked_elsewhere(ui, svc):
    """Issue 11 item 6: the person sees their own pre-filled values (to check them); their ID number only
    when they reveal it; tracking, the access log and every page after submitting stay masked."""
    person = _scenario(svc, "retirement").applicant_id
    who = _sign_in(ui, person)
    pages = [_html_of(_open(ui, who, "retirement"))]
    upd = ui.flow.grant_all(who, _open(ui, who, "retirement")[ui.flow.flow])
    pages.append(_html_of(upd))
    view = upd[ui.flow.view]
    full = svc.all_values(upd[ui.flow.flow]["draft_id"])
    phone = _fields(view)["contact_phone"]
    assert phone["value"] == full["contact_phone"] and not (phone["placeholder"] or "").startswith("当前：")
    assert _fields(view)["id_number"]["reveal"] and not FULL_ID.search(pages[-1])  # masked until revealed
    values = {**_inputs(view), "retirement_type": "正常退休", "only_child_award": "申请"}
    upd = ui.flow.save_form(who, upd[ui.flow.flow], values)  # the shown values saved back unchanged
    assert upd[ui.flow.flow]["step"] == "review"
    flow = upd[ui.flow.flow]
    upd = ui.flow.submit(who, flow, True)
    after = [_html_of(upd)]
    no = upd[ui.flow.flow]["tracking_no"]
    st = {"lang": "zh-Hans"}
    after += [ui.account.track(who, no, st), ui.account.access_log(who, st), ui.account.track(who, "", st)]
    secrets = [full["id_number"], full["bank_account"], full["contact_phone"], full["ssc_card_no"]]
    for page in pages + after:
        assert not FULL_ID.search(page)
    for page in after:
        for s in secrets:
            assert s not in page
    assert svc.all_values(flow["draft_id"]) == {**full, "retirement_type": "正常退休", "only_child_award": "申请"}


def test_typed_id_number_is_shown_back_only_to_fix_it(ui, svc):
    sc = _scenario(svc, "house_transfer_utilities")
    who = _sign_in(ui, sc.applicant_id)
    upd = ui.flow.grant_all(who, _open(ui, who, "house_transfer_utilities")[ui.flow.flow])
    key = next(k for k, f in _fields(upd[ui.flow.view]).items() if f["kind"] == "input" and "身份" in f["label"])
    bad = "110108199001011235"  # wrong check digit
    upd = ui.flow.save_form(who, upd[ui.flow.flow], {key: bad})
    f = _fields(upd[ui.flow.view])[key]
    assert f["value"] == bad and f["error"] == "身份证号校验位错误"  # what they typed, with the reason
    assert t("form_errors").split("{")[0] in upd[ui.flow.notice]["value"]


# --- the form: inline errors, review, 修改, confirmation gating -------------------------------------------
def test_inline_errors_then_review_and_submit(ui, svc):
    who = _sign_in(ui, _scenario(svc, "retirement").applicant_id)
    upd = ui.flow.grant_all(who, _open(ui, who, "retirement")[ui.flow.flow])
    flow, view = upd[ui.flow.flow], upd[ui.flow.view]
    upd = ui.flow.save_form(who, flow, {**_inputs(view), "contact_phone": "12345"})
    errors = {k: f["error"] for k, f in _fields(upd[ui.flow.view]).items() if f["error"]}
    assert errors == {"contact_phone": "手机号码格式错误", "retirement_type": t("field_required_msg"),
                      "only_child_award": t("field_required_msg")}
    assert _fields(upd[ui.flow.view])["contact_phone"]["value"] == "12345"
    assert upd[ui.flow.flow]["step"] == "form" and "3" in upd[ui.flow.notice]["value"]

    upd = ui.flow.save_form(who, upd[ui.flow.flow], {"contact_phone": "13912345678", "retirement_type": "正常退休",
                                                     "only_child_award": "不申请"})
    flow, review = upd[ui.flow.flow], upd[ui.flow.review_view]
    assert flow["step"] == "review" and review["ready"] and upd[ui.flow.review_box]["visible"] is True
    assert [g["target"] for g in review["sections"]] == ["person", "pension", "medical_fund"]
    assert {g["title"] for g in review["departments"]} >= {"人力资源社会保障部门", "住房公积金管理中心"}
    # The owner reads their own values on the review as on the form; the ID number waits for 显示完整号码.
    person = review["sections"][0]
    assert "13912345678" in person["html"] and "已修改" in person["html"] and person["reveal"]
    assert not FULL_ID.search(json.dumps(review, ensure_ascii=False))
    full_id = svc.all_values(flow["draft_id"])["id_number"]
    html, btn, shown = ui.flow.toggle_group_reveal("person", who, flow, False)
    assert shown and full_id in html and btn["value"] == t("reveal_hide")
    assert full_id not in ui.flow.toggle_group_reveal("person", who, flow, True)[0]
    assert upd[ui.flow.submit_btn]["interactive"] is False and upd[ui.flow.confirm_chk]["value"] is False

    # Gating: the button follows the tick; the callback refuses without it; nothing is confirmed.
    assert ui.flow.toggle_confirm(False, review)["interactive"] is False
    assert ui.flow.toggle_confirm(True, review)["interactive"] is True
    with pytest.raises(gr.Error, match="我已核对"):
        ui.flow.submit(who, flow, False)
    assert svc.draft(who, flow["draft_id"]).status == "open"

    # 修改 on a group goes back to the form with that section open.
    back = ui.flow.edit_section(who, flow, target="pension")
    assert back[ui.flow.flow]["step"] == "form"
    assert [s["open"] for s in back[ui.flow.view]["sections"]] == [False, True, False]
    again = ui.flow.save_form(who, back[ui.flow.flow], {})
    done = ui.flow.submit(who, again[ui.flow.flow], True)
    no = done[ui.flow.flow]["tracking_no"]
    assert re.fullmatch(r"YJS-\d{8}-[A-Z2-9]{6}", no) and done[ui.flow.done_box]["visible"] is True
    assert no in done[ui.flow.done_html] and "待受理" in done[ui.flow.done_html]
    assert Path(done[ui.flow.docx_btn]["value"]).read_bytes()[:2] == b"PK" and done[ui.flow.docx_btn]["visible"]
    assert svc.draft(who, flow["draft_id"]).status == "submitted"

    # 查进度: mine by number; someone else's number is "not found"; an empty box lists mine.
    st = {"lang": "zh-Hans"}
    assert no in ui.account.track(who, no.lower(), st) and "人力资源社会保障部门" in ui.account.track(who, no, st)
    other = Principal("citizen", _scenario(svc, "retirement", 1).applicant_id)
    assert "没有找到" in ui.account.track(other, no, st)
    assert "没有找到" in ui.account.track(who, "NOT-A-NUMBER!", st)
    assert no in ui.account.track(who, "", st)
    with pytest.raises(gr.Error, match="登录"):
        ui.account.track(None, no, st)


def test_review_of_an_incomplete_form_cannot_be_confirmed(ui, svc):
    who = _sign_in(ui, _scenario(svc, "retirement").applicant_id)
    upd = ui.flow.grant_all(who, _open(ui, who, "retirement")[ui.flow.flow])
    flow = upd[ui.flow.flow]
    review = ui.flow._review_updates(who, flow)  # e.g. reached through a stale page
    assert review[ui.flow.review_view]["ready"] is False and "必填" in review[ui.flow.review_view]["status_html"]
    assert ui.flow.toggle_confirm(True, review[ui.flow.review_view])["interactive"] is False
    with pytest.raises(gr.Error, match="未处理"):
        ui.flow.submit(who, flow, True)
    assert svc.draft(who, flow["draft_id"]).status == "open"


def test_reopening_the_flow_continues_the_draft(ui, svc):
    who = _sign_in(ui, _scenario(svc, "retirement").applicant_id)
    first = ui.flow.grant_all(who, _open(ui, who, "retirement")[ui.flow.flow])
    again = _open(ui, who, "retirement")
    assert again[ui.flow.flow]["draft_id"] == first[ui.flow.flow]["draft_id"] and again[ui.flow.flow]["step"] == "form"
    svc.edit_many(who, first[ui.flow.flow]["draft_id"], {"retirement_type": "正常退休", "only_child_award": "申请"})
    svc.confirm(who, first[ui.flow.flow]["draft_id"])
    confirmed = _open(ui, who, "retirement")
    assert confirmed[ui.flow.flow]["step"] == "review"
    back = ui.flow.edit_section(who, confirmed[ui.flow.flow], target="person")  # 修改 reopens a confirmed form
    assert svc.draft(who, first[ui.flow.flow]["draft_id"]).status == "open" and back[ui.flow.flow]["step"] == "form"


# --- family approval ------------------------------------------------------------------------------
def test_family_member_approves_then_the_applicant_refills(ui, svc):
    sc = _scenario(svc, "newborn")
    applicant = _sign_in(ui, sc.applicant_id)
    upd = ui.flow.grant_all(applicant, _open(ui, applicant, "newborn")[ui.flow.flow])
    flow = upd[ui.flow.flow]
    assert "新生儿母亲" in upd[ui.flow.form_waiting] and upd[ui.flow.refill_btn]["visible"] is True
    assert _fields(upd[ui.flow.view])["mother_name"]["state"] == "to_be_entered"
    consent = ui.flow.back_to_consent(applicant, flow)[ui.flow.consent_html]
    assert "需其登录授权" in consent and "等待其本人授权" in consent

    st = {"lang": "zh-Hans"}
    mother = Principal("citizen", sc.subjects["mother"])
    html, pick, _ = ui.account.approvals(mother, st)
    assert "新生儿出生" in html and "社保医保" in html and pick["choices"]
    assert not FULL_ID.search(html)
    assert ui.account.approvals(applicant, st)[0] == f'<p class="yjs-muted">{t("appr_none")}</p>'
    with pytest.raises(gr.Error):
        ui.account.decide(mother, None, True, st)
    for _, choice in pick["choices"]:
        html, pick2, status = ui.account.decide(mother, choice, True, st)
    assert status == t("appr_done_grant") and t("appr_none") in html and pick2["choices"] == []
    signin = ui.account.signin(sc.subjects["mother"], st)  # approvals also show right after signing in
    assert t("appr_none") in signin[ui.account.appr_html]

    upd = ui.flow.refill(applicant, flow)
    fields = _fields(upd[ui.flow.view])
    assert fields["mother_name"]["state"] != "to_be_entered" and fields["mother_id_number"]["kind"] == "readonly"
    assert upd[ui.flow.form_waiting] == "" and upd[ui.flow.refill_btn]["visible"] is False
    assert not FULL_ID.search(_html_of(upd))  # the mother's ID number is masked for the applicant too


# --- 纠错, OCR, rating, access log, consent code ------------------------------------------------------------
def test_correction_report(ui, svc):
    who = _sign_in(ui, _scenario(svc, "retirement").applicant_id)
    upd = ui.flow.grant_all(who, _open(ui, who, "retirement")[ui.flow.flow])
    flow = upd[ui.flow.flow]
    opened = ui.flow.open_correction("household_address", flow, upd[ui.flow.view])
    assert opened[ui.flow.corr_box]["visible"] is True and "户籍地址" in opened[ui.flow.corr_title]
    with pytest.raises(gr.Error):
        ui.flow.send_correction(who, opened[ui.flow.flow], "  ")
    sent = ui.flow.send_correction(who, opened[ui.flow.flow], "门牌号已变更")
    assert sent[ui.flow.corr_box]["visible"] is False and "纠错申请已提交" in sent[ui.flow.notice]["value"]
    assert any(e.action == "correction_report" for e in svc.my_access_log(who))


class FakeOcr:
    def __init__(self, lines):
        self.lines = tuple(lines)

    def warm_up(self):
        pass

    def run(self, image):
        return OcrResult(self.lines, tuple(0.99 for _ in self.lines))


def test_ocr_value_needs_confirmation(ui, svc, tmp_path):
    from PIL import Image

    who = _sign_in(ui, _scenario(svc, "retirement").applicant_id)
    flow = _open(ui, who, "retirement")[ui.flow.flow]
    upd = ui.flow.apply_consent(who, flow, ["population", "e_licence", "social_insurance"])  # 公积金 refused
    assert _fields(upd[ui.flow.view])["housing_fund_balance"]["ocr_upload"] is True
    svc.ocr = FakeOcr(["住房公积金", "账户余额 5230.50 元"])
    photo = tmp_path / "cert.png"
    Image.new("RGB", (64, 64), "white").save(photo)
    upd = ui.flow.ocr_upload("housing_fund_balance", who, upd[ui.flow.flow], str(photo))
    f = _fields(upd[ui.flow.view])["housing_fund_balance"]
    assert f["state"] == "ocr" and f["accept_ocr"] and f["value"] == "5230.50" and "OCR" in f["info"]
    assert [s["open"] for s in upd[ui.flow.view]["sections"]] == [False, False, True]
    upd = ui.flow.accept_ocr("housing_fund_balance", who, upd[ui.flow.flow])
    assert _fields(upd[ui.flow.view])["housing_fund_balance"]["state"] == "entered"


def test_rating_the_submission_and_the_access_log(ui, svc, fast_assistant):
    who = _sign_in(ui, _scenario(svc, "social_security_card").applicant_id)
    upd = ui.flow.grant_all(who, _open(ui, who, "social_security_card")[ui.flow.flow])
    values = {k: (f["options"][0][1] if f["kind"] == "choice" else None) for k, f in _fields(upd[ui.flow.view]).items()
              if f["kind"] == "choice" and f["value"] is None}
    upd = ui.flow.save_form(who, upd[ui.flow.flow], values)
    assert upd[ui.flow.flow]["step"] == "review", upd.get(ui.flow.notice)
    done = ui.flow.submit(who, upd[ui.flow.flow], True)
    flow = done[ui.flow.flow]
    rated = ui.flow.rate("差评", who, flow, "表格太长")
    assert rated[ui.flow.rate_status] == t("rate_thanks") and rated[ui.flow.rating_box]["visible"] is False
    gaps = fast_assistant.conversations.knowledge_gaps()
    assert any(g["comment"] == "表格太长" and flow["tracking_no"] in g["question"] for g in gaps)
    log = ui.account.access_log(who, {"lang": "zh-Hans"})
    for text in ("您本人", "调取了数据", "授权调取", "提交并分送各部门", "社会保险和医疗保障信息库"):
        assert text in log, text
    code = ui.account.consent_code(who, {"lang": "zh-Hans"})
    assert re.search(r"授权码：\*\*\d{6}\*\*", code) and "有效期至" in code


# --- languages --------------------------------------------------------------------------------------
def test_flow_in_english_and_traditional(ui, svc):
    who = _sign_in(ui, _scenario(svc, "retirement").applicant_id, "en")
    upd = _open(ui, who, "retirement", "en")
    assert "Data source: Population registry" in upd[ui.flow.consent_html] and "Who decides" in upd[ui.flow.consent_html]
    upd = ui.flow.grant_all(who, upd[ui.flow.flow])
    f = _fields(upd[ui.flow.view])
    assert f["contact_phone"]["label"] == "Phone *" and f["contact_phone"]["info"].startswith("Pre-filled · editable")
    assert upd[ui.flow.view]["sections"][0]["title"] == "Applicant" and "Step 2 of 4" in upd[ui.flow.header]["value"]
    hant = ui.flow.switch_lang("zh-Hant", who, upd[ui.flow.flow])
    assert hant[ui.flow.flow]["lang"] == "zh-Hant" and hant[ui.flow.view]["sections"][0]["title"] == "申請人信息"
    assert ui.flow.relabel("zh-Hant")[ui.flow.submit_btn]["value"] == "確認並提交"
    assert ui.account.relabel("en", who)[ui.account.code_btn]["value"] == "Create a help-desk code"


def test_demo_sign_in_off(ui, app):
    app.settings = app.settings.model_copy(update={"demo_login": False})
    assert ui.account.load_choices({"lang": "zh-Hans"})["interactive"] is False
    with pytest.raises(gr.Error, match="统一身份认证"):
        ui.account.signin("P00010", {"lang": "zh-Hans"})


# --- staff: 帮办代办 with the citizen's consent code, and department status ----------------------------------
def test_staff_acts_for_a_citizen_with_their_consent_code(ui, staff_ui, svc, fast_assistant):
    person = _scenario(svc, "retirement").applicant_id
    citizen = _sign_in(ui, person)
    code = re.search(r"\*\*(\d{6})\*\*", ui.account.consent_code(citizen, {"lang": "zh-Hans"})).group(1)
    clerk = staff_ui.login("clerk", "clerk-demo")[0]
    with pytest.raises(gr.Error, match="6位"):
        staff_ui.act_for(clerk, "12ab")
    with pytest.raises(gr.Error):
        staff_ui.act_for(clerk, "000000" if code != "000000" else "000001")
    with pytest.raises(gr.Error, match="登录"):
        staff_ui.act_for(None, code)
    with pytest.raises(gr.Error, match="授权码"):
        staff_ui.assist(clerk, None, "retirement", None)

    upd = staff_ui.act_for(clerk, code)
    acting = upd[staff_ui.acting]
    assert acting == Principal("citizen", person, via_staff="clerk")
    assert upd[staff_ui.assist_box]["visible"] is True and ("退休一件事", "retirement") in upd[staff_ui.assist_thing]["choices"]
    with pytest.raises(gr.Error):  # single use
        staff_ui.act_for(clerk, code)

    flow_ui = staff_ui.flow
    upd = staff_ui.assist(clerk, acting, "retirement", None)
    assert upd[flow_ui.flow]["step"] == "consent" and upd[staff_ui.assist_area]["visible"] is True
    upd = flow_ui.grant_all(acting, upd[flow_ui.flow])
    upd = flow_ui.save_form(acting, upd[flow_ui.flow], {"retirement_type": "正常退休", "only_child_award": "申请"})
    assert upd[flow_ui.confirm_chk]["label"] == t("review_confirm_staff")
    # The clerk's review keeps the masks (the owner's own values are for the owner); no reveal either.
    full = svc.all_values(upd[flow_ui.flow]["draft_id"])
    review = json.dumps(upd[flow_ui.review_view], ensure_ascii=False)
    assert full["contact_phone"] not in review and not FULL_ID.search(review) and "****" in review
    assert not any(g["reveal"] for g in upd[flow_ui.review_view]["sections"])
    assert full["id_number"] not in flow_ui.toggle_group_reveal("person", acting, upd[flow_ui.flow], False)[0]
    done = flow_ui.submit(acting, upd[flow_ui.flow], True)
    no = done[flow_ui.flow]["tracking_no"]
    assert done[flow_ui.rating_box]["visible"] is False  # the citizen rates, not the clerk

    # The citizen sees the clerk's work in their own record; the clerk's desk log has it too.
    log = svc.my_access_log(citizen)
    assert any(e.who.startswith("窗口工作人员 clerk") and e.action == "submit" for e in log)
    assert "凭您的授权码代办" in ui.account.access_log(citizen, {"lang": "zh-Hans"})
    actions = [e["action"] for e in StaffAuditLog(fast_assistant.conversations).entries(staff_user="clerk")]
    assert {"act_for", "act_for_rejected", "assist_list", "assist_start"} <= set(actions)

    # Continuing: a second code, the open-drafts list; then the department moves the status on.
    ended = staff_ui.end_acting(clerk, acting)
    assert ended[staff_ui.acting] is None and ended[staff_ui.assist_box]["visible"] is False
    html, dept, statuses, menu = staff_ui.track(clerk, no, None)
    assert no in html and "人力资源社会保障部门" in dept["choices"] and statuses["人力资源社会保障部门"] == "待受理"
    assert menu["choices"] == []  # no department chosen yet
    with pytest.raises(gr.Error, match="选择"):
        staff_ui.update_status(clerk, no, None, "已受理", "")
    html, dept, statuses, menu, note = staff_ui.update_status(clerk, no, "人力资源社会保障部门", "已受理", "材料齐全")
    assert "已受理" in html and "材料齐全" in html and note == ""
    assert menu["choices"] == ["办理中", "需补正", "已办结"]  # only the allowed next steps
    with pytest.raises(gr.Error, match="进度已变化"):  # a stale menu: in Chinese, with what to do
        staff_ui.update_status(clerk, no, "人力资源社会保障部门", "待受理", "")
    assert "已受理" in ui.account.track(citizen, no, {"lang": "zh-Hans"})
    actions = {e["action"] for e in StaffAuditLog(fast_assistant.conversations).entries(staff_user="clerk")}
    assert {"act_for_end", "track", "update_status"} <= actions
    with pytest.raises(gr.Error, match="this needs a citizen"):
        ui.account.track(Principal("staff", "clerk"), "", {"lang": "zh-Hans"})


def test_staff_continues_an_unsubmitted_draft(ui, staff_ui, svc):
    person = _scenario(svc, "social_security_card").applicant_id
    citizen = _sign_in(ui, person)
    started = ui.flow.grant_all(citizen, _open(ui, citizen, "social_security_card")[ui.flow.flow])
    code = re.search(r"\*\*(\d{6})\*\*", ui.account.consent_code(citizen, {"lang": "zh-Hans"})).group(1)
    clerk = staff_ui.login("clerk", "clerk-demo")[0]
    upd = staff_ui.act_for(clerk, code)
    drafts = upd[staff_ui.assist_draft]["choices"]
    assert [v for _, v in drafts] == [started[ui.flow.flow]["draft_id"]]
    cont = staff_ui.assist(clerk, upd[staff_ui.acting], None, drafts[0][1])
    assert cont[staff_ui.flow.flow]["draft_id"] == started[ui.flow.flow]["draft_id"]
    assert cont[staff_ui.flow.flow]["step"] == "form"
    out = staff_ui.logout(clerk, upd[staff_ui.acting])
    assert out[staff_ui.principal] is None and out[staff_ui.acting] is None
