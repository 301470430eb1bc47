"""Issue 11 item 14: the clerk's suggested reply is a short draft to the citizen's LAST message, made
of the answer's lead quote(s) — verbatim, cited — with the quoted sources listed apart; deterministic."""

from __future__ import annotations

import re

from assistant.desk import StaffDesk
from assistant.reply_draft import LINES_BUDGET, draft_reply
from core.identity import Principal

CLERK = Principal("staff", "clerk")


def _grounded(bot, draft) -> None:
    for c in draft.citations:
        rec = bot.retriever.record(c.source_id)
        assert rec is not None and c.quote in rec.text, (c.source_id, c.quote)  # verbatim
        assert c.quote in draft.text or c.quote.split("\n")[0] in draft.text  # and quoted in the draft


def test_the_draft_is_short_cited_and_not_the_bots_answer(fast_assistant):
    bot = fast_assistant
    ans = bot.run("新生儿出生一件事需要哪些材料？")
    sid = ans.session_id
    draft = draft_reply(bot.last_question(sid), bot.suggest(sid), bot.catalog)
    assert draft.text != ans.answer and draft.text.startswith("您好！关于您咨询的“新生儿出生一件事需要哪些材料？”")
    assert draft.citations and len(draft.citations) <= 2 and "[1]" in draft.text
    assert len(draft.text.splitlines()) <= 8 and all(len(c.quote) <= LINES_BUDGET + 80 for c in draft.citations)
    _grounded(bot, draft)
    assert draft_reply(bot.last_question(sid), bot.suggest(sid), bot.catalog) == draft  # deterministic


def test_the_draft_answers_the_last_message(fast_assistant):
    bot = fast_assistant
    first = bot.run("企业开办一件事需要哪些材料")
    bot.conversations.take_over(first.session_id, "clerk")
    bot.run("那企业开办一件事要多久？", session_id=first.session_id)  # held for the clerk
    desk = StaffDesk(bot)
    draft = desk.draft_reply(CLERK, first.session_id)
    assert "要多久" in draft["text"] and draft["one_thing"] == "start_business"
    assert any("时限" in c["quote"] for c in draft["citations"]), draft
    assert not any(c["quote"].startswith("所需材料") for c in draft["citations"])


def test_a_refused_question_gets_a_polite_draft_without_sources(fast_assistant):
    bot = fast_assistant
    sid = bot.run("明天天气怎么样").session_id
    draft = StaffDesk(bot).draft_reply(CLERK, sid)
    assert draft["citations"] == [] and "12345" in draft["text"] and "明天天气怎么样" in draft["text"]
    assert len(draft["text"]) < 120


def test_a_faq_lead_quotes_its_answer_only(fast_assistant):
    from assistant.composer import Citation, Statement
    from assistant.engine import Answer

    bot = fast_assistant
    section = next(s for d in bot.catalog.documents() for s in d.sections if s.kind == "faq")
    st = Statement("faq", section.text, Citation(section.source_id, section.title, section.text))
    draft = draft_reply("能代办吗", Answer("x", citations=[st.citation], statements=[st]), bot.catalog)
    answer_line = section.text.split("\n")[-1]
    assert draft.citations[0].quote in section.text and "问：" not in draft.text
    assert re.sub(r"^答：", "", answer_line)[:20] in draft.text
