"""Issue 11 item 6, the pre-filled form as people read it (callbacks over a real PrefillService): the
signed-in person sees their own values, their ID number behind a reveal control, a clerk acting for them
sees masks; no field keys or codes on screen (region codes are a place picker); the consent screen and
the form name the same roles; 随父落户 stops asking for the mother's household booklet."""

from __future__ import annotations

import json
import re
from html import unescape
from types import SimpleNamespace

from test_ui_prefill import FULL_ID, _scenario  # the same helpers as the rest of the pre-fill UI tests

from core.identity import Principal
from prefill import regions
from prefill.regions import DISTRICTS, region_name
from prefill.seed import scenarios_from_meta
from ui import prefill_render as pr
from ui.citizen import new_session
from ui.i18n import localise, t

KEY = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")  # a field key such as insured_region_code
CODE6 = re.compile(r"(?<!\d)\d{6}(?!\d)")
TAG = re.compile(r"<[^>]+>")


def _form(ui, who, one_thing: str, lang: str = "zh-Hans") -> dict:
    """Sign-in done: 一键办理 → 全部同意; the update that draws the form."""
    upd = ui.on_prefill({**new_session(lang), "one_thing": one_thing, "session_id": None}, who)
    return ui.flow.grant_all(who, upd[ui.flow.flow])


def _fields(view: dict) -> dict[str, dict]:
    return {f["key"]: f for sec in view["sections"] for f in sec["fields"]}


def _screen_text(view: dict) -> str:
    """Everything the form puts in front of a person: labels, notes, placeholders, option names, HTML text."""
    out = [view["summary"], view["waiting"]] + [s["title"] for s in view["sections"]]
    for f in _fields(view).values():
        out += [f["label"], f["info"], f["placeholder"] or "", f["error"] or "", TAG.sub(" ", f["html"])]
        out += [o[0] if isinstance(o, (list, tuple)) else o for o in f["options"]]
    return "\n".join(out)


# --- a. the person's own values; ID numbers behind 显示完整号码 -----------------------------------------------
def test_the_owner_sees_their_values_and_reveals_their_id_number(ui, svc):
    who = Principal("citizen", _scenario(svc, "retirement").applicant_id)
    upd = _form(ui, who, "retirement")
    flow, fields = upd[ui.flow.flow], _fields(upd[ui.flow.view])
    full = svc.all_values(flow["draft_id"])
    # Editable values are in their boxes, in full, still editable, with their source.
    for key in ("contact_phone", "bank_account"):
        f = fields[key]
        assert f["kind"] == "input" and f["value"] == full[key] and "来源：" in f["info"], key
    # The ID number is locked (registry), says why and offers 纠错, and is masked until revealed.
    idf = fields["id_number"]
    assert idf["kind"] == "readonly" and idf["correctable"] and idf["reveal"]
    assert full["id_number"] not in idf["html"] and "********" in idf["html"] and "纠错" in idf["html"]
    html, btn, shown = ui.flow.toggle_reveal("id_number", who, flow, False)
    assert shown is True and full["id_number"] in html and btn["value"] == t("reveal_hide")
    assert "来源：人口库" in html and "纠错" in html  # the source and the way to correct stay with the value
    html, btn, shown = ui.flow.toggle_reveal("id_number", who, flow, True)
    assert shown is False and full["id_number"] not in html and btn["value"] == t("reveal_show")


def test_a_clerk_acting_for_the_person_sees_masked_values_and_no_reveal(ui, staff_ui, svc):
    person = _scenario(svc, "retirement").applicant_id
    citizen = Principal("citizen", person)
    code = re.search(r"\*\*(\d{6})\*\*", ui.account.consent_code(citizen, {"lang": "zh-Hans"})).group(1)
    clerk = staff_ui.login("clerk", "clerk-demo")[0]
    acting = staff_ui.act_for(clerk, code)[staff_ui.acting]
    flow_ui = staff_ui.flow
    upd = flow_ui.grant_all(acting, staff_ui.assist(clerk, acting, "retirement", None)[flow_ui.flow])
    fields = _fields(upd[flow_ui.view])
    full = svc.all_values(upd[flow_ui.flow]["draft_id"])
    phone = fields["contact_phone"]
    assert phone["value"] is None and phone["placeholder"].startswith("当前：") and "****" in phone["placeholder"]
    assert not fields["id_number"]["reveal"] and full["id_number"] not in fields["id_number"]["html"]
    page = json.dumps(upd[flow_ui.view], ensure_ascii=False)
    assert full["contact_phone"] not in page and not FULL_ID.search(page)
    html, _, shown = flow_ui.toggle_reveal("id_number", acting, upd[flow_ui.flow], False)  # even if called
    assert shown is False and full["id_number"] not in html


