"""The clerk's suggested reply (智能辅助): a short draft answer to the citizen's last message.

The assistant's own answer is written for the chat: its lead quotes, supporting quotes, a caveat,
sometimes twenty or thirty lines. A clerk who has taken a conversation over needs a few sentences
to check, edit and send. So the draft keeps only the answer's lead quote(s) — verbatim, cut to
whole lines, each cited — between a greeting that names the question and one closing sentence;
the sources (exactly the quoted text) are listed apart for the clerk. Deterministic: no generator.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.composer import Citation, Statement, faq_answer
from core.lang import family, localise
from knowledge.catalog import Catalog

MAX_LEADS = 2  # a reply answers what was asked; a two-part question ("材料和时限") gets both parts
LINES_BUDGET = 140  # characters of one quote's lines before the rest is left to the source (≈3 lines in the box)
ECHO_CHARS = 30  # how much of the citizen's question the greeting repeats

FRAMES = {
    "zh-Hans": {
        "greeting": "您好！关于您咨询的“{q}”：",
        "rest": "（其余{n}项见依据[{i}]）",
        "closing": "以上摘自办事指南，各地具体要求以当地政务服务中心为准；如还有疑问，欢迎继续咨询。",
        "refused": "您好！关于您咨询的“{q}”，办事指南中没有可以直接引用的规定，为免误导，我们不作推测。"
                   "建议您拨打{hotline}政务服务便民热线，或到当地政务服务中心综合窗口咨询。",
        "clarify": "您好！为了准确答复您，请问您要办理的是以下哪一件事：{options}？",
        "empty": "您好！您的问题已收到，工作人员正在核实，稍后答复您。",
    },
    "en": {
        "greeting": "Hello! About your question \"{q}\":",
        "rest": " ({n} more items in source [{i}])",
        "closing": "This is quoted from the official service guide; local requirements may differ, so please check "
                   "with your local service centre. Feel free to ask if anything is unclear.",
        "refused": "Hello! The service guides have nothing we can quote on \"{q}\", and we would rather not guess. "
                   "Please call the {hotline} hotline or visit the comprehensive window of your local service centre.",
        "clarify": "Hello! So that we can answer precisely, which of these do you mean: {options}?",
        "empty": "Hello! We have your question and a member of staff is checking it; we will reply shortly.",
    },
}


@dataclass
class ReplyDraft:
    """The draft text and the sources it quotes (each citation's quote is exactly the quoted text)."""

    text: str
    citations: list[Citation] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"text": self.text, "citations": [c.to_dict() for c in self.citations]}


def _echo(question: str) -> str:
    q = " ".join((question or "").split())
    return q if len(q) <= ECHO_CHARS else q[:ECHO_CHARS] + "…"


def _answer_part(statement: Statement, catalog: Catalog) -> str:
    """Of a FAQ quote, only its answer, without the "答：" label (the citizen asked the question
    already); else the quote. The part is found by its aspect in the section's typed parts."""
    part = faq_answer(statement, catalog)
    if part is None:
        return statement.quote
    return part.text.removeprefix(part.label).lstrip("：: ") or part.text


def _lines(text: str, budget: int = LINES_BUDGET) -> tuple[str, int]:
    """The text's first whole lines within `budget` characters (at least one line), and how many lines
    were left out: a verbatim prefix, so still a quote of the source."""
    lines = text.split("\n")
    kept, used = [], 0
    for line in lines:
        if kept and used + len(line) > budget:
            break
        kept.append(line)
        used += len(line)
    return "\n".join(kept), len(lines) - len(kept)


def _leads(statements: list[Statement]) -> list[Statement]:
    leads = [s for s in statements if s.role == "lead"] or statements[:1]
    return leads[:MAX_LEADS]


def draft_reply(question: str, answer, catalog: Catalog, hotline: str = "12345") -> ReplyDraft:
    """A few sentences answering `question` from `answer` (an engine `Answer` to it)."""
    lang = answer.lang
    frame = FRAMES[family(lang)]
    q = _echo(question)
    if answer.refused:
        return ReplyDraft(localise(frame["refused"].format(q=q, hotline=hotline), lang))
    if answer.options:
        names = [(catalog.get(o.id).name_en if lang == "en" and catalog.get(o.id) else o.name) for o in answer.options]
        options = "; ".join(names) if lang == "en" else "；".join(f"{n}. {name}" for n, name in enumerate(names, 1))
        return ReplyDraft(localise(frame["clarify"].format(options=options), lang))
    parts, citations = [frame["greeting"].format(q=q)], []
    for s in _leads(answer.statements):
        quote, left = _lines(_answer_part(s, catalog))
        citations.append(Citation(s.citation.source_id, s.citation.title, quote))
        n = len(citations)
        parts.append(f"{quote} [{n}]" + (frame["rest"].format(n=left, i=n) if left else ""))
    if not citations:
        return ReplyDraft(localise(frame["empty"], lang))
    parts.append(frame["closing"])
    return ReplyDraft(localise("\n".join(parts), lang), citations)
