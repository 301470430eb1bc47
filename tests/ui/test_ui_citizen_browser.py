"""The citizen chat page in a real browser (Debian's Chromium, the live server): accessibility checked with
axe-core, the 大字号/高对比 switch on a phone, and the buttons on the newest answer (issue 11 item 9, issue 14
item 2). axe-core comes from the `axe-playwright-python` package (its bundled axe.min.js, injected into the
page): nothing is fetched at test time.

Reports go to artifacts/axe/ and screenshots to artifacts/screenshots/ (both gitignored).
"""

from __future__ import annotations

import json
import re

import pytest
import test_ui_browser as suite
from test_ui_browser import LINE_RECT_JS, NEWEST_IN_VIEW_JS, SHOTS, _ask, _bots, _open, _wait_answer

pytestmark = [pytest.mark.integration, pytest.mark.browser]
# The main browser suite's fixtures (Debian's Chromium, one browser per module, a page per viewport).
browser = suite.browser
new_page = suite.new_page

AXE_OUT = SHOTS.parent / "axe"
# Not checked here: 我的办事 and the 一键办理 flow belong to the account and pre-fill pages, which have their own
# journeys (issue 11 items 4, 6, 7); this file covers the chat page and the sign-in area above it.
AXE_EXCLUDE = [["#yjs-my"], ["#yjs-prefill-area"]]
BLOCKING = ("serious", "critical")