def test_a_typed_id_number_is_hidden_in_its_box_until_revealed(ui, svc):
    sc = _scenario(svc, "house_transfer_utilities")
    who = Principal("citizen", sc.applicant_id)
    upd = _form(ui, who, "house_transfer_utilities")
    key = next(k for k, f in _fields(upd[ui.flow.view]).items() if f["kind"] == "input" and "身份" in f["label"])
    upd = ui.flow.save_form(who, upd[ui.flow.flow], {key: "11010519491231002X"})
    f = _fields(upd[ui.flow.view])[key]
    assert f["value"] == "11010519491231002X" and f["secret"] and f["reveal"]  # a password box
    box, btn, shown = ui.flow.toggle_typed("zh-Hans", False)
    assert box["type"] == "text" and btn["value"] == t("reveal_hide") and shown is True
    assert ui.flow.toggle_typed("zh-Hans", True)[0]["type"] == "password"


# --- b. no field keys or codes on screen; region codes are a place picker ----------------------------------
def test_no_field_keys_or_region_codes_on_any_form(ui, svc):
    seen = set()
    for sc in scenarios_from_meta(svc.shared.meta()):
        if sc.one_thing_id in seen:
            continue
        seen.add(sc.one_thing_id)
        who = Principal("citizen", sc.applicant_id)
        view = _form(ui, who, sc.one_thing_id)[ui.flow.view]
        text = _screen_text(view)
        assert not KEY.search(text), (sc.one_thing_id, KEY.findall(text))
        assert "代码" not in "".join(f["label"] for f in _fields(view).values() if "行政区划" in f["label"] or
                                     f["key"].endswith("region_code")), sc.one_thing_id
        for f in _fields(view).values():
            if not f["key"].endswith("region_code"):
                continue
            if f["kind"] == "readonly":
                assert not CODE6.search(TAG.sub(" ", f["html"])), (sc.one_thing_id, f["key"])
            else:  # a picker of place names with the code behind each
                assert f["kind"] == "choice" and all(not CODE6.search(name) for name, _ in f["options"])
                assert f["value"] is None or f["value"] in {code for _, code in f["options"]}
    assert len(seen) >= 20


def test_the_place_picker_stores_the_code_and_the_review_shows_the_name(ui, svc):
    who = Principal("citizen", _scenario(svc, "newborn").applicant_id)
    upd = _form(ui, who, "newborn")
    f = _fields(upd[ui.flow.view])["insured_region_code"]
    assert f["label"] == "参保地 *" and dict((c, n) for n, c in f["options"])[f["value"]] == region_name(f["value"])
    other = next(c for _, c in f["options"] if c != f["value"])
    upd = ui.flow.save_form(who, upd[ui.flow.flow], {"insured_region_code": other})
    assert svc.all_values(upd[ui.flow.flow]["draft_id"])["insured_region_code"] == other
    assert _fields(upd[ui.flow.view])["insured_region_code"]["value"] == other
    review = pr.review_spec(svc.review(who, upd[ui.flow.flow]["draft_id"]), svc.draft(who, upd[ui.flow.flow]["draft_id"]),
                            svc.form("newborn"), "zh-Hans")
    hukou = next(g for g in review["sections"] if g["key"] == "hukou")["html"]
    assert region_name(other) in hukou and other not in hukou


def test_place_choices_are_the_table_places_by_name():
    choices = dict((c, n) for n, c in regions.place_choices())
    assert set(DISTRICTS) <= set(choices) and all("市辖区" not in n for n in choices.values())
    assert choices["440106"] == "广东省广州市天河区"
    assert regions.place_choices("440000")[0] == ("广东省", "440000")  # a coarser current value stays choosable
    assert pr.field_label(type("F", (), {"type": "region_code", "label": "行政区划代码", "label_en": "Region code"}),
                          "zh-Hans") == "所在地区"


