"""Issue 11 item 6 in a real browser on a phone (390×844): the person's own ID number behind a reveal
control, and a place-name picker where the form used to ask for a 行政区划代码.

Playwright drives Debian's Chromium against the live server (tests/conftest.py); the people are synthetic
demo people picked by person id, and what the form stored is read back through the pre-fill service on the
live server's own databases. Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest
from test_ui_browser import (  # noqa: F401
    FULL_ID,
    SHOTS,
    _ask,
    _choose,
    _form_page_with,
    _form_ready,
    _next_page,
    _no_horizontal_scroll,
    _open,
    browser,
    new_page,
)

pytestmark = [pytest.mark.integration, pytest.mark.browser]

PHONE = (390, 844)


def _service(real_stack):
    from prefill.service import build_prefill_service

    return build_prefill_service(real_stack[0])


def _person(svc, bot, one_thing: str, index: int):
    """The index-th seeded applicant for `one_thing`: (person id, sign-in label, full ID number)."""
    from prefill.seed import scenarios_from_meta
    from prefill.sources import PersonRow
    from ui import prefill_render as pr

    pid = [s for s in scenarios_from_meta(svc.shared.meta()) if s.one_thing_id == one_thing][index].applicant_id
    names = pr.one_thing_names(svc.forms(), "zh-Hans")  # the sign-in list names one-things as the catalogue does
    names.update({o.id: pr.localise(o.name, "zh-Hans") for o in bot.catalog})
    label = next(label for label, p in pr.demo_choices(svc.demo_people(), names, "zh-Hans") if p == pid)
    with svc.shared.session() as s:
        return pid, label, s.get(PersonRow, pid).id_number


def _to_consent(page, base: str, label: str, question: str) -> None:
    """Sign in as the demo person, ask, 一键办理: the consent step is shown."""
    _open(page, base)
    page.click("#yjs-id-pick input")
    page.locator("[role='option']", has_text=label).first.click()
    page.click("#yjs-signin")
    page.wait_for_function("() => document.querySelector('#yjs-whoami')?.innerText.includes('已登录')")
    _ask(page, question)
    page.click("#yjs-prefill-btn")
    page.wait_for_selector("#yjs-pf-consent", state="visible")


def _to_form(page, base: str, label: str, question: str) -> None:
    """... then 全部同意: the pre-filled form's first page is drawn."""
    _to_consent(page, base, label, question)
    page.click("#yjs-pf-grant-all")
    _form_ready(page)


def test_the_person_reveals_and_hides_their_own_id_number_on_a_phone(new_page, live_server, real_stack):  # noqa: F811
    svc = _service(real_stack)
    _, label, full_id = _person(svc, real_stack[1], "retirement", 5)
    page = new_page(*PHONE)
    _to_form(page, live_server, label, "退休一件事要准备什么材料")

    value = "#yjs-pf-f-id_number .yjs-ro-value"
    masked = f"{full_id[:6]}********{full_id[-4:]}"
    assert page.locator(value).inner_text().strip() == masked
    assert full_id not in page.content()  # not on the page at all until asked for
    phone = page.input_value("#yjs-pf-f-contact_phone textarea")
    assert re.fullmatch(r"1\d{10}", phone), phone  # their own phone, in full, in an editable box
    assert "来源：人口库" in page.locator("#yjs-pf-f-id_number").inner_text()
    assert page.locator("#yjs-pf-correct-id_number").is_visible()  # locked registry value: 纠错 stays

    reveal = page.locator("#yjs-pf-reveal-id_number")
    reveal.scroll_into_view_if_needed()
    assert reveal.is_visible() and reveal.inner_text().strip() == "显示完整号码"
    reveal.click()
    # (the masked number is 18 characters too: wait for the mask to go, not for a length)
    page.wait_for_function("(v) => !document.querySelector(v).innerText.includes('*')", arg=value)
    assert page.locator(value).inner_text().strip() == full_id
    assert reveal.inner_text().strip() == "隐藏号码"
    assert _no_horizontal_scroll(page)
    page.screenshot(path=str(SHOTS / "form_id_revealed_phone.png"))
    reveal.click()
    page.wait_for_function("(v) => document.querySelector(v).innerText.includes('********')", arg=value)
    assert not FULL_ID.search(page.locator("#yjs-prefill-area").inner_text())
    assert reveal.inner_text().strip() == "显示完整号码"
    assert not page.errors, page.errors


def test_the_insurance_region_is_a_place_picker_on_a_phone(new_page, live_server, real_stack):  # noqa: F811
    from core.identity import Principal
    from prefill.regions import region_name

    svc = _service(real_stack)
    pid, label, _ = _person(svc, real_stack[1], "newborn", 1)
    page = new_page(*PHONE)
    _to_form(page, live_server, label, "新生儿出生一件事怎么办理")
    _form_page_with(page, "insured_region_code")

    picker = "#yjs-pf-f-insured_region_code"
    form = page.locator("#yjs-pf-form").inner_text()
    assert "行政区划代码" not in form and "参保地" in page.locator(picker).inner_text()
    draft_id = svc.my_drafts(Principal("citizen", pid))[0].draft_id
    stored = svc.all_values(draft_id)["insured_region_code"]
    assert page.input_value(f"{picker} input") == region_name(stored)  # the place, not its code

    page.locator(picker).scroll_into_view_if_needed()
    page.click(f"{picker} input")
    page.keyboard.type("天河")
    option = page.locator("[role='option']", has_text="广东省广州市天河区").first
    option.wait_for()
    assert not re.search(r"\d{6}", option.inner_text())
    page.screenshot(path=str(SHOTS / "form_place_picker_phone.png"))
    option.click()
    page.wait_for_function("(s) => document.querySelector(s).value === '广东省广州市天河区'", arg=f"{picker} input")
    _choose(page, "#yjs-pf-f-hukou_follow", "随父落户")
    _next_page(page)  # saves the page
    page.click("#yjs-pf-prev")
    # 随父落户: once the page is drawn again the mother's booklet is no longer asked, the father's is.
    page.wait_for_selector("#yjs-pf-f-hukou_follow", state="visible")
    assert page.locator("#yjs-pf-f-mother_hukou_no").count() == 0
    assert page.locator("#yjs-pf-f-father_hukou_no").count() == 1
    assert page.input_value(f"{picker} input") == "广东省广州市天河区"
    assert svc.all_values(draft_id)["insured_region_code"] == "440106"  # the code behind the name
    assert _no_horizontal_scroll(page)
    assert not page.errors, page.errors
