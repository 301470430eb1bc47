"""问: grounded answer composition. Every statement is a verbatim quote of a guide section.

The composer never writes a fact of its own: it picks the typed parts of the rendered guide sections
(see knowledge.catalog.render) that answer what was asked — by their aspect, never by looking for a
label in the text — and quotes them from the indexed chunks, citing each block. Only framing words
("关于…", English labels) are added, and the hand-off sentence, which is the system's own advice.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.aspects import ASPECTS, Quote
from core.lang import Lang, localise, to_simplified
from knowledge.catalog import Catalog
from knowledge.documents import Record
from knowledge.schema import OneThing

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Citation:
    source_id: str
    title: str
    quote: str

    def to_dict(self) -> dict:
        return {"source_id": self.source_id, "title": self.title, "quote": self.quote}


@dataclass(frozen=True)
class Statement:
    label: str  # aspect key, e.g. "materials"; used for English labels and by the UI
    quote: str
    citation: Citation


@dataclass
class Composition:
    statements: list[Statement] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # aspects asked for that the guide does not cover

    @property
    def citations(self) -> list[Citation]:
        seen, out = set(), []
        for s in self.statements:
            key = (s.citation.source_id, s.citation.quote)
            if key not in seen:
                seen.add(key)
                out.append(s.citation)
        return out


EN_LABELS = {
    "overview": "About this bundle",
    "services": "Services handled together",
    "eligibility": "Who can apply",
    "materials": "Materials",
    "steps": "Steps",
    "time": "Time limit",
    "deadline": "Deadline",
    "fees": "Fees",
    "channels": "Where to apply",
    "proxy": "Applying on someone's behalf",
    "cross_province": "Across provinces",
    "tolerance": "Missing materials (容缺)",
    "replaced": "What you no longer need",
    "faq": "Related Q&A",
    "service": "Service details",
    "local": "Local guide",
    "note": "Note",
}

# Framing, not a fact: when the question touches a condition (age, another province...), say why
# the quoted conditions matter before quoting them.
ELIGIBILITY_LEAD = {
    "zh": "请先对照办理条件，它们决定您的情况能否走联办：",
    "en": "Check these conditions first; they decide whether the bundle applies to your situation:",
}
MISSING_ZH = "指南中没有关于“{what}”的说明，请咨询{hotline}热线或当地政务服务中心综合窗口。"
# A general answer quotes one guide that no bundle owns: say where it is from and who decides locally.
GENERAL_CAVEAT = {
    "zh": "以上摘自已收录的办事指南，各地具体要求可能不同，请以当地政务服务中心公布的为准；如有疑问请拨打{hotline}。",
    "en": "This is quoted from an ingested service guide; local requirements may differ, so check with your local "
    "service centre or call {hotline}.",
}
MISSING_EN = "The guide does not cover {what}; please ask the {hotline} hotline or the local service centre."
ASPECT_ZH = {"proxy": "代办", "cross_province": "跨省通办", "tolerance": "容缺受理", "eligibility": "办理条件",
             "steps": "办理流程", "replaced": "减少的材料和跑动", "time": "办理时限", "fees": "收费",
             "deadline": "期限"}

SectionLookup = Callable[[str], list[Record]]
PASSAGE_KINDS = ("faq", "service", "eligibility", "replaced")

# What a question that names no aspect gets: the bundle in brief. Proxy and 容缺 are left for when asked.
OVERVIEW = (
    Quote("overview", ("summary",), label="overview"),
    Quote("services", label="services"),
    Quote("materials", label="materials"),
    Quote("time_fees", label="time"),
    Quote("deadlines", label="deadline"),
    Quote("channels", ("online", "offline", "cross_province"), label="channels"),
)
# A guide drawn from one region's practice says so (its 说明 part), whatever was asked.
SAMPLE_NOTE = Quote("overview", ("region",), label="note")

INJECTION_SENTINEL = "\x00end"
# Lines of an office's own guide that are not guide text but instructions aimed at the assistant, or a
# scam aimed at the citizen. Matched after NFKC (fullwidth letters), 繁→简 and removing zero-width
# characters, so "忽略以上所有規則" or "ｉｇｎｏｒｅ ｐｒｅｖｉｏｕｓ ｉｎｓｔｒｕｃｔｉｏｎｓ" are caught too.
_INSTRUCTION = re.compile(
    "|".join([
        # "ignore / forget / override the rules above", in Chinese and English
        r"(忽略|无视|不要理会|不用理会|忘记|忘掉|跳过|覆盖|取消|解除|绕过).{0,12}(以上|之前|前面|上述|所有|全部|系统|原有|一切)"
        r".{0,8}(指令|规则|要求|提示|设定|限制|约束)",
        r"\b(ignore|disregard|forget|override|bypass)\W+((all|any|the|your|previous|prior|above|earlier|system|these)\W+)*"
        r"(instructions?|rules|prompts?|guidelines|restrictions)",
        # posing as the system or addressing the assistant
        r"系统提示(词|[:：])|系统消息[:：]|系统指令|system prompt|system message|新指令|new instructions?|最高优先级"
        r"|highest priority",
        r"(ai助手|\bai\b|人工智能|助手|机器人|大模型|\bassistant\b|chatbot|language model)\s*[,，:：]?\s*"
        r"(请|必须|应当|应该|注意|务必|\bmust\b|\bshould\b|\bplease\b)",
        r"you are now|from now on|你现在是|从现在(开始|起)|扮演|充当|开发者模式|developer mode|jailbreak|越狱|限制已解除",
        r"<\|?im_(start|end)\|?>|\[/?(inst|system)\]|\b(system|assistant|instruction)\s*[:：]",
        # asking for secrets, or to send data or money somewhere
        r"(告诉|提供|发送|发给|发到|发至|索要|报上|转发).{0,12}(身份证号|身份证照片|银行卡号|密码|验证码|cvv)",
        r"(密码|验证码|cvv).{0,12}(告诉|提供|发送|发给|发到|发至|报给)",
        r"(发送|发给|发到|发至|转账|汇款|打款|转入).{0,20}(1[3-9]\d{9}|微信|qq|邮箱|私人账户|个人账户)",
    ]),
    re.IGNORECASE | re.MULTILINE,
)
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")


def looks_like_instruction(line: str) -> bool:
    norm = to_simplified(_INVISIBLE.sub("", unicodedata.normalize("NFKC", line)))
    return bool(_INSTRUCTION.search(norm))


_SENTENCE_END = re.compile(r"(?<=[。！？；!?\n])")
GENERAL_MAX_CHARS = 300


def _pairs(text: str) -> set[str]:
    t = to_simplified(text)
    return {t[i:i + 2] for i in range(len(t) - 1) if not any(c.isspace() or c in "，。？！、；：,.?!" for c in t[i:i + 2])}


def answering_span(text: str, question: str, max_chars: int = GENERAL_MAX_CHARS) -> str:
    """The verbatim run of 1–3 consecutive sentences of `text` that shares most character pairs with
    the question (ties: the shorter), within `max_chars` when any run fits; `text` itself when short."""
    if len(text) <= max_chars:
        return text
    sentences = [x for x in _SENTENCE_END.split(text) if x.strip()]
    asked = _pairs(question)
    best, best_key = text[:max_chars], (-1, 0)
    for i in range(len(sentences)):
        for n in (1, 2, 3):
            span = "".join(sentences[i:i + n]).strip()
            if i + n > len(sentences) or not span or (len(span) > max_chars and n > 1):
                continue
            key = (len(asked & _pairs(span)), -len(span))
            if key > best_key:
                best, best_key = span, key
    return best if best in text else text


class GroundedComposer:
    """Builds statements for a one-thing and the aspects asked about, from its guide sections."""

    def __init__(self, catalog: Catalog, section_records: SectionLookup, *, hotline: str = "12345",
                 max_passages: int = 2) -> None:
        self.catalog = catalog
        self.section_records = section_records
        self.hotline = hotline
        self.max_passages = max_passages

    # -- selection --------------------------------------------------------------------------
    def _quotes(self, o: OneThing, want: Quote) -> list[tuple[Record, str]]:
        """The wanted parts of one of `o`'s guide sections, quoted from the indexed chunks that hold them.

        Each run of consecutive wanted parts is one quote, cut where the section was split into
        chunks, so every quote is a verbatim substring of the chunk it cites."""
        section = self.catalog.section(o.id, want.section)
        if section is None:
            return []
        spans = section.spans(want.parts)
        out: list[tuple[Record, str]] = []
        pos = 0
        for rec in self.section_records(section.source_id):
            at = section.text.find(rec.text, pos)
            if at < 0:
                # The index predates an edit of this guide: quote only what the chunk still says verbatim.
                log.warning("index older than the guide for %s: re-ingest", rec.chunk_id)
                out += [(rec, section.text[s:e]) for s, e in spans if section.text[s:e] in rec.text]
                continue
            pos, end = at + 1, at + len(rec.text)
            out += [(rec, section.text[max(s, at):min(e, end)]) for s, e in spans if max(s, at) < min(e, end)]
        return out

    def _add(self, comp: Composition, label: str, blocks: list[tuple[Record, str]]) -> bool:
        added = False
        for rec, quote in blocks:
            if not quote or quote not in rec.text:  # the invariant: quotes are verbatim substrings
                log.error("dropping non-verbatim quote for %s", rec.chunk_id)
                continue
            if any(s.quote == quote and s.citation.source_id == rec.chunk_id for s in comp.statements):
                continue
            comp.statements.append(Statement(label, quote, Citation(rec.chunk_id, rec.title, quote)))
            added = True
        return added

    def compose(self, o: OneThing, aspects: list[str], passages: list[Record],
                local: list[Record] | None = None, topic_words: set[str] | None = None) -> Composition:
        """Statements for `o`; `local` are passages from an office's own ingested guides.

        `topic_words` are the question's content words (assistant.aspects.content_words): a
        retrieved passage is quoted only if it shares one, so "那要多久？" gets the time limit and
        nothing else, while "残疾证收工本费吗" also gets the service section that names 工本费.
        """
        comp = Composition()
        if not aspects:
            for want in OVERVIEW:
                self._add(comp, want.label, self._quotes(o, want))
        for aspect in aspects:
            ok = False
            for want in ASPECTS[aspect][0]:
                ok = self._add(comp, want.label or aspect, self._quotes(o, want)) or ok
            if not ok:
                comp.missing.append(aspect)
        # The passages retrieval ranks highest inside the bundle answer what the fixed sections may
        # not: a service's own conditions, time and fees, or the FAQ closest to the question.
        words = {w for w in (topic_words or set()) if w not in o.name}
        ranked = [p for p in passages if p.one_thing_id == o.id and p.kind in PASSAGE_KINDS]
        on_topic = [p for p in ranked if any(len(w) >= 2 and w in p.text for w in words)]
        # A question with a topic of its own may also take retrieval's best passages (English words
        # never occur in the Chinese guides); an elliptical follow-up takes only on-topic ones.
        if len(words) >= 2:
            on_topic += [p for p in ranked if p not in on_topic]
        for p in on_topic[: self.max_passages]:
            self._add(comp, p.kind, [(p, p.text)])
        for p in (local or [])[:1]:
            self._add(comp, "local", self._clean_blocks(p))
        if o.sample_data:
            self._add(comp, SAMPLE_NOTE.label, self._quotes(o, SAMPLE_NOTE))
        return comp

    @staticmethod
    def _clean_blocks(rec: Record) -> list[tuple[Record, str]]:
        """The longest run of lines in an office document with no instruction-like text.

        A guide is data: a planted "忽略以上规则…" line is never quoted, so it cannot reach the citizen
        dressed up as official advice."""
        best: list[str] = []
        run: list[str] = []
        for ln in rec.text.split("\n") + [INJECTION_SENTINEL]:
            if ln is INJECTION_SENTINEL or looks_like_instruction(ln):
                if len("".join(run)) > len("".join(best)):
                    best = run
                run = []
            else:
                run.append(ln)
        quote = "\n".join(best).strip()
        return [(rec, quote)] if len(quote) >= 8 and quote in rec.text else []

    def compose_general(self, passage: Record, question: str) -> Composition:
        """One statement quoting the sentences of an ingested guide passage that answer a question no
        bundle covers: the run of at most three consecutive sentences sharing the most of the question's
        character pairs (an official answer can run to a page; the citizen needs its answering part)."""
        comp = Composition()
        blocks = self._clean_blocks(passage)
        if blocks:
            rec, text = blocks[0]
            self._add(comp, "local", [(rec, answering_span(text, question))])
        return comp

    # -- rendering --------------------------------------------------------------------------
    def render_general(self, comp: Composition, lang: Lang) -> str:
        """A quoted passage of an office's own guide, with the caveat that local practice decides."""
        s = comp.statements[0]
        title = s.citation.title or s.citation.source_id
        if lang == "en":
            return (f"From the guide \"{title}\" (in Chinese, quoted): {s.quote} [1]\n"
                    + GENERAL_CAVEAT["en"].format(hotline=self.hotline))
        return localise(f"根据《{title}》：{s.quote} [1]\n" + GENERAL_CAVEAT["zh"].format(hotline=self.hotline), lang)

    def render(self, o: OneThing, comp: Composition, lang: Lang) -> str:
        cites = {(c.source_id, c.quote): n for n, c in enumerate(comp.citations, 1)}
        parts = []
        if lang == "en":
            parts.append(f"{o.name_en} ({o.name}). The official guide is in Chinese; quoted with sources:")
            for s in comp.statements:
                n = cites[(s.citation.source_id, s.quote)]
                if s.label == "eligibility" and ELIGIBILITY_LEAD["en"] not in parts:
                    parts.append(ELIGIBILITY_LEAD["en"])
                parts.append(f"{EN_LABELS.get(s.label, s.label)}: {s.quote} [{n}]")
            for m in comp.missing:
                parts.append(MISSING_EN.format(what=EN_LABELS.get(m, m).lower(), hotline=self.hotline))
            return "\n".join(parts)
        parts.append(f"关于「{o.name}」：")
        for s in comp.statements:
            n = cites[(s.citation.source_id, s.quote)]
            if s.label == "eligibility" and ELIGIBILITY_LEAD["zh"] not in parts:
                parts.append(ELIGIBILITY_LEAD["zh"])
            parts.append(f"{s.quote} [{n}]")
        for m in comp.missing:
            parts.append(MISSING_ZH.format(what=ASPECT_ZH.get(m, m), hotline=self.hotline))
        text = "\n".join(parts)
        return localise(text, lang)