# --- c. consent and form name the same roles ------------------------------------------------------------
def test_consent_and_form_agree_on_who_decides_for_whom(ui, svc):
    sc = _scenario(svc, "newborn")
    assert sc.subjects["father"] == sc.applicant_id  # the father applies for the newborn
    who = Principal("citizen", sc.applicant_id)
    opened = ui.on_prefill({**new_session(), "one_thing": "newborn", "session_id": None}, who)
    before = TAG.sub(" ", opened[ui.flow.consent_html])
    # Before anyone is identified the screen may not claim the applicant decides for the mother (she does).
    assert "您（为新生儿母亲）" not in before and "您（为新生儿父亲）" not in before
    assert "若您是新生儿母亲" in before and "新生儿母亲本人登录授权" in before

    upd = ui.flow.grant_all(who, opened[ui.flow.flow])
    waiting = upd[ui.flow.form_waiting]
    assert "新生儿母亲" in waiting and "新生儿父亲" not in waiting  # the form waits for the mother only
    consent = svc.consent_request(who, upd[ui.flow.flow]["draft_id"])
    by_role = {}
    for i in consent.items:
        by_role.setdefault(i.role, set()).add((i.decided_by, i.decided_by_display))
    assert by_role["mother"] == {("other", "新生儿母亲本人（需其登录授权）")}
    assert by_role["father"] == {("you", "您本人")} and by_role["child"] == {("you", "您（为新生儿）")}
    after = TAG.sub(" ", ui.flow.back_to_consent(who, upd[ui.flow.flow])[ui.flow.consent_html])
    assert "新生儿父亲（您本人）" in after and "您（为新生儿父亲）" not in after
    en = pr.consent_html(consent, svc.form("newborn"), "en")
    assert "father (you)" in en and "for the father" not in en


# --- d. 随父落户 stops asking for the mother's household data -------------------------------------------------
def test_hukou_follow_father_stops_asking_for_the_mothers_booklet(ui, svc):
    who = Principal("citizen", _scenario(svc, "newborn").applicant_id)
    upd = _form(ui, who, "newborn")
    fields = _fields(upd[ui.flow.view])
    assert {"father_hukou_no", "mother_hukou_no"} <= set(fields)  # nothing chosen yet: both may be needed
    upd = ui.flow.save_form(who, upd[ui.flow.flow], {"hukou_follow": "随父落户"})
    fields = _fields(upd[ui.flow.view])
    assert "father_hukou_no" in fields and "mother_hukou_no" not in fields
    assert "mother_hukou_no" not in {p.key for p in svc.review(who, upd[ui.flow.flow]["draft_id"]).problems}
    upd = ui.flow.save_form(who, upd[ui.flow.flow], {"hukou_follow": "随母落户"})
    fields = _fields(upd[ui.flow.view])
    assert "mother_hukou_no" in fields and "father_hukou_no" not in fields


def test_consent_asks_hukou_follow_first_and_then_only_that_parents_booklet(ui, svc):
    """The consent step shows 落户方式 before the list; after 随父落户 the list no longer names the mother's household
    booklet, the form holds the choice, and the mother's booklet is never read."""
    who = Principal("citizen", _scenario(svc, "newborn").applicant_id)
    upd = ui.on_prefill({**new_session("zh-Hans"), "one_thing": "newborn", "session_id": None}, who)
    flow = upd[ui.flow.flow]
    [choice] = upd[ui.flow.choice_view]
    assert choice["key"] == "hukou_follow" and choice["value"] is None
    assert [o[1] for o in choice["options"]] == ["随父落户", "随母落户"]
    booklet = "户口簿"
    assert upd[ui.flow.consent_html].count(booklet) == 2  # nothing chosen: both parents' booklets may be needed

    upd = ui.flow.choose("hukou_follow", who, flow, "随父落户")
    assert upd[ui.flow.choice_view][0]["value"] == "随父落户"
    assert upd[ui.flow.consent_html].count(booklet) == 1
    upd = ui.flow.grant_all(who, upd[ui.flow.flow])
    fields = _fields(upd[ui.flow.view])
    assert fields["hukou_follow"]["value"] == "随父落户" and "mother_hukou_no" not in fields
    draft_id = upd[ui.flow.flow]["draft_id"]
    assert svc.all_values(draft_id)["mother_hukou_no"] is None

    en = ui.flow.choose("hukou_follow", who, {**flow, "lang": "en"}, None)
    assert en[ui.flow.choice_view][0]["label"] == "Register with" and "Choose first" in en[ui.flow.choice_view][0]["info"]


