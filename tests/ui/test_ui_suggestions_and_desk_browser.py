"""Issue 11 items 8, 12, 13 and 14 in a real browser (Debian's Chromium, the live server's real stack):
suggestions that fit the person (phone and desktop), and the staff desk's 帮办代办 identity check and
catalogue list, ticket panel without a model, and short suggested reply with its sources.

Fixtures and helpers are those of test_ui_browser.py; screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest
import test_ui_browser as shared
from test_ui_browser import SHOTS, _ask, _open, _staff_sign_in

# The browser fixtures of test_ui_browser.py, shared by name (Debian's Chromium, one context per page).
browser = shared.browser
new_page = shared.new_page

pytestmark = [pytest.mark.integration, pytest.mark.browser]

PHONE, DESKTOP = (390, 844), (1280, 900)
LATIN = re.compile(r"[A-Za-z]{3,}")


def _suggestions(page) -> list[str]:
    """The labels of the suggested one-thing buttons on screen (none when their row is hidden)."""
    return page.evaluate("""() => {
        const box = document.querySelector('#yjs-candidates');
        if (!box || !box.checkVisibility()) return [];
        return [...box.querySelectorAll("[id^='yjs-candidate-']")]
            .filter(b => b.checkVisibility()).map(b => b.innerText.trim()).filter(Boolean);
    }""")


def _answered_bundle(page, catalog):
    """The bundle the side panel shows after an answer (the longest catalogue name in it)."""
    text = page.locator("#yjs-panel-body").inner_text()
    found = [o for o in catalog if o.name in text]
    return max(found, key=lambda o: len(o.name)) if found else None


def _ask_fresh(new_page, live_server, size, question: str):
    page = new_page(*size)
    _open(page, live_server)
    _ask(page, question)
    return page


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_suggestions_fit_the_person(new_page, live_server, real_stack, size):
    """No 员工招聘 (a company's bundle) after a newborn question, no 个人身后一件事 for an 80-year-old
    asking about 高龄补贴, nothing at all after a weather question."""
    catalog = real_stack[1].catalog
    business = {o.name for o in catalog if o.audience == "企业"}
    tag = "phone" if size == PHONE else "desktop"

    page = _ask_fresh(new_page, live_server, size, "孩子刚出生要办哪些手续")
    shown = _suggestions(page)
    assert shown and not set(shown) & business and "员工招聘一件事" not in shown, shown
    page.screenshot(path=str(SHOTS / f"suggestions_newborn_{tag}.png"), full_page=True)

    page = _ask_fresh(new_page, live_server, size, "我爸80岁了高龄补贴怎么领")
    shown = _suggestions(page)
    assert "个人身后一件事" not in shown and not set(shown) & business, shown
    page.screenshot(path=str(SHOTS / f"suggestions_elderly_{tag}.png"), full_page=True)

    page = _ask_fresh(new_page, live_server, size, "明天天气怎么样")
    assert _suggestions(page) == []
    assert not any("救助" in s for s in _suggestions(page))
    page.screenshot(path=str(SHOTS / f"suggestions_weather_{tag}.png"), full_page=True)
    assert not page.errors, page.errors


UNTUNED = ["想开个奶茶店", "辞职了社保怎么办", "孩子要上小学了怎么报名", "二手房过户水电怎么改名", "今天股市行情如何"]


def test_suggestions_on_questions_not_tuned_on(new_page, live_server, real_stack):
    """Whatever the question: each suggestion is for the same applicant (个人/企业) as the answered
    bundle and shares a life stage with it; an out-of-scope question gets none."""
    catalog = real_stack[1].catalog
    for question in UNTUNED:
        page = _ask_fresh(new_page, live_server, DESKTOP, question)
        shown = _suggestions(page)
        answered = _answered_bundle(page, catalog)
        if answered is None or real_stack[1].run(question).refused:
            assert shown == [], (question, shown)
            continue
        for label in shown:
            o = next(x for x in catalog if x.name == label)
            assert o.audience == answered.audience and set(o.life_stages) & set(answered.life_stages), (question, label)
        assert not page.errors, page.errors


def test_staff_assist_shows_who_the_clerk_acts_for(new_page, live_server, real_stack):
    """帮办代办: the masked name and ID number (not 群众编号 P…), and the one-things named and ordered as
    in the catalogue."""
    from core.identity import Principal
    from prefill.seed import scenarios_from_meta
    from prefill.service import build_prefill_service
    from prefill.sources import PersonRow

    svc = build_prefill_service(real_stack[0])
    person = [s for s in scenarios_from_meta(svc.shared.meta()) if s.one_thing_id == "retirement"][3].applicant_id
    with svc.shared.session() as s:
        row = s.get(PersonRow, person)
        name, id_number = row.name, row.id_number
    code = svc.issue_consent_code(Principal("citizen", person)).code

    staff = new_page(*DESKTOP)
    _staff_sign_in(staff, live_server)
    staff.get_by_role("tab", name="帮办代办").click()
    staff.fill("#yjs-assist-code textarea", code)
    staff.click("#yjs-assist-redeem")
    staff.wait_for_function("() => document.querySelector('#yjs-assist-acting').innerText.includes('正在代办')")
    acting = staff.locator("#yjs-assist-acting").inner_text()
    assert f"{name[0]}{'*' * (len(name) - 1)}" in acting and f"{id_number[:6]}********{id_number[-4:]}" in acting
    assert person not in acting and "群众编号" not in acting and id_number not in acting
    staff.screenshot(path=str(SHOTS / "staff_assist_identity.png"), full_page=True)

    staff.click("#yjs-assist-thing input")
    staff.locator("#yjs-assist-thing [role='option']").first.wait_for()
    offered = staff.evaluate("() => [...document.querySelectorAll(\"#yjs-assist-thing [role='option']\")]"
                             ".map(o => o.innerText.trim())")
    with_form = {f.one_thing_id for f in svc.forms()}
    assert offered == [o.name for o in real_stack[1].catalog if o.id in with_form]
    staff.keyboard.press("Escape")
    assert not staff.errors, staff.errors


def test_staff_ticket_panel_without_a_model_is_chinese(new_page, live_server):
    staff = new_page(*DESKTOP)
    _staff_sign_in(staff, live_server)
    staff.get_by_role("tab", name="工单分办").click()
    staff.fill("#yjs-ticket-in textarea", "小区门口的路灯坏了一个多月了，晚上出行很不安全。")
    staff.click("#yjs-ticket-btn")
    staff.wait_for_function("() => { const t = document.querySelector('#yjs-ticket-out').innerText;"
                            " return t.includes('分办') && !t.includes('processing'); }")  # the spinner has gone
    note = staff.locator("#yjs-ticket-out").inner_text()
    assert "工单分办暂不可用" in note and not LATIN.search(note) and "/" not in note, note
    staff.screenshot(path=str(SHOTS / "staff_ticket_no_model.png"), full_page=True)
    assert not staff.errors, staff.errors


def test_staff_suggested_reply_is_a_short_cited_draft(new_page, live_server, real_stack):
    """The draft answers the citizen's last message in a few lines, quoting the guide with [n], and
    lists the quoted sources for the clerk; it is not the bot's answer again."""
    bot = real_stack[1]
    question = "社保卡不小心丢了要怎么补办"
    first = bot.run("我想问一下退休一件事怎么办理")
    last = bot.run(question, session_id=first.session_id)  # the queue lists every conversation, not only hand-offs

    staff = new_page(*DESKTOP)
    _staff_sign_in(staff, live_server)
    staff.wait_for_function("(q) => document.querySelector('#yjs-queue').innerText.includes(q)", arg=question)
    staff.click("#yjs-queue-pick input")
    staff.locator("[role='option']", has_text=question).first.click()
    staff.click("#yjs-open")
    staff.wait_for_function("() => document.querySelector('#yjs-reply textarea').value.length > 0")
    draft = staff.input_value("#yjs-reply textarea")
    assert draft.startswith("您好") and question in draft and "[1]" in draft, draft
    assert draft.strip() != last.answer.strip() and len(draft.strip().splitlines()) <= 8, draft
    staff.get_by_text("建议回复的依据").click()  # the sources are listed apart, in an accordion
    staff.wait_for_function("() => document.querySelector('#yjs-reply-sources blockquote')")
    quote = staff.evaluate("() => document.querySelector('#yjs-reply-sources blockquote').textContent")
    assert quote.strip() and quote.strip().splitlines()[0][:15] in draft, (quote, draft)
    staff.screenshot(path=str(SHOTS / "staff_suggested_reply.png"), full_page=True)
    assert not staff.errors, staff.errors
