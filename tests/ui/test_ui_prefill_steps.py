"""Issue 11 item 4, the 一键办理 flow as short steps (callbacks over a real PrefillService): 授权 → 核对 → 确认 →
提交; consent a line per data source that opens on the details; the form a page per section, saved page by
page, errors taking the person to their page; the review a line per group, open where something is to fix;
the tracking number and what happens next first after submitting. The phone measurements are in
test_ui_prefill_steps_browser.py."""

from __future__ import annotations

import re

from test_ui_prefill import _fields, _open, _scenario, _sign_in

from core.identity import Principal
from ui import prefill_render as pr
from ui.i18n import t

TAG = re.compile(r"<[^>]+>")
SUMMARY = re.compile(r"<summary>(.*?)</summary>", re.S)


def _newborn_form(ui, svc) -> tuple[Principal, dict]:
    """The father signed in, every source he decides granted: the first page of the newborn form."""
    sc = _scenario(svc, "newborn")
    who = _sign_in(ui, sc.applicant_id)
    return who, ui.flow.grant_all(who, _open(ui, who, "newborn")[ui.flow.flow])


def _page(view: dict) -> str:
    """The page shown, which is the one section open."""
    assert [s["key"] for s in view["sections"] if s["open"]] == [view["page"]]
    return view["page"]


def test_the_stepper_reads_consent_check_confirm_submit_in_three_languages():
    for lang, names in (("zh-Hans", "授权 核对 确认 提交"), ("zh-Hant", "授權 核對 確認 提交"),
                        ("en", "Consent Check Confirm Submit")):
        html = pr.steps_html("review", lang)
        assert re.findall(r"\d\. ([^<]+)</li>", html) == names.split(), (lang, html)
        assert re.search(r'aria-current="step">3\. ', html)


def test_consent_is_a_line_per_source_that_opens_on_what_it_reads(ui, svc):
    sc = _scenario(svc, "newborn")
    who = _sign_in(ui, sc.applicant_id)
    opened = _open(ui, who, "newborn")
    html = opened[ui.flow.consent_html]
    consent = svc.consent_request(who, opened[ui.flow.flow]["draft_id"])
    lines = [TAG.sub("", m) for m in SUMMARY.findall(html)]
    # One line for the purpose, then one per source the father decides: its decision and what it reads.
    assert len(lines) == 1 + len(consent.your_sources), lines
    assert lines[0].startswith("用途：")
    for source, line in zip(consent.your_sources, lines[1:], strict=True):
        assert pr.source_name(source, "zh-Hans") in line and "待您决定" in line, line
        assert re.search(r"、.+等\d+项$", line), line
    # Everything the old screen said is still there, one tap away.
    for text in ("调取字段", "接收部门", "由谁授权", "公安部门", "若您是新生儿母亲"):
        assert text in html, text
    assert html.count("<details") == len(lines) and "<details open" not in html

    # Once the mother is identified, what she approves herself is a line of its own.
    upd = ui.flow.grant_all(who, opened[ui.flow.flow])
    after = ui.flow.back_to_consent(who, upd[ui.flow.flow])[ui.flow.consent_html]
    last = TAG.sub("", SUMMARY.findall(after)[-1])
    assert "需其本人授权：新生儿母亲" in last and "等待其本人授权" in last, last


def test_the_form_is_a_page_per_section_saved_as_the_person_goes(ui, svc):
    who, upd = _newborn_form(ui, svc)
    view, flow = upd[ui.flow.view], upd[ui.flow.flow]
    keys = [s["key"] for s in view["sections"]]
    assert keys == ["newborn", "parents", "hukou", "benefits", "delivery"] and _page(view) == "newborn"
    heading = pr.page_heading(view, "zh-Hans")
    assert "1 / 5" in heading and "第1页，共5页" in heading and "新生儿信息" in heading
    assert "Page 1 of 5" in pr.page_heading(view, "en")

    # 下一步 saves the page: the choice is kept, the next section is shown.
    upd = ui.flow.turn_page("parents", who, flow, {"child_ethnicity": "汉族"})
    assert _page(upd[ui.flow.view]) == "parents" and upd[ui.flow.flow]["step"] == "form"
    assert svc.all_values(flow["draft_id"])["child_ethnicity"] == "汉族"
    assert _fields(upd[ui.flow.view])["child_ethnicity"]["value"] == "汉族"
    en = ui.flow.switch_lang("en", who, upd[ui.flow.flow])  # the language switch keeps the page
    assert _page(en[ui.flow.view]) == "parents" and "Page 2 of 5" in pr.page_heading(en[ui.flow.view], "en")
    upd = ui.flow.switch_lang("zh-Hans", who, en[ui.flow.flow])

    # A value the service refuses keeps the person on its page, with what they typed.
    upd = ui.flow.turn_page("delivery", who, upd[ui.flow.flow], {"contact_phone": "123"})
    f = _fields(upd[ui.flow.view])["contact_phone"]
    assert _page(upd[ui.flow.view]) == "benefits" and f["error"] and f["value"] == "123"
    assert "医保、社保卡和生育津贴" in upd[ui.flow.notice]["value"]

    # 保存并核对 on the last page with required fields still empty earlier: to the first page that has one.
    upd = ui.flow.turn_page("delivery", who, upd[ui.flow.flow], {"contact_phone": "13912345678"})
    assert _page(upd[ui.flow.view]) == "delivery"
    upd = ui.flow.save_form(who, upd[ui.flow.flow], {"delivery_method": "邮寄到家"})
    errors = {k for k, f in _fields(upd[ui.flow.view]).items() if f["error"]}
    assert "hukou_follow" in errors and _page(upd[ui.flow.view]) in ("parents", "hukou")
    notice = upd[ui.flow.notice]["value"]
    assert "出生登记（落户）" in notice and "证件领取" not in notice
    assert svc.all_values(flow["draft_id"])["delivery_method"] == "邮寄到家"  # the last page was saved too


def test_the_review_is_a_line_per_group_open_where_something_is_to_fix(ui, svc):
    who = _sign_in(ui, _scenario(svc, "retirement").applicant_id)
    flow = ui.flow.grant_all(who, _open(ui, who, "retirement")[ui.flow.flow])[ui.flow.flow]
    review = ui.flow._review_updates(who, flow)[ui.flow.review_view]  # required choices still empty
    lines = {g["key"]: (g["summary"], g["open"]) for g in review["sections"]}
    assert lines["person"][0].startswith("申请人信息 · ") and lines["person"][0].endswith("项") and not lines["person"][1]
    todo = {k: int(m.group(1)) for k, (line, _) in lines.items() if (m := re.search(r"(\d+)项待处理", line))}
    assert sum(todo.values()) == 2 and all(lines[k][1] for k in todo), lines  # retirement_type, only_child_award

    done = ui.flow.save_form(who, flow, {"retirement_type": "正常退休", "only_child_award": "不申请"})
    assert not any(g["open"] for g in done[ui.flow.review_view]["sections"])
    sub = ui.flow.submit(who, done[ui.flow.flow], True)
    html, no = sub[ui.flow.done_html], sub[ui.flow.flow]["tracking_no"]
    # The tracking number comes first, then what happens next, then the departments' table.
    assert html.index(no) < html.index(t("done_next")) < html.index(t("done_next_track")) < html.index("<table")