# --- e. choices read in the page's language; the value kept is the Chinese option ----------------------------
def test_an_english_form_shows_english_options_and_keeps_the_chinese_value(ui, svc):
    """The departments, the checks and 随父落户's condition all work on the Chinese option: an English reader
    picks "Mother's household" and the draft holds 随母落户; the review and locked values read in English."""
    who = Principal("citizen", _scenario(svc, "newborn").applicant_id)
    opened = ui.on_prefill({**new_session("en"), "one_thing": "newborn", "session_id": None}, who)
    [choice] = opened[ui.flow.choice_view]
    assert choice["options"] == [("Father's household", "随父落户"), ("Mother's household", "随母落户")]
    upd = ui.flow.choose("hukou_follow", who, opened[ui.flow.flow], "随母落户")
    assert upd[ui.flow.choice_view][0]["value"] == "随母落户"
    upd = ui.flow.grant_all(who, upd[ui.flow.flow])
    flow, fields = upd[ui.flow.flow], _fields(upd[ui.flow.view])
    assert fields["hukou_follow"]["options"] == choice["options"] and fields["hukou_follow"]["value"] == "随母落户"
    assert ("Han", "汉族") in fields["child_ethnicity"]["options"]
    assert fields["delivery_method"]["options"] == [("Posted to your home", "邮寄到家"),
                                                    ("Collect at the service window", "窗口自取")]
    sex = fields["child_sex"]  # a locked registry value, shown in English
    assert sex["kind"] == "readonly" and re.search(r">(Male|Female)<", sex["html"]) and not re.search(r">[男女]<", sex["html"])
    assert not re.search(r"[\u4e00-\u9fff]", "".join(o[0] for f in fields.values() if f["kind"] == "choice"
                                                     and not f["key"].endswith("region_code") for o in f["options"]))

    upd = ui.flow.save_form(who, flow, {"delivery_method": "窗口自取", "child_ethnicity": "回族"})
    draft_id = upd[ui.flow.flow]["draft_id"]
    values = svc.all_values(draft_id)
    assert (values["hukou_follow"], values["delivery_method"], values["child_ethnicity"]) == ("随母落户", "窗口自取", "回族")
    review = pr.review_spec(svc.review(who, draft_id), svc.draft(who, draft_id), svc.form("newborn"), "en")
    text = unescape(TAG.sub(" ", "".join(g["html"] for g in review["sections"])))
    for en, zh in (("Mother's household", "随母落户"), ("Collect at the service window", "窗口自取"), ("Hui", "回族")):
        assert en in text and zh not in text, en
    zh_review = pr.review_spec(svc.review(who, draft_id), svc.draft(who, draft_id), svc.form("newborn"), "zh-Hans")
    assert "随母落户" in "".join(g["html"] for g in zh_review["sections"])


def test_chinese_pages_show_the_options_themselves(ui, svc):
    """Simplified shows the option itself, Traditional the option converted; the value is the option."""
    who = Principal("citizen", _scenario(svc, "newborn").applicant_id)
    values = ["随父落户", "随母落户"]
    opened = ui.on_prefill({**new_session("zh-Hans"), "one_thing": "newborn", "session_id": None}, who)
    flow = opened[ui.flow.flow]
    assert opened[ui.flow.choice_view][0]["options"] == [(v, v) for v in values]
    hant = ui.flow.choose("hukou_follow", who, {**flow, "lang": "zh-Hant"}, None)[ui.flow.choice_view][0]
    assert hant["options"] == list(zip(["隨父落戶", "隨母落戶"], values, strict=True))
    upd = ui.flow.grant_all(who, flow)
    draft_id, form = upd[ui.flow.flow]["draft_id"], svc.form("newborn")
    for lang, view in (("zh-Hans", upd[ui.flow.view]), ("zh-Hant", pr.form_spec(svc.draft(who, draft_id), form, {}, "zh-Hant"))):
        fields = _fields(view)
        assert [o[1] for o in fields["hukou_follow"]["options"]] == values, lang
        assert fields["hukou_follow"]["options"] == [(localise(v, lang), v) for v in values], lang
        assert fields["child_ethnicity"]["options"] == [(localise(o, lang), o) for o in form.field("child_ethnicity").options]
        assert re.search(r">[男女]<", fields["child_sex"]["html"]), lang
    assert pr.option_label(form.field("delivery_method"), "窗口自取", "zh-Hant") == "窗口自取"


def test_yes_no_questions_read_yes_and_no_in_english():
    field = SimpleNamespace(key="agree", label="是否同意", label_en="Agree", type="boolean", options=[], options_en=[],
                            required=True, editable=True, has_value=False, asked=True)
    draft = SimpleNamespace(fields=[field])
    assert pr.quick_choices(draft, "en")[0]["options"] == [("Yes", "是"), ("No", "否")]
    assert pr.quick_choices(draft, "zh-Hans")[0]["options"] == [("是", "是"), ("否", "否")]
    assert pr.value_text(field, "否", "en") == "No" and pr.value_text(field, "否", "zh-Hans") == "否"
    enum = SimpleNamespace(type="enum", options=["申请", "不申请"], options_en=["Apply", "Do not apply"])
    assert pr.option_choices(enum, "en") == [("Apply", "申请"), ("Do not apply", "不申请")]
    assert pr.value_text(enum, "其他", "en") == "其他"  # a value that is not an option is shown as it is