def _axe(page, name: str, include: list[list[str]] | None = None) -> dict[str, int]:
    """Run axe-core on the page (or only on the `include` selectors); keep the full report; fail on any
    serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    # Gradio dims a component to 20 % opacity while an event that updates it is pending (the `pending`
    # class); on a busy machine that can outlast the visible change, and axe would measure the dimmed colour.
    page.wait_for_function("() => !document.querySelector('.pending')", timeout=30_000)
    page.wait_for_timeout(300)  # the opacity transition back
    context = {"include": include} if include else {"exclude": AXE_EXCLUDE}
    found = Axe().run(page, context=context).response["violations"]
    AXE_OUT.mkdir(parents=True, exist_ok=True)
    (AXE_OUT / f"{name}.json").write_text(json.dumps(found, ensure_ascii=False, indent=1))
    counts: dict[str, int] = {}
    for v in found:
        counts[v["impact"]] = counts.get(v["impact"], 0) + len(v["nodes"])
    blocking = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}" for v in found if v["impact"] in BLOCKING]
    assert not blocking, f"{name}: " + "\n".join(blocking)
    return counts


def _large_on(page) -> None:
    page.focus("#yjs-large-toggle input")
    page.keyboard.press("Space")
    page.wait_for_function("() => document.documentElement.classList.contains('yjs-large')")
    page.wait_for_timeout(800)  # gradio's components animate colour changes: check the colours they settle on


def _sign_in(page) -> None:
    """Pick a demo identity from the open list and sign in."""
    page.locator("[role='option']").filter(has_text=re.compile("· 退休一件事$")).first.click()
    page.click("#yjs-signin")
    page.wait_for_function("() => document.querySelector('#yjs-whoami').innerText.includes('已登录')")


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
def test_chat_page_and_sign_in_have_no_serious_axe_violations(new_page, live_server, large):
    """Issue 11 item 9: WCAG 2.2 AA on the citizen page, normal and 大字号/高对比, phone and desktop: the page
    as it opens, the chat after an answer (with its buttons), the identity list open, and signed in."""
    mode = "large" if large else "normal"
    page = new_page(390, 844)
    _open(page, live_server)
    if large:
        _large_on(page)
    _axe(page, f"{mode}_phone_open")
    _ask(page, "退休一件事要多久")
    page.locator("#yjs-chat .option").first.wait_for()
    _axe(page, f"{mode}_phone_answer")
    page.click("#yjs-id-pick input")
    page.locator("[role='option']").first.wait_for()
    _axe(page, f"{mode}_phone_identity_list")
    _sign_in(page)
    _axe(page, f"{mode}_phone_signed_in")
    page.screenshot(path=str(SHOTS / f"axe_{mode}_phone.png"), full_page=True)

    desktop = new_page(1280, 900)
    _open(desktop, live_server)
    if large:
        _large_on(desktop)
    _ask(desktop, "退休一件事要准备什么材料")
    _axe(desktop, f"{mode}_desktop_answer")
    assert not page.errors and not desktop.errors, page.errors + desktop.errors


# The colours of the text in an area that the person reads, except white on a filled button.
TEXT_COLOURS_JS = """(sel) => [...document.querySelectorAll(sel + ' *')]
    .filter(e => e.checkVisibility() && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
    .map(e => getComputedStyle(e).color).filter(c => c !== 'rgb(255, 255, 255)')"""
RECT_JS = "(sel) => { const r = document.querySelector(sel).getBoundingClientRect(); return [r.top, r.bottom, r.height]; }"
LAST_BOT_RECT_JS = """() => { const bots = document.querySelectorAll("#yjs-chat [data-testid='bot']");
    const r = bots[bots.length - 1].getBoundingClientRect(); return [r.top, r.bottom, r.height]; }"""


def test_large_text_is_a_switch_at_the_top_and_keeps_the_question_in_view_on_a_phone(new_page, live_server):
    """Issue 11 item 9: the switch is the first thing on a phone and big enough to hit; in large mode every label
    is black (not the theme's grey), and after an answer the question box and the answer are both on screen."""
    page = new_page(390, 844)
    _open(page, live_server)
    top, bottom, height = page.evaluate(RECT_JS, "#yjs-large-toggle")
    assert bottom < page.evaluate(RECT_JS, "#yjs-heading")[0] and top < 100 and height >= 44, (top, bottom, height)
    _large_on(page)
    for area in ("#yjs-controls", "#yjs-identity", ".yjs-ask", "#yjs-heading"):
        colours = set(page.evaluate(TEXT_COLOURS_JS, area))
        assert colours == {"rgb(0, 0, 0)"}, (area, colours)

    _ask(page, "退休一件事要准备什么材料")
    page.wait_for_function(NEWEST_IN_VIEW_JS, timeout=5_000)  # the page settles after the answer (SHOW_NEWEST_JS)
    page.screenshot(path=str(SHOTS / "phone_large_answer_and_question.png"))
    ask_top, ask_bottom, _ = page.evaluate(RECT_JS, "#yjs-question textarea")
    assert 0 <= ask_top and ask_bottom <= 844, (ask_top, ask_bottom)
    assert page.evaluate(NEWEST_IN_VIEW_JS)
    answer_top = page.evaluate(LAST_BOT_RECT_JS)[0]
    assert answer_top < page.evaluate(RECT_JS, ".yjs-ask")[0] - 60  # the answer is not under the question box

    # Typing the next question needs no scrolling.
    before = _bots(page)
    page.fill("#yjs-question textarea", "要多久")
    page.keyboard.press("Enter")
    _wait_answer(page, before)
    ask_top, ask_bottom, _ = page.evaluate(RECT_JS, "#yjs-question textarea")
    assert 0 <= ask_top and ask_bottom <= 844
    assert not page.errors, page.errors


def test_more_buttons_on_the_newest_answer_ask_for_the_section_on_a_phone(new_page, live_server):
    """Issue 14 item 2: what a short answer left out is one tap away on the answer itself; the follow-up shows
    the section, the newest answer stays in view, and 一键办理 on it opens the application like the panel's
    button (no chat turn)."""
    page = new_page(390, 844)
    _open(page, live_server)
    text = _ask(page, "企业注销一件事要收费吗")
    assert "收费标准" in text
    options = page.locator("#yjs-chat .option")
    options.first.wait_for()
    labels = options.all_inner_texts()
    assert "所需材料" in labels and labels[-1] == "一键办理", labels
    # The buttons are on the answer (inside the chat, right under its last message), not a row of their own.
    answer_bottom = page.evaluate(LAST_BOT_RECT_JS)[1]
    assert 0 <= page.evaluate(RECT_JS, "#yjs-chat .options")[0] - answer_bottom < 80
    top, bottom, height = page.evaluate(LINE_RECT_JS, "收费标准")
    assert 0 <= top and bottom <= height

    before = _bots(page)
    page.locator("#yjs-chat .option", has_text="所需材料").click()
    follow = _wait_answer(page, before)
    assert "所需材料（一套材料，一次提交）" in follow and _bots(page) == before + 1
    page.wait_for_function(NEWEST_IN_VIEW_JS, timeout=5_000)
    page.wait_for_timeout(1_000)
    assert page.evaluate(NEWEST_IN_VIEW_JS)
    top, bottom, height = page.evaluate(LINE_RECT_JS, "所需材料（")
    assert 0 <= top and bottom <= height, (top, bottom, height)
    page.screenshot(path=str(SHOTS / "phone_more_materials.png"))
    assert "所需材料" not in page.locator("#yjs-chat .option").all_inner_texts()

    bots = _bots(page)
    page.locator("#yjs-chat .option", has_text="一键办理").click()
    page.wait_for_selector("#yjs-prefill-area", state="visible")
    page.wait_for_timeout(500)
    assert _bots(page) == bots  # the panel's flow opened; nothing was asked in the chat
    assert not page.errors, page.errors


def test_a_clarifying_questions_options_are_buttons_on_it_on_a_phone(new_page, live_server, real_stack, monkeypatch):
    """Asked which bundle is meant, the options are buttons on the question itself, inside the chat: a row of their
    own under the chat sat under the question box on a phone, off the screen. Tapping one answers the question that
    was asked, in that bundle."""
    from dataclasses import replace

    from assistant.router import Candidate

    bot = real_stack[1]
    real_run = bot.router.run
    offered = [Candidate(b, bot.catalog.get(b).name, 0.0) for b in ("newborn", "after_death", "hukou_migration")]

    def vague(query, *a, **k):  # the real model's reading of this question is not what this test is about
        routing = real_run(query, *a, **k)
        if "派出所" not in query.text:
            return routing
        return replace(routing, verdict="ambiguous", clarify=True, in_scope=True, continues=False, candidates=offered)

    monkeypatch.setattr(bot.router, "run", vague)
    page = new_page(390, 844)
    _open(page, live_server)
    assert "哪一件事" in _ask(page, "派出所要带啥")
    options = page.locator("#yjs-chat .option")
    options.first.wait_for()
    assert options.all_inner_texts() == ["1. 新生儿出生一件事", "2. 个人身后一件事", "3. 户口迁移一件事"]
    page.wait_for_timeout(1_000)
    top, bottom, _ = page.evaluate(RECT_JS, "#yjs-chat .options")
    assert 0 <= top and bottom <= page.evaluate(RECT_JS, ".yjs-ask")[0], (top, bottom)  # on screen, above the box
    page.screenshot(path=str(SHOTS / "phone_clarify_options.png"))

    before = _bots(page)
    page.locator("#yjs-chat .option", has_text="个人身后").click()
    follow = _wait_answer(page, before)
    assert "个人身后一件事" in follow and _bots(page) == before + 1
    assert "个人身后一件事" in page.locator("#yjs-chat [data-testid='user']").last.inner_text()  # (its "2." a list marker)
    assert not page.errors, page.errors


# The newest question near the top of the chat's scroll box, in an exchange taller than the box.
QUESTION_AT_TOP_JS = """() => {
    const chat = document.getElementById('yjs-chat');
    const box = [...chat.querySelectorAll('*')].find(e => /(auto|scroll)/.test(getComputedStyle(e).overflowY));
    const users = chat.querySelectorAll("[data-testid='user']");
    const top = users[users.length - 1].getBoundingClientRect().top - box.getBoundingClientRect().top;
    return box.scrollHeight > box.clientHeight + 100 && top >= -1 && top < 40;
}"""


def test_a_long_english_answer_reads_from_its_question_on_a_phone(new_page, live_server):
    """Issue 14: on a phone, a long English question and its answer are taller than the chat; once the answer is drawn
    (it grows for about a second, gradio's autoscroll following it to the end) the chat shows the question at its top
    and the answer from its first line, not the answer's end."""
    page = new_page(390, 844)
    _open(page, live_server)
    _ask(page, "My mother is bedridden after a stroke and can't really be moved. For her disability certificate she "
               "needs an assessment. How does that work if she can't get to the hospital?")
    page.wait_for_function(QUESTION_AT_TOP_JS, timeout=6_000)
    page.wait_for_timeout(1_000)  # and it stays there
    assert page.evaluate(QUESTION_AT_TOP_JS) and page.evaluate(NEWEST_IN_VIEW_JS)
    page.screenshot(path=str(SHOTS / "phone_long_english_answer.png"))
    assert not page.errors, page.errors
