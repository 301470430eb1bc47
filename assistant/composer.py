"""问: grounded answer composition. Every statement is a verbatim quote of a guide section.

The composer never writes a fact of its own: it picks the typed parts of the rendered guide sections
(see knowledge.catalog.render) that answer what was asked — by their aspect, never by looking for a
label in the text — and quotes them from the indexed chunks, citing each block. Only framing words
("关于…", English labels) are added, and the hand-off sentence, which is the system's own advice.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import groupby

from assistant.aspects import (
    ASPECTS,
    Ask,
    Quote,
    asked_in,
    asks_validity,
    cases_named,
    conditions_in,
    of_the_case,
)
from core.lang import Lang, detect_lang, localise, to_simplified
from knowledge.catalog import Catalog
from knowledge.chunking import section_id
from knowledge.documents import Part, Record, Section
from knowledge.rendering import IF_MISSED, LEGAL_BASIS, department_span, sample_where
from knowledge.schema import Deadline, OneThing
from knowledge.text import english_stem, english_stems

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
    role: str = "lead"  # lead: answers what was asked · support: adds to it · note: the regional caveat


@dataclass(frozen=True)
class More:
    """A section of the guide the answer left out, which the reader can open (UI button, or the API's
    GET /v1/sources/{id})."""

    id: str
    label: str

    def to_dict(self) -> dict:
        return {"id": self.id, "label": self.label}


@dataclass
class Composition:
    statements: list[Statement] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # aspects asked for that the guide does not cover
    more: list[More] = field(default_factory=list)  # sections left out, for the reader to open
    lang: str = "zh"  # the language of the guide text quoted: "zh" or "en"
    overview: bool = False  # the bundle in brief (asked what it is, or too vague for anything else)
    caveat: str | None = None  # the one-thing whose guide follows one region's practice, said once
    source: str | None = None  # the one-thing whose guide a specific answer names after it, once a conversation

    @property
    def answers(self) -> list[Statement]:
        """The quotes that answer: its leads, or all of an overview (which keeps its own order, a deadline inside it)."""
        return self.statements if self.overview else [s for s in self.statements if s.role == "lead"]

    def shown_keys(self, *, answers_only: bool = False) -> list[str]:
        """What a conversation remembers this answer has shown (see `shown_key`); with `answers_only`, of its quotes
        only those that answer (`answers`)."""
        quoted = self.answers if answers_only else self.statements
        return [shown_key(s.citation.source_id, s.quote) for s in quoted] + (
            [caveat_key(self.caveat)] if self.caveat else []) + ([source_key(self.source)] if self.source else [])

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
    "lawful_route": "Who can apply",
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
    "departments": "Departments",
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
# An answer from a guide drawn from one region's practice (an overview also quotes which region).
LOCAL_CAVEAT = {"zh": "（各地做法可能不同，请以当地政务服务中心公布为准。）",
                "en": "(Practice varies by place: check with your local government service centre.)"}
# Which bundle's guide a specific answer quotes, said after the answer.
SOURCE_LINE = {"zh": "（摘自「{name}」指南）", "en": "(Source: {name} guide)"}


def source_line(o: OneThing, english: bool) -> str:
    return SOURCE_LINE["en" if english else "zh"].format(name=o.name_en if english else o.name)

# Everything the question could get was shown earlier in the conversation: say so, offer the rest.
NOTHING_NEW = {"zh": "主要内容上面已经介绍过；可以点下方按钮查看所需材料、办理时限、在哪办等详细内容，或直接问具体问题。",
               "en": "The main points are above; open the sections below for materials, time limits and where to apply, "
               "or ask a specific question."}
MISSING_EN = "The guide does not cover {what}; please ask the {hotline} hotline or the local service centre."
ASPECT_ZH = {"proxy": "代办", "cross_province": "跨省通办", "tolerance": "容缺受理", "eligibility": "办理条件",
             "steps": "办理流程", "replaced": "减少的材料和跑动", "time": "办理时限", "fees": "收费",
             "deadline": "期限", "departments": "承办部门"}

SectionLookup = Callable[[str], list[Record]]
PASSAGE_KINDS = ("faq", "service", "eligibility", "replaced")
# A question's aspect → the part of a service section (knowledge.rendering) that answers it.
# A service's own part for an aspect; which department handles it is in its first line ("service").
# "How do I apply" asks the steps and where to take them: a service's steps say what happens, its channels where.
SERVICE_PARTS = {"time": ("time",), "fees": ("fees",), "materials": ("materials",), "eligibility": ("eligibility",),
                 "steps": ("steps", "channels"), "channels": ("channels",), "departments": ("service",)}

# What "what is this bundle?" (or a question too vague for anything else) gets: the bundle in brief —
# what it is and what it bundles; materials, time, where and the rest are offered as `more`.
OVERVIEW = (
    Quote("overview", ("summary",), label="overview"),
    Quote("services", label="services"),
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


def _shares_words(text: str, question: str) -> bool:
    """Whether `text` shares a word with the question: an English one by its stems of four letters or more (two
    letters in a row say nothing in English: "Which office issues it?" and "Medical insurance benefits for
    retirees" share "ic", "ce", "is"), a Chinese one by a pair of characters."""
    if question.isascii():
        return any(len(w) > 3 for w in english_stems(text) & english_stems(question))
    return bool(_pairs(text) & _pairs(question))


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


# The sections offered as "more" below a short answer, in button order, with their labels.
# A label is also a question that asks for its section (the UI sends it as a follow-up when clicked):
# each names one of its aspect's keywords (assistant.aspects).
MORE = (("materials", {"zh": "所需材料", "en": "Materials"}), ("time_fees", {"zh": "办理时限", "en": "Time limit and fees"}),
        ("channels", {"zh": "在哪办", "en": "Where to apply"}), ("steps", {"zh": "办理流程", "en": "Steps"}),
        ("eligibility", {"zh": "办理条件", "en": "Eligibility conditions"}),
        ("services", {"zh": "联办事项", "en": "Services in the bundle"}), ("deadlines", {"zh": "期限提醒", "en": "Deadlines"}))
# How long an answer may grow with supporting quotes (characters). The quotes that answer what was
# asked are always given whole; supporting ones only while they fit. 350 is the issue's "short by
# default" for a specific question, and counts the closing lines too (which guide, that practice varies:
# `_framing`): quotes alone once left answers of 360–370 in median. A "what is this bundle" overview counts its region
# note too (it is always quoted) and gets 550: with the framing (the bundle's name, the citation marks,
# about 40–50 characters) the answer stays within the 600.
SPECIFIC_BUDGET = 350
# What a refused request may be told of its bundle's guide besides the conditions (`compose_lawful`): never the
# materials or the steps, which beside a request to fake or hide something would read as a recipe.
LAWFUL_ASPECTS = frozenset({"time", "deadline", "fees", "channels", "proxy", "cross_province", "departments"})
# What a fraud request must not get beside its refusal: the recipe.
RECIPE_ASPECTS = frozenset({"materials", "steps"})
OVERVIEW_BUDGET = 550
MAX_SUPPORT = 2
_IF_MISSED = re.compile("|".join(map(re.escape, IF_MISSED)))


def _clipped(text: str, spans: list[tuple[int, int]], rec: Record, at: int) -> list[tuple[Record, str]]:
    """The parts of `spans` (in a section's `text`) that fall in chunk `rec`, which starts at `at`: each
    a verbatim substring of the chunk."""
    end = at + len(rec.text)
    return [(rec, text[max(s, at):min(e, end)]) for s, e in spans if max(s, at) < min(e, end)]


def _department(section: Section) -> tuple[tuple[int, int], int] | None:
    """Where a service section's first line names its department, in the section's text, and where that line
    ends; None for a section without one."""
    head = section.parts[0] if section.parts and section.parts[0].aspect == "service" else None
    at = department_span(head.text, head.label) if head is not None else None
    return (at, len(head.text)) if head is not None and at is not None else None


def _department_only(section: Section, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`spans` of a service section with its first line ("X (department: D; part of the B bundle (…))", up to
    ~430 characters in English) cut to the department it names: the answer heads the quote with the service's
    name anyway, and the bundle's name is in the source line. (The indexed line stays whole: retrieval and the
    decision model read it.)"""
    found = _department(section)
    if found is None:
        return spans
    at, end = found
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if s >= end:
            out.append((s, e))
            continue
        out.append(at)
        if e > end + 1:  # the parts after the first line, from the next line on
            out.append((end + 1, e))
    return out


# What citizens call a thing and what the guides call it, for the composer's word matching: "他的退休金还在照发" asks
# about the 养老金 the guide's FAQ names. Groups of one meaning; a word finds every other. (Not 医保 / 医疗保险 or
# 户口 / 户籍: every newborn passage names one of them, and "出生证明、上户口、办医保能不能一次搞定" got the FAQ on
# births in another province.) 早点 is 提前: "我想早点退休，可以吗" asks the FAQ "能自己选择提前或推迟退休吗？".
_SAME_THING = (("退休金", "养老金"), ("低保", "最低生活保障"), ("残疾证", "残疾人证"), ("法人", "法定代表人"),
               ("老人", "老年人"), ("过世", "去世", "逝世", "身故", "逝者"), ("早点", "提前"))
_EQUIVALENT = {w: tuple(o for o in group if o != w) for group in _SAME_THING for w in group}


def _mentions(text: str, word: str) -> bool:
    """Whether a passage mentions a word of the question: English words as whole words by their stem
    ("employer" finds "employed", "fees" finds "fee"; "id" does not find "identity"); Chinese words anywhere,
    or a word for the same thing (`_SAME_THING`)."""
    if word.isascii():
        if word.isalnum():  # a question's topic words are stems already (BM25's tokens): not stemmed twice
            stems, word = english_stems(text), word.lower()
            return word in stems or english_stem(word) in stems
        return re.search(rf"\b{re.escape(word)}s?\b", text, re.IGNORECASE) is not None
    return word in text or any(w in text for w in _EQUIVALENT.get(word, ()))


# A short form's characters in order, each at most _ABBREVIATED characters after the one before.
_ABBREVIATED = 2


@functools.cache
def _short_form(word: str) -> re.Pattern[str]:
    gap = rf"[\u4e00-\u9fff]{{0,{_ABBREVIATED}}}?"
    return re.compile("(?=(" + re.escape(word[0]) + "".join(gap + re.escape(c) for c in word[1:]) + "))")


def _naming(name: str, words: set[str]) -> int:
    """How many of a question's `words` a service's name holds, as written or in short form."""
    return sum(_mentions(name, w) or _abbreviates(w, name) for w in words)


def _abbreviates(word: str, text: str) -> bool:
    """Whether a Chinese word of three characters or more is in `text` as the short form of a longer name: its characters
    in order with at most two others between them in all — 出生证明 for 出生医学证明, 社保卡 for 社会保障卡. Two characters
    are left to themselves: pairs meet by chance; nor more between: 法人 and 法定代表人 are named as one thing in
    `_SAME_THING`. Read in services' names only (`_naming`): in a passage's text a token jieba ran together finds
    words it never meant ("办残疾证" in "办了残疾人证")."""
    if len(word) < 3 or word.isascii() or word[0] not in text:
        return False
    return any(len(m.group(1)) <= len(word) + _ABBREVIATED for m in _short_form(word).finditer(text))


_ENGLISH_WORD = re.compile(r"[a-z]{4,}")
# Things named together or done together ("户口和医保能一起办吗", "外线施工的审批也能一起办吗", "can I do the hukou and the
# insurance together?"): whether they are done in one go is the services list's to say. A question naming the bundle's
# joint service as a whole ("这种开餐饮店的联办我也能用吗": who may use it) joins nothing.
_JOINED = re.compile(r"[和跟与同及、]|一起|一块|一并|一次|\band\b|\btogether\b|\bwith\b|\bin one\b", re.IGNORECASE)
# A period in figures: a deadline's clock ("出生后1个月内", "30日内"), not one left to local rules ("按当地规定的认证周期").
_FIGURE = re.compile(r"\d")


def _closeness(text: str, question: str, ignore: str = "") -> int:
    """How much of the question a line says: shared English words of four letters or more, or shared
    pairs of Chinese characters; words and pairs of `ignore` (the bundle's name, which every line of
    its guide is about) do not count."""
    if question.isascii():
        words = set(_ENGLISH_WORD.findall(question)) - set(_ENGLISH_WORD.findall(ignore.lower()))
        return sum(_mentions(text, w) for w in words)
    return len((_pairs(question) - _pairs(ignore)) & _pairs(text))


def _clear_best(scores: list[int]) -> int | None:
    """The best closeness when some item is clearly closer than another (at least one shared word, and not
    all equally close); None when none is, and all are kept."""
    best = max(scores)
    return None if best < 1 or min(scores) == best else best


def _closest_items(section: Section, want: Quote, question: str, ignore: str = "") -> Callable[[Part], bool] | None:
    """Of a section listing several items of one aspect (a bundle's deadlines), a filter keeping the
    items closest to the question, when not all are equally close; None (keep all) otherwise."""
    items = [p for p in section.parts if want.parts is None or p.aspect in want.parts]
    if not question or len(items) < 2 or len({p.aspect for p in items}) > 1:
        return None
    score = {p: _closeness(p.text, question, ignore) for p in items}
    best = _clear_best(list(score.values()))
    return None if best is None else lambda p: score.get(p, 0) == best


def _closest_lines(text: str, spans: list[tuple[int, int]], question: str, ignore: str = "",
                   budget: int = SPECIFIC_BUDGET) -> list[tuple[int, int]]:
    """Of quotes longer than a specific answer's budget (a guide's English list of conditions runs to 750
    characters, its Chinese to 200), only the lines closest to the question, when some clearly are; the
    rest of the section stays one click away (its citation). Shorter quotes, and quotes no line of which
    is closer than another, stay whole."""
    if not question or sum(e - s for s, e in spans) <= budget:
        return spans
    lines = []
    for start, end in spans:
        at = start
        for line in text[start:end].split("\n"):
            lines.append((at, at + len(line), _closeness(line, question, ignore)))
            at += len(line) + 1
    best = _clear_best([n for _, _, n in lines])
    if best is None:
        return spans
    out: list[tuple[int, int]] = []
    for start, end, n in lines:
        if n != best:
            continue
        if out and text[out[-1][1]:start] == "\n":  # the next line of a kept one: one run
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def _closest_parts(parts: tuple[Part, ...], question: str, ignore: str = "") -> set[Part]:
    """A service's first part (which service it is) and the parts closest to the question ("工本费" →
    its fees), when some share at least two of its words or character pairs other than those of `ignore`
    (the bundle's name); empty otherwise. Not its legal basis, whose law is named for the service's own words
    ("…do we need to go to the vehicle office to cancel it?" and "Provisions on the Application for and Use of Motor
    Vehicle Driving Licences"), not for what is asked (see `_head`)."""
    score = {p: _closeness(p.text, question, ignore) for p in parts[1:] if p.aspect != "legal_basis"}
    best = max(score.values(), default=0)
    return {parts[0], *(p for p, n in score.items() if n == best)} if best >= 2 else set()


def _head(section: Section, budget: int) -> set[Part]:
    """The first parts of a service section that fit in `budget` characters: its first always (which service it is,
    counted as the department it is quoted as: `_department_only`), then the others in order, but for its legal basis.
    The name of a law says nothing to someone who asked nothing of it: "My father passed away… What about his
    pension?" got the pension service's department and "Legal basis: Social Insurance Law…", the English service line
    (236 characters) and the law filling the budget; the law stays in the section, one click away."""
    parts = section.parts
    found = _department(section)
    used = found[0][1] - found[0][0] if found is not None else len(parts[0].text)
    out = {parts[0]}
    for part in parts[1:]:
        if part.aspect == "legal_basis":
            continue
        used += len(part.text) + 1
        if used > budget:
            break
        out.add(part)
    return out


_ITEM = re.compile(r"^\s*[-•·]\s*([^（(；;\n]+)", re.MULTILINE)


def _items(quote: str) -> set[str]:
    """The list items of a quote, by their head (the words before a parenthesis: "父母双方居民身份证")."""
    return {m.group(1).strip() for m in _ITEM.finditer(quote)}


def _leads_with_given(comp: Composition, earlier: list[Composition]) -> bool:
    """Whether a part's answer leads with nothing but passages an earlier part's answer led with already."""
    given = {s.citation.source_id for c in earlier for s in c.statements if s.role == "lead"}
    leads = [s for s in comp.statements if s.role == "lead"]
    return bool(leads) and all(s.citation.source_id in given for s in leads)


def _clock_stated(o: OneThing, glang: str, blocks: list[tuple[Record, str]], statements: list[Statement]) -> bool:
    """Whether every deadline a block of the deadlines list quotes has its clock ("自用工之日起1个月内") said in the answer
    already: the FAQ "劳动合同要多久内签？" answered with it, and its list line read as a repeat (of which the law that
    sets it is new: `_legal_basis`)."""
    text = "".join(q for _, q in blocks)
    clocks = [(d.what_en, d.within_en) if glang == "en" else (d.what, d.within) for d in o.deadlines]
    named = [within for what, within in clocks if what and within and what in text]
    return bool(named) and all(any(within in s.quote for s in statements) for within in named)


def _legal_basis(blocks: list[tuple[Record, str]]) -> list[tuple[Record, str]]:
    """Of a deadline line's quotes, the law that sets it ("（依据：《中华人民共和国户口登记条例》第七条）"), to the line's end
    (a chunk may end inside it); none when the line names no law."""
    for n, (rec, quote) in enumerate(blocks):
        at = min((i for i in (quote.find(m) for m in LEGAL_BASIS) if i >= 0), default=-1)
        if at >= 0:
            return [(rec, quote[at:].strip()), *blocks[n + 1:]]
    return []


def _mostly_shown(quote: str, statements: list[Statement]) -> bool:
    """Whether most of a listing quote's items are already in the answer: a service's materials list
    followed by the bundle's, which names the same documents again, reads as a repeat."""
    items = _items(quote)
    if len(items) < 2:
        return False
    shown = set().union(*(_items(s.quote) for s in statements)) if statements else set()
    return 2 * len(items & shown) >= len(items)


# A supporting quote of which at least this share (of its Chinese character pairs, or its English word stems) the
# answer quotes already says nothing new: the guide states a time limit in an FAQ, in its 办理时限 line and in the
# service's own part in nearly the same words ("常见为自受理之日起30个工作日内作出审核确认决定" three times over).
REPEAT_SHARE = 0.75


@functools.lru_cache(maxsize=4096)
def _content(text: str) -> frozenset[str]:
    """What a quote says, as `_said_again` compares it: English word stems (an English quote may name a law in
    Chinese), else Chinese character pairs. Kept per quote: the guides' quotes are few, and each support in line is
    compared with every statement before it (each read through OpenCC when Chinese)."""
    return english_stems(text) if detect_lang(text) == "en" else frozenset(_pairs(text))


def _said_again(quote: str, statements: list[Statement]) -> bool:
    """Whether the answer's statements say most of what a quote says (`REPEAT_SHARE`), in its words."""
    own = _content(quote)
    if len(own) < 3 or not statements:
        return False
    said = set().union(*(_content(s.quote) for s in statements))
    return len(own & said) >= REPEAT_SHARE * len(own)


def _repeats(quote: str, statements: list[Statement]) -> bool:
    return _mostly_shown(quote, statements) or _said_again(quote, statements)


def _service_of(s: Statement) -> str:
    """Framing for a quoted part of one service ("办理时限：即时办结"): which service it belongs to, from
    the section's title ("新生儿出生一件事 · 社会保障卡申领"), unless the quote names it already."""
    bundle, sep, service = s.citation.title.partition(" · ")
    if s.label != "service" or not sep or service in s.quote:
        return ""
    if s.quote.startswith("- "):  # list lines (one item of its materials): the service heads them
        return f"{service}:\n" if service.isascii() else f"{service}：\n"
    return f"{service} — "


# A longer lead already shown in the conversation is quoted again only as its sentences (or list lines) that
# answer the question now, at most this long: "身份证要带吗" after the materials list gets its 身份证 line.
RECALL_CHARS = 120


def section_part(catalog: Catalog, source_id: str, aspect: str) -> Part | None:
    """The first part of `aspect` (an FAQ's "question" or "answer", a service's "service" line…) of the section a
    chunk or section id belongs to; None when the catalogue does not know the section or its parts."""
    section = catalog.section_by_id(section_id(source_id))
    return next((p for p in section.parts if p.aspect == aspect), None) if section is not None else None


def faq_answer(statement: Statement, catalog: Catalog) -> Part | None:
    """Of an FAQ quote, the FAQ's answer part (found by its aspect in the section's typed parts), when the quote
    holds it; None for any other quote."""
    part = section_part(catalog, statement.citation.source_id, "answer")
    return part if part is not None and part.text in statement.quote else None


# How many of a how-to question's topic words an FAQ's own question must name to be told the same case.
SITUATION_WORDS = 3


def caveat_key(one_thing_id: str) -> str:
    """How a conversation remembers that it has said a bundle's guide follows one region's practice."""
    return f"caveat|{one_thing_id}"


def source_key(one_thing_id: str) -> str:
    """How a conversation remembers that it has named the guide its answers quote (a follow-up on the same
    bundle does not say it again; a question on another bundle does)."""
    return f"source|{one_thing_id}"


def shown_key(source_id: str, quote: str) -> str:
    """How a conversation remembers a quote it has shown (the statement, not its wording's length)."""
    import hashlib

    return f"{source_id}|{hashlib.sha1(quote.encode()).hexdigest()[:12]}"


_CLAUSE = re.compile(r"[。.，,；;：:！!？?]")


class GroundedComposer:
    """Builds statements for a one-thing and what the question asks, from its guide sections:
    the quote that answers first, at most two supporting quotes, and the rest offered as `more`."""

    def __init__(self, catalog: Catalog, section_records: SectionLookup, *, hotline: str = "12345",
                 max_passages: int = MAX_SUPPORT) -> None:
        self.catalog = catalog
        self.section_records = section_records
        self.hotline = hotline
        self.max_passages = max_passages

    # -- selection --------------------------------------------------------------------------
    def _quotes(self, o: OneThing, want: Quote, lang: str = "zh", question: str = "", narrow: str = "") -> list[tuple[Record, str]]:
        """The wanted parts of one of `o`'s guide sections, quoted from the indexed chunks that hold them.
        Of a list of items of one kind (the deadlines), only those closest to `question` when one
        clearly is; of a quote too long for a specific answer, only its lines closest to `narrow` (see
        `_closest_lines`)."""
        section = self.catalog.section(o.id, want.section, lang)
        if section is None:
            return []
        name = o.name_en if lang == "en" else o.name
        keep = _closest_items(section, want, question, name)
        return self._section_quotes(section, _closest_lines(section.text, section.spans(want.parts, keep=keep),
                                                            narrow, name))

    def _section_quotes(self, section: Section, spans: list[tuple[int, int]]) -> list[tuple[Record, str]]:
        """`spans` of a section's text quoted from the indexed chunks that hold them: each run is cut
        where the section was split into chunks, so every quote is a verbatim substring of its chunk."""
        out: list[tuple[Record, str]] = []
        pos = 0
        for rec in self.section_records(section.source_id):
            at = section.text.find(rec.text, pos)
            if at < 0:
                # The index predates an edit of this guide: quote only what the chunk still says verbatim.
                log.warning("index older than the guide for %s: re-ingest", rec.chunk_id)
                out += [(rec, section.text[s:e]) for s, e in spans if section.text[s:e] in rec.text]
                continue
            pos = at + 1
            out += _clipped(section.text, spans, rec, at)
        return out

    def _add(self, comp: Composition, label: str, blocks: list[tuple[Record, str]], role: str = "lead") -> bool:
        added = False
        for rec, quote in blocks:
            if not quote or quote not in rec.text:  # the invariant: quotes are verbatim substrings
                log.error("dropping non-verbatim quote for %s", rec.chunk_id)
                continue
            if any(s.quote == quote and s.citation.source_id == rec.chunk_id for s in comp.statements):
                continue
            comp.statements.append(Statement(label, quote, Citation(rec.chunk_id, rec.title, quote), role))
            added = True
        return added

    def guide_lang(self, o: OneThing, lang: Lang) -> str:
        """The language of the guide text an answer quotes: English when asked in English and the guide
        has its English text (indexed), else Chinese (Traditional answers are the Chinese text, converted)."""
        return "en" if lang == "en" and o.en is not None and self._quotes(o, OVERVIEW[0], "en") else "zh"

    @staticmethod
    def _topic_words(o: OneThing, ask: Ask, glang: str, passages: list[Record]) -> set[str]:
        """The question's own topic words that can tell its passages apart: two characters or more, and
        not part of the bundle's name (every passage of the bundle "shares" those). A Chinese word of three
        characters that none of the bundle's `passages` uses is read without its last character, the head of the
        compound, when they use that ("丧葬费" → 丧葬, which finds 丧葬补助金), as English words are read by their
        stems. (A longer one cut so is no word: "公司注销" → "公司注" found "公司注册".)"""
        name = o.name_en.lower() if glang == "en" else o.name
        texts = [p.text for p in passages if p.one_thing_id == o.id]

        def used(w: str) -> str:
            if len(w) != 3 or w.isascii() or any(w in t for t in texts):
                return w
            return w[:-1] if any(w[:-1] in t for t in texts) else w

        return {u for u in map(used, ask.topic_words) if len(u) >= 2 and u not in name}

    def _on_topic(self, o: OneThing, ask: Ask, passages: list[Record], glang: str,
                  words: set[str]) -> list[tuple[Record, int]]:
        """Retrieved passages of this bundle (a service, an FAQ…) that may answer the question, in retrieval's
        order, with how many of the question's topic words each shares. Retrieval (dense and BM25 within the
        bundle) ranks them: a count of shared words misses paraphrase and most English (measured: the key fact
        in the first 150 characters 218 → 224 of 272 on the development sets, against sorting by the count). A
        question with a topic of its own (two words or more) takes them all; an elliptical follow-up ("那要多久？")
        only those sharing a word with it. A passage of another kind than a service or an FAQ joins only when
        its aspect is asked ("条件" → the eligibility section)."""
        kinds = {"faq", "service"} | ({"eligibility"} & set(ask.aspects)) | ({"replaced"} & set(ask.aspects))
        if not ask.aspects:
            kinds |= set(PASSAGE_KINDS)
        ranked = [p for p in passages if p.one_thing_id == o.id and p.kind in kinds
                  and p.metadata.get("lang", "zh") == glang]
        shared = {p.chunk_id: sum(_mentions(p.text, w) for w in words) for p in ranked}
        keep = ranked if len(words) >= 2 else [p for p in ranked if shared[p.chunk_id]]
        return [(p, shared[p.chunk_id]) for p in keep]

    @staticmethod
    def _enough(words: set[str]) -> int:
        """How many of the question's topic words a passage must share to decide it: two, or its only one."""
        return max(1, min(2, len(words)))

    def _named_in_question(self, rec: Record, words: set[str]) -> int:
        """How many of `words` an FAQ passage's own question names (not its answer)."""
        asked = self._faq_question(rec)
        return sum(_mentions(asked, w) for w in words)

    def _named_in_service(self, rec: Record, words: set[str]) -> int:
        """How many of `words` a service passage's name holds (0 when the catalogue does not know its parts)."""
        return sum(_mentions(self._service_name(rec), w) for w in words)

    def _service_missed(self, o: OneThing, ask: Ask, glang: str, words: set[str], on_topic: list[Record],
                        first: Record | None) -> Record | None:
        """The one service a question is only about, named short form and all, when retrieval missed it and a service's
        part would answer (`first`, a service or None): "娃的出生证明去哪里开" is 出生医学证明首次签发's, whose window is the
        maternity hospital's; retrieval found the registration's.

        Its name must hold every topic word of the question but those of the bundle's life events (宝宝, baby):
        "出生证明上名字写错了" asks about a correction (tried with any word named: 7 development answers of 23 got worse).
        And one at least: "育儿补贴怎么领" names the bundle, not its one service. Not for things named together ("宝宝出生证明
        和上户口": the registration's materials hold the birth certificate too). The words of the bundle's name count
        in telling services apart: "medical birth certificate" is that service, not the two other "medical" ones."""
        if ask.whole or _JOINED.search(ask.text) or not any(ask.leads(a) and a in SERVICE_PARTS for a in ask.aspects):
            return None
        naming_words = {w for w in ask.topic_words if len(w) >= 2}
        named, naming = self._named_service(o, glang, naming_words)
        if named is None or named.source_id in {p.source_id for p in on_topic}:
            return None
        events = " ".join(o.life_events_en if glang == "en" else o.life_events).lower()
        required = {w for w in words if not _mentions(events, w)}
        name = self._service_name(named)
        alone = _naming(name, words) > 0 and _naming(name, required) == len(required)
        return named if alone and naming > _naming(self._service_name(first), naming_words) else None

    def _service_name(self, rec: Record | None) -> str:
        """A service passage's name ("" for no passage, or when the catalogue does not know its parts)."""
        name = section_part(self.catalog, rec.source_id, "service") if rec is not None else None
        return name.label if name is not None else ""

    def _named_service(self, o: OneThing, glang: str, words: set[str]) -> tuple[Record | None, int]:
        """The first record of the one service of `o` whose name holds the most of `words`, and how many it holds
        (None for none, or for a tie)."""
        services = o.en.services if glang == "en" and o.en is not None else o.services
        named = sorted(((_naming(s.name, words), s.id) for s in services), reverse=True)
        if not named or named[0][0] == 0 or (len(named) > 1 and named[1][0] == named[0][0]):
            return None, 0
        suffix = "" if glang == "zh" else f"@{glang}"
        return next(iter(self.section_records(f"{o.id}#svc-{named[0][1]}{suffix}")), None), named[0][0]

    def _answer_only(self, blocks: list[tuple[Record, str]]) -> list[tuple[Record, str]]:
        """An FAQ's quotes cut to its answer, without the question and the answer's label, when one chunk holds
        the whole answer line (else unchanged)."""
        for rec, quote in blocks:
            part = section_part(self.catalog, rec.source_id, "answer")
            if part is None or len(part.lines) != 1 or part.text not in quote:
                continue
            line = part.text
            answer = line[len(part.label):].lstrip(":： ") if line.startswith(part.label) else line
            # An answer opening with a bare verdict ("可以。", "要辦。", "Yes.", "Usually not.") answers the FAQ's own
            # question, which may differ from the citizen's in what decides it: it keeps its question.
            opening = _CLAUSE.split(answer, maxsplit=1)[0].strip()
            bare = len(opening.split()) <= 3 if opening.isascii() else len(opening) <= 6
            return [(rec, answer)] if answer and not bare else blocks
        return blocks

    @staticmethod
    def _faq_for_service(scored: list[tuple[Record, int]], need: int,
                         fits: Callable[[Record, int], bool] | None = None) -> Record:
        """Retrieval's best on-topic passage, or, when that is a service, the first FAQ sharing nearly as many of the
        question's words (and enough to decide it) that `fits` (given the FAQ and how many words it shares): a
        service's parts say what it needs, an FAQ answers a question."""
        top, shares = scored[0]
        if top.kind != "service":
            return top
        return next((p for p, n in scored[1:] if p.kind == "faq" and n >= max(need, shares - 1)
                     and (fits is None or fits(p, n))), top)

    def _name(self, rec: Record) -> str:
        """The name of the bundle a passage belongs to, in the passage's language ("" for none): every part of
        its guide is about it, so its words tell no part from another."""
        o = self.catalog.get(rec.one_thing_id or "")
        if o is None:
            return ""
        return o.name_en if rec.metadata.get("lang", "zh") == "en" else o.name

    def _faq_question(self, rec: Record) -> str:
        """An FAQ passage's own question (its whole text when the catalogue does not know its parts)."""
        asked = section_part(self.catalog, rec.source_id, "question")
        return asked.text if asked is not None else rec.text

    def compose(self, o: OneThing, ask: Ask, passages: list[Record], *, local: list[Record] | None = None,
                lang: Lang = "zh-Hans", shown: frozenset[str] | set[str] = frozenset(),
                focus: str | None = None) -> Composition:
        """Statements for `o`, the answer first; `local` are passages from an office's own guides and
        `shown` the quotes this conversation has already shown (`shown_key`), which are not repeated
        unless they are the answer to what is asked now; `focus` is the section the conversation's last
        answer led with.

        Leads: for a yes/no question the on-topic FAQ or passage that decides it; the part for each
        aspect asked ("带什么" → the materials list; a two-part question gets both); with no aspect, the
        best on-topic passage; the overview (summary and services) only for "what is it", a vague question
        or a first message that only states its life event (with the guide's first deadline). Then at most
        two supporting quotes within the length budget, and the sections left out as `more`."""
        glang = self.guide_lang(o, lang)
        comp = Composition(lang=glang)
        # A first message telling what happened and asking only what to do now ("我爸上周去世了，要办什么", "We just had a
        # baby, what should we do?") is answered as one that only tells it: the services list alone (in English 1,100
        # characters), the conditions or an FAQ ranked first left out the summary and the deadline the event started.
        told = not shown and ask.what_to_do
        if told:
            ask = replace(ask, aspects=[], asked=frozenset())
        # A yes/no question about one item of a long list ("Can I still retire on time if…") is answered by the
        # item's line, not the 750-character list; a question asking for the list ("带什么材料") gets all of it.
        narrow = ask.text if ask.yes_no else ""
        words = self._topic_words(o, ask, glang, passages)
        scored = self._on_topic(o, ask, passages, glang, words)
        on_topic = [p for p, _ in scored]
        # A yes/no question is decided by retrieval's best passage (an FAQ or a service) when it shares at least
        # two of its words (or its only one); the aspect parts then support it.
        need = self._enough(words)
        faq_first = bool(ask.yes_no and scored and scored[0][1] >= need)
        if faq_first and "services" in ask.aspects and ask.leads("services") and _JOINED.search(ask.text):
            # Whether things are done together ("户口和医保能一起办吗") is decided by the services list,
            # unless an FAQ asks the same in its own question ("户口和医保能跟报到一起办吗？答：可以……"):
            # one that names them only in its answer is about something else (超过1周岁还能办吗).
            top = scored[0][0]
            faq_first = top.kind == "faq" and self._named_in_question(top, words) >= need
        decider = scored[0][0] if faq_first else None
        if decider is not None and not ask.aspects:
            # Asked whether something happens, with no aspect named ("Do we have to go to the police station to cancel
            # her hukou, or is it automatic?"), a service's parts (its department, materials…) do not say yes or no;
            # an FAQ sharing nearly as many words usually does ("the police station cancels it from the shared data").
            decider = self._faq_for_service(scored, need)
        if decider is not None and ask.asked and not ask.asked & asked_in(self._faq_question(decider)):
            # Of FAQs sharing as many words or more, one asking what is asked decides it ("does the repair cost money?":
            # the FAQ on paid deletion offers, not the one on other websites updating their records).
            asking = next((p for p, n in scored if n >= scored[0][1] and p.kind == "faq"
                           and ask.asked & asked_in(self._faq_question(p))), None)
            # With none, a question of what it costs or how long it takes ("Does getting a disability certificate
            # cost anything?") is answered by the guide's fee or time part, not by an FAQ on something else.
            faq_first = asking is not None or not ask.asked <= {"fees", "time", "deadline"}
            decider = (asking or decider) if faq_first else None
        # A question about one of the bundle's services ("食品经营许可要多久") is answered by that
        # service's own part for the aspect asked; the bundle's part for it supports.
        # (the first service, in retrieval's order, of those sharing the most of its words with any passage: a
        # migrant family's "main document" is the residence-permit check's, ranked fifth but naming them).
        # Of services sharing as many words, the one whose name the question names most ("…how long until we get the
        # updated business licence?": the licence's change, not the tax registration's ranked above it).
        most = max((n for _, n in scored), default=0)
        tied = [p for p, n in scored if p.kind == "service" and n == most > 0] \
            if any(ask.leads(a) and a in SERVICE_PARTS for a in ask.aspects) and not ask.whole else []
        service = max(tied, key=lambda p: self._named_in_service(p, words)) if tied else None
        if service is None and focus and not words and not ask.whole and focus.startswith(f"{o.id}#svc-") \
                and any(ask.leads(a) and a in SERVICE_PARTS for a in ask.aspects):
            # A follow-up naming nothing ("Which office issues it?", "那要多久") after an answer that led with one
            # service asks about that service: its own part, not the whole bundle's list.
            service = next(iter(self.section_records(section_id(focus))), None)
        # Else an FAQ whose own question is on the same topic and asks for the same aspect ("老人多大年龄可以领高龄津贴"
        # for "老人多大岁数开始能领高龄补贴": 老人, 高龄; the age) answers it, whatever kind of question it is; naming
        # the question's only topic word is enough ("and how long is it valid?": the licence's validity FAQ).
        asked_now = ask.asked or frozenset(ask.aspects)
        wanted = asked_now
        if "time" in wanted:
            # "最多可以拖多久" and "多久之内要处理好" ask the same: how long one may take. Not the other way round: a
            # deadline asked ("户口多久之内要上", "上户口晚了会怎样") is no question of how long the office takes, which an FAQ
            # on time ("社保卡和户口簿多久能拿到") answers.
            wanted = wanted | {"deadline"}
        # (How long a licence stays valid is a deadline too, but no answer to how long it takes to get one.)
        validity = asks_validity(ask.text)
        # Neither rule takes an FAQ about a special case a first question does not name: "孩子在外省出生，还能用出生一件事
        # 一次办吗？" asks about births in another province, not what there is to do after any birth. (In a follow-up
        # the turns before may have named it: "我们是外地户口…", then "主要看啥证件".) Nor one about lacking something
        # ("没有领结婚证，能走联办吗？") a question neither negates nor shares a word with ("刚生完孩子…户口一起办了吗").
        def of_this_case(p: Record) -> bool:
            return bool(shown) or of_the_case(self._faq_question(p), ask.text, ask.aspects,
                                              self._named_in_question(p, words) > 0)

        same = next((p for p in on_topic if p.kind == "faq" and wanted & asked_in(self._faq_question(p))
                     and asks_validity(self._faq_question(p)) <= validity and of_this_case(p)
                     and self._named_in_question(p, words) >= need), None) \
            if wanted and not faq_first else None
        # Before those rules of counted words: retrieval's best on-topic passage when it is an FAQ whose own question
        # asks the very aspect asked (not time for a deadline: "how long is it valid" is no processing time). A
        # service's long text names more words ("administrator… joint check… results") than the FAQ "How soon do
        # we get the results?" that answers. (Development sets: first-150 +8 facts of 400, recall +3; judge unchanged.)
        top_faq = on_topic[0] if (asked_now and not faq_first and on_topic and on_topic[0].kind == "faq"
                                  and asked_now & asked_in(self._faq_question(on_topic[0]))
                                  and of_this_case(on_topic[0])) else None
        # Else, for a yes/no question, an on-topic FAQ about the same special case, named in passing by both ("我家老大
        # 上个月刚满3岁，还能领吗" and "孩子超过3岁了还能领吗？": an age; another province; missing papers).
        case = ask.conditions
        top, shares = scored[0] if scored else (None, 0)
        # (Not one that asks something else than an aspect asked: "孩子刚出生，我老公在外地，我一个人能办吗" asks whether one
        # parent may act alone, the 代办 part; the FAQ on a birth in another province shares only 外地's case.)
        alike = top if (case and ask.yes_no and not faq_first and top is not None and top.kind == "faq" and shares > 0
                        and conditions_in(self._faq_question(top)) == case
                        and (not ask.asked or ask.asked & asked_in(self._faq_question(top)))) else None
        # A how-to question that first tells its case ("公司注册两年了一直没开张 想注销掉 要怎么操作") is answered for that case
        # by an FAQ sharing as many of its words as retrieval's best passage, whose own question tells the same case in
        # three of its words or more ("公司注册后一直没开业，可以走简易注销吗？": the simplified route, its 20-day notice), not
        # by the bundle's steps for every case, which support. Before a service sharing as many ("…never did any
        # business… How do we close it through the simplified route without forming a liquidation group?": the
        # liquidation filing's steps and the FAQ on a company that never traded share seven words each).
        case_faq = next((p for p, n in scored if p.kind == "faq" and n >= shares), None)
        situated = case_faq if (ask.aspects == ["steps"] and not faq_first and case_faq is not None
                                and self._named_in_question(case_faq, words) >= SITUATION_WORDS
                                and of_this_case(case_faq)
                                and cases_named(self._faq_question(case_faq)) <= ask.conditions) else None
        first = decider if faq_first else top_faq or situated or service or same or alike
        if (first is None or first.kind == "service") and not faq_first:
            first = self._service_missed(o, ask, glang, words, on_topic, first) or first
        if first is None and validity and most == 0:
            # "那证能管几年" after a restaurant answer names nothing any passage names: the guide's one FAQ on how long
            # something stays valid answers it (with two, the question would have to say which; "健康证能管几年" names
            # what it asks about, and the passages naming it answer).
            valid = [p for p in on_topic if p.kind == "faq" and asks_validity(self._faq_question(p))]
            first = valid[0] if len(valid) == 1 else None
        lead_blocks = self._passage_quotes(first, [a for a in ask.aspects if ask.leads(a)], ask.text, narrow) \
            if first is not None else []
        # An FAQ whose own question asks what is asked ("How long do we have to cancel his hukou?": "Within what time
        # must the household registration be cancelled?") leads with its answer alone: the citizen asked that question
        # already, and an English FAQ's question took ~70 of the first 150 characters. One chosen for sharing the
        # question's words keeps its question, so the reader sees what it answers. (Development sets: English median
        # answer 464/493/523/436 -> 431/443/504/398 characters, no key fact lost.)
        if first is not None and first.kind == "faq" and asked_now & asked_in(self._faq_question(first)):
            lead_blocks = self._answer_only(lead_blocks)
        passage_first = first is not None and self._add(comp, first.kind, self._unseen_department(lead_blocks, shown))
        # A two-part question ("開餐廳要辦哪些證？消防檢查一定要嗎"): an FAQ deciding one part does not answer an aspect
        # asked that its own question does not ask; that aspect's part is quoted whatever the length budget.
        decided = asked_in(self._faq_question(first)) if passage_first and first.kind == "faq" else None
        supports: list[tuple[str, list[tuple[Record, str]]]] = []
        required: list[list[tuple[Record, str]]] = []
        # A condition the question states in passing about one service ("我妈65岁了，高龄补贴怎么领": an age) decides
        # whether the service's steps apply at all: that service's own conditions support first ("达到当地规定的高龄年龄线
        # （多地为80周岁以上）" beside the allowance's steps), instead of the bundle's eligibility for all of its services.
        # (Labelled as the service's part: ELIGIBILITY_LEAD speaks of the bundle, "whether it applies to you".)
        # (Not when the lead is those conditions already: "我家孩子才5岁，能办社保卡吗？" is led by them, and the bundle's
        # eligibility adds who applies for a minor.)
        own_conditions = [(r, q) for r, q in self._passage_quotes(first, ["eligibility"], ask.text)
                          if not any(s.quote == q for s in comp.statements)] \
            if "eligibility" in ask.conditions and passage_first and first.kind == "service" else []
        for aspect in ask.aspects:
            first, *rest = ASPECTS[aspect][0]
            blocks = self._quotes(o, first, glang, ask.text, narrow)
            if passage_first or not ask.leads(aspect):
                if not (own_conditions and aspect == "eligibility"):
                    supports.append((first.label or aspect, blocks))
                if decided is not None and ask.leads(aspect) and aspect not in decided:
                    required.append(blocks)
                ok = bool(blocks)
            else:
                ok = self._add(comp, first.label or aspect, blocks)
            for want in rest:
                blocks = self._quotes(o, want, glang, ask.text, narrow)
                ok = ok or bool(blocks)
                supports.append((want.label or aspect, blocks))
            if not ok and ask.leads(aspect):
                comp.missing.append(aspect)
        if not comp.statements and not on_topic and not ask.what_is and shown and all(
                shown_key(r.chunk_id, q) in shown for want in OVERVIEW for r, q in self._quotes(o, want, glang)):
            # A follow-up naming nothing a passage names, after the overview ("她一定要跟我一起去吗": 一定, 跟) would get
            # the overview again, all of it shown ("the main points are above"): retrieval's passages of the bundle
            # answer it instead, the first not shown (the FAQ on an operator who cannot come in person).
            on_topic = [p for p in passages if p.one_thing_id == o.id and p.kind in ("faq", "service")
                        and p.metadata.get("lang", "zh") == glang]
            scored = [(p, 0) for p in on_topic]
        # A first message that asks nothing states its life event (see below).
        stated = (not shown and ask.states_only) or told
        overview = not comp.statements and (ask.what_is or not on_topic)
        if not overview and not comp.statements and on_topic:
            # Nothing asked for by name: retrieval's best on-topic passage. When it shares no word with the question
            # either ("我老伴也要单独办吗"), the first this conversation has not shown: the top one was the last answer,
            # and nothing says it answers this one. (One sharing a word is quoted again: "what are the three zeros?")
            # (Nor does a service's list of parts say how something works: "How does that work if she can't get to the
            # hospital?" is answered by the FAQ on home assessments, not the certificate service's 1,000 characters;
            # one whose own question names the question's words, not only its answer: "what will they look at" on a
            # home visit is not "How long does it take for a dibao application to be approved?" — or one sharing clearly
            # more of them, two or more beyond the service: "Will he be allowed to start grade one … or wait a year?" is
            # answered by the FAQ on a child who turns 6 late (start, year, wait), not the service's department line.)
            # (A list or a service ranked best while sharing no word is ranked for its meaning alone, when another
            # on-topic passage shares enough: "How does she renew it?" of a lapsed temporary treatment filing ranked the
            # list of what bundling replaced, its paying first and reimbursing later, above the temporary filing service
            # naming "temporary", "filing" and "hospital"; "个体户可唔可以直接换负责人" the bundle's conditions above the FAQ
            # "个体户换经营者，还要先把原来的执照注销吗". The passages sharing most come first, in retrieval's order. An FAQ
            # ranked best is kept: its own question often says the same in other words — "Grandma raises our kid, can
            # she claim the subsidy?" and "The grandparents look after our child. Can they apply for us?")
            if scored[0][1] == 0:
                sharing = max(n for _, n in scored)
                ranked = sorted(scored, key=lambda pn: -pn[1]) \
                    if sharing >= need and scored[0][0].kind != "faq" else scored
                tried = [p for p, _ in ranked[:self.max_passages + 1]]
            else:
                tried = [self._faq_for_service(scored, need, lambda p, n: self._named_in_question(p, words) >= need
                                               or n >= scored[0][1] + 2)
                         if not ask.aspects else on_topic[0]]
            quoted = [(p, self._passage_quotes(p, ask.aspects, ask.text, narrow)) for p in tried]
            best, blocks = next(((p, b) for p, b in quoted if any(shown_key(r.chunk_id, q) not in shown for r, q in b)),
                                quoted[0])
            # A first message that asks nothing ("我们工作室刚招了3个人，下周一正式入职", "Just had our 2nd baby last night")
            # states the life event: what the bundle is and what it covers answer it, not its conditions or the list
            # of what bundling replaced, which rank first for want of anything asked, nor a service, which says little
            # more than its department and legal basis when nothing is asked of it ("husband had a stroke… no income
            # coming in": "Temporary assistance — department: Civil affairs bureau"; "I'm retiring next month": 1,470
            # characters of one service's conditions), nor — in English sharing no word with any passage ("My father
            # passed away last week.": the guide says "dies") — whatever retrieval ranked first. (An FAQ ranked first
            # answers a stated problem: "出差时住了院没做备案"; other section kinds stay as they were, unmeasured.)
            # (Asked what to do, an FAQ answers only when its own question names the words of what happened and no
            # special case the message does not name: not "Someone in my family died, what now?" and the FAQ on
            # relatives living in another city, nor "孩子出生了要办什么" and the one on a birth in another province.)
            overview = stated and (
                best.kind in ("eligibility", "replaced", "service") or (glang == "en" and not any(n for _, n in scored))
                or ask.intends
                or (told and not (best.kind == "faq" and self._named_in_question(best, words) >= need
                                  and of_this_case(best))))
            if not overview:
                self._add(comp, best.kind, self._unseen_department(blocks, shown))
        if overview:
            comp.overview = True
            # Someone who states the life event hears what must not be missed: the guide's first deadline — first of
            # all when it is a clock the event has started, a period in figures ("出生后1个月内", "within 30 days of
            # discharge": on a phone, the first line), else right after what the bundle is ("按当地规定的认证周期" says
            # less than the summary). Either way above the list of services.
            life = self._life_deadline(o) if stated else None
            deadline = self._first_deadline(o, glang) if life is not None else []
            # (A plan told, "准备注册一家公司", has started no clock yet: what the bundle is comes first.)
            clock = life is not None and bool(deadline) and _FIGURE.search(life.within) is not None and not ask.intends
            if clock:
                self._add(comp, "deadline", deadline, role="support")
            for want in OVERVIEW:  # not a fact asked for: never shown twice
                blocks = [(r, q) for r, q in self._quotes(o, want, glang) if shown_key(r.chunk_id, q) not in shown]
                if want is OVERVIEW[1] and sum(len(s.quote) for s in comp.statements) \
                        + sum(len(q) for _, q in blocks) > OVERVIEW_BUDGET:
                    # The summary names the services; a list that would take the answer past its budget (in English,
                    # where it names each department in full: 570–1,050 characters after a summary of 450–700) is one
                    # click away. (A Chinese summary and list fit: 240–420 characters.) To a stated life event the
                    # summary and the deadline answer.
                    continue
                self._add(comp, want.label, blocks)
                if want is OVERVIEW[0] and deadline and not clock:
                    self._add(comp, "deadline", deadline, role="support")
        self._recall(comp, ask.text, shown)
        # Retrieval's on-topic passages support before the aspect's extras (a deadline beside a time
        # limit): a service's own time limit is closer to the question than the bundle's.
        passage_blocks = [(p.kind, self._passage_quotes(p, ask.aspects, ask.text, narrow))
                          for p in on_topic[:self.max_passages + 1] if not (p.kind == "eligibility" and own_conditions)]
        # An office's own guide that ranks near the top speaks of this place: it supports first.
        local_blocks = [("local", self._clean_blocks(p)) for p in (local or [])[:1]]
        own = [("service", own_conditions)] if own_conditions else []
        supports = local_blocks + own + (supports + passage_blocks if passage_first else passage_blocks + supports)
        # A guide drawn from one region's practice says so, once per conversation: the overview quotes which region
        # its note names; every such answer ends with the one-line caveat that practice varies by place (the note's
        # own longer words for it cost an English overview 104 characters of its 600).
        where = sample_where(o, glang)
        note = [(r, q[:q.index(where) + len(where)] if where in q else q) for r, q in self._quotes(o, SAMPLE_NOTE, glang)
                if shown_key(r.chunk_id, q) not in shown] if o.sample_data and caveat_key(o.id) not in shown else []
        # Supporting quotes: new to this conversation, at most two, within the budget (an overview's
        # includes the note it will quote).
        budget = OVERVIEW_BUDGET - self._framing(o, lang, shown, source=False) if overview \
            else SPECIFIC_BUDGET - self._framing(o, lang, shown)
        used = sum(len(s.quote) for s in comp.statements) + (sum(len(q) for _, q in note) if overview else 0)
        n_support = 0
        for label, blocks in supports:
            fresh = [(r, q) for r, q in blocks if shown_key(r.chunk_id, q) not in shown
                     and not any(s.citation.source_id == r.chunk_id and s.quote in q for s in comp.statements)
                     and not _repeats(q, comp.statements)]
            if label == "deadline" and _clock_stated(o, glang, fresh, comp.statements):
                fresh = _legal_basis(fresh)
            size = sum(len(q) for _, q in fresh)
            over = used + size > budget and not any(blocks is r for r in required)
            if not fresh or n_support >= self.max_passages or over:
                continue
            if self._add(comp, label, fresh, role="support"):
                used, n_support = used + size, n_support + 1
        comp.source = o.id if source_key(o.id) not in shown else None
        if o.sample_data and caveat_key(o.id) not in shown:
            if overview and note:
                self._add(comp, SAMPLE_NOTE.label, note, role="note")
            comp.caveat = o.id
        comp.more = self._more(o, comp, glang)
        return comp

    def compose_parts(self, o: OneThing, parts: list[tuple[Ask, list[Record]]], *, local: list[Record] | None = None,
                      lang: Lang = "zh-Hans", shown: frozenset[str] | set[str] = frozenset(),
                      focus: str | None = None, alone: Callable[[int], list[Record]] | None = None) -> Composition | None:
        """A message asking two or three things ("育儿补贴一年给多少钱？孩子户口还没上 能先申请吗"; `parts`: each question's
        Ask and retrieval's passages for it, within `o`): each composed as a question of its own, each part's answer
        first in the order asked, then their supporting quotes within one answer's length budget. Read as one
        question, the aspects of one part decided what answered the other ("能先申请吗" got no FAQ: the fees part led
        and the yes/no went unanswered). None when a part finds only the overview, which it did not ask for.

        Retrieval for a part searches with the whole message's vector (embedding each part would double a two-part
        answer's time), which can find for a later part what an earlier one asked: then that part is composed again
        from `alone(i)`, retrieval for part i on its own vector ("新請嘅同事幾耐之內要簽勞動合同？佢份檔案可唔可以自己攞過嚟？"
        found the contract's deadline for the personnel file, and the file went unanswered)."""
        comps: list[Composition] = []
        seen = set(shown)
        for i, (ask, passages) in enumerate(parts):
            # A later part does not repeat what an earlier one answered with, unless it is that part's answer too. (Not
            # what an earlier part would add in support, which may not fit the answer: quoted as the later part's
            # answer, it was cut to the sentences an answer shown already is recalled by, its question dropped.)
            comp = self.compose(o, ask, passages, local=None if comps else local, lang=lang, shown=frozenset(seen),
                                focus=focus)
            if comps and alone is not None and _leads_with_given(comp, comps):
                comp = self.compose(o, ask, alone(i), lang=lang, shown=frozenset(seen), focus=focus)
            comps.append(comp)
            seen |= set(comp.shown_keys(answers_only=True))
            if comps[-1].overview and not ask.what_is:
                # A part that finds nothing of its own ("有什么是一定要我本人做的？" beside "可以找代办吗？") gets the
                # overview: the message is better read as one question (None).
                return None
        comp = Composition(lang=comps[0].lang, overview=any(c.overview for c in comps))

        def add(s: Statement) -> None:
            # Not what another part quoted already, whole or in part (an FAQ's answer alone after the FAQ), nor a list
            # whose items it mostly showed.
            if not any(t.citation.source_id == s.citation.source_id and (t.quote in s.quote or s.quote in t.quote)
                       for t in comp.statements) and not _repeats(s.quote, comp.statements):
                comp.statements.append(s)

        answers = [c.answers for c in comps]
        for statements in answers:
            for s in statements:
                add(s)
        comp.source = next((c.source for c in comps if c.source), None)
        comp.caveat = next((c.caveat for c in comps if c.caveat), None)
        budget = OVERVIEW_BUDGET - self._framing(o, lang, shown, source=False) if comp.overview \
            else SPECIFIC_BUDGET - self._framing(o, lang, shown)
        used, n_support = sum(len(s.quote) for s in comp.statements), 0
        # Supports whole or not at all: a quote cut where its section was split into chunks is one support.
        blocks = [list(run) for c, statements in zip(comps, answers, strict=True)
                  for _, run in groupby((s for s in c.statements if s not in statements), key=lambda s: (s.label, s.role))]
        for block in blocks:
            size = sum(len(s.quote) for s in block)
            if n_support >= self.max_passages or used + size > budget:
                continue
            for s in block:
                add(s)
            used, n_support = used + size, n_support + 1
        comp.missing = list(dict.fromkeys(m for c in comps for m in c.missing))
        comp.more = self._more(o, comp, comp.lang)
        return comp

    @staticmethod
    def _framing(o: OneThing, lang: Lang, shown: frozenset[str] | set[str], *, source: bool = True) -> int:
        """The characters an answer's closing lines take (which guide it quotes — a specific answer's, not an
        overview's — and that practice varies, each said once a conversation): the length budget is the whole
        answer's, not only its quotes'."""
        key = "en" if lang == "en" else "zh"
        source = len(source_line(o, key == "en")) if source and source_key(o.id) not in shown else 0
        return source + (len(LOCAL_CAVEAT[key]) if o.sample_data and caveat_key(o.id) not in shown else 0)

    def _recall(self, comp: Composition, question: str, shown: frozenset[str] | set[str]) -> None:
        """Leads this conversation has shown before, narrowed to what answers `question` now: an FAQ to its
        answer, a longer quote to its sentences or list lines sharing most with the question. A short one
        (a time limit, one line) stays whole: asked again, it is still the answer, and the elliptical
        follow-up that asks it ("那要多久") may share no word with it."""
        for i, s in enumerate(comp.statements):
            if s.role != "lead" or shown_key(s.citation.source_id, s.quote) not in shown:
                continue
            answer = faq_answer(s, self.catalog)
            span = answer.text if answer else s.quote
            if len(span) > RECALL_CHARS:
                narrow = answering_span(span, question, RECALL_CHARS).lstrip("-•· ").strip()  # a line without its bullet
                # A list's heading ("所需材料（一套材料，一次提交）：" for "那材料呢") names what is asked but answers nothing:
                # asked for the list again, the citizen gets the list.
                heading = narrow.endswith(("：", ":"))
                span = narrow if _shares_words(narrow, question) and not heading else span
            if span != s.quote:
                comp.statements[i] = Statement(s.label, span, Citation(s.citation.source_id, s.citation.title, span), s.role)

    def _passage_quotes(self, rec: Record, aspects: list[str], question: str = "", narrow: str = "") -> list[tuple[Record, str]]:
        """What to quote of a retrieved passage: of a service section, only the parts the question asks
        about (its 办理时限 for "多久"), from whichever of its chunks holds them — none if it has none
        of them; anything else whole. A quote too long for a specific answer keeps only its lines closest
        to `narrow` (a yes/no question), as in `_quotes`."""
        if rec.kind == "faq":  # a question and its answer belong together, even when split into chunks
            return [(r, r.text) for r in self.section_records(rec.source_id)] or [(rec, rec.text)]
        wanted = {part for a in aspects if a in SERVICE_PARTS for part in SERVICE_PARTS[a]}
        section = self.catalog.section_by_id(rec.source_id)
        if rec.kind != "service" or section is None or not section.parts:
            return [(rec, rec.text[s:e]) for s, e in _closest_lines(rec.text, [(0, len(rec.text))], narrow)]
        if not wanted:  # no aspect named: the parts closest to the question, or the first ones that fit
            # English words of the bundle's name ("social security card") are in nearly every part of its guide, so
            # they made every part "closest" and a yes/no question got the whole service (843 characters for "Can a
            # foreigner get a social security card?"). Not Chinese, whose name pairs tell parts apart (备案 of
            # 异地就医备案 finds the channels to file in): without them more parts tied. Of parts still longer than a
            # specific answer, the lines closest to a yes/no question, as below. (Development sets: 24 English answers
            # changed, median 821 → 376 characters; no key fact lost from the first 150 characters, 3 lost further down.)
            name = self._name(rec)
            keep = _closest_parts(section.parts, question, name if rec.metadata.get("lang") == "en" else "") \
                or _head(section, SPECIFIC_BUDGET)
            spans = _closest_lines(section.text, section.spans(keep=lambda part: part in keep), narrow, name)
            return self._section_quotes(section, _department_only(section, spans))
        return self._section_quotes(section, _department_only(
            section, _closest_lines(section.text, section.spans(wanted), narrow)))

    def _unseen_department(self, blocks: list[tuple[Record, str]], shown: frozenset[str] | set[str]) -> list[tuple[Record, str]]:
        """A lead's quotes without the department line of a service (`_department_only`) this conversation has
        shown: it says which service the answer comes from, which a follow-up on the same service knows."""
        def seen_department(rec: Record, quote: str) -> bool:
            if shown_key(rec.chunk_id, quote) not in shown:
                return False
            section = self.catalog.section_by_id(rec.source_id)
            found = _department(section) if section is not None else None
            return found is not None and section.text[slice(*found[0])] == quote

        kept = [(r, q) for r, q in blocks if not seen_department(r, q)]
        return kept or blocks

    @staticmethod
    def _life_deadline(o: OneThing) -> Deadline | None:
        """The guide's first deadline that the life event itself starts (not `Deadline.conditional`)."""
        return next((d for d in o.deadlines if not d.conditional), None)

    def _first_deadline(self, o: OneThing, glang: str) -> list[tuple[Record, str]]:
        """The guide's first deadline that the life event itself starts ("出生后1个月内", "自用工之日起30日内"), quoted:
        not one that applies only in some cases (`Deadline.conditional`: 退休's notice for flexible early retirement,
        低保's appeal window, a renewal), which someone stating the event need not hear first. None when all are."""
        section = self.catalog.section(o.id, "deadlines", glang)
        life = self._life_deadline(o)
        if section is None or life is None:
            return []
        parts = [p for p in section.parts if p.aspect == "deadline"]  # one a deadline (knowledge.rendering)
        first = parts[o.deadlines.index(life)]
        # Said beside the overview, a deadline is what to do and by when; what missing it costs and the law are one
        # click away (the guide's deadlines section): in English they ran to ~300 of the line's ~400 characters.
        spans = []
        for start, end in section.spans(("deadline",), keep=lambda p: p is first):
            missed = _IF_MISSED.search(section.text, start, end)
            spans.append((start, missed.start() if missed else end))
        return self._section_quotes(section, spans)

    def _more(self, o: OneThing, comp: Composition, glang: str) -> list[More]:
        # (The deadline beside an overview is its head only: the deadlines section, with what missing one costs and
        # the law, stays a button.)
        quoted = {section_id(s.citation.source_id) for s in comp.statements
                  if not (comp.overview and s.label == "deadline")}
        out = []
        for kind, labels in MORE:
            section = self.catalog.section(o.id, kind, glang)
            if section is not None and section.source_id not in quoted:
                out.append(More(section.source_id, labels["en" if glang == "en" else "zh"]))
        return out

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
        comp = Composition(lang=passage.metadata.get("lang", "zh"))
        blocks = self._clean_blocks(passage)
        if blocks:
            rec, text = blocks[0]
            self._add(comp, "local", [(rec, answering_span(text, question))])
        return comp

    def compose_lawful(self, o: OneThing, ask: Ask, lang: Lang = "zh-Hans",
                       passages: list[Record] | None = None) -> Composition:
        """The lawful route beside a refused request: the FAQ among `passages` (retrieval's, within `o`) whose own
        question asks in the question's words, then the part of `o`'s guide for what is asked when it is no recipe
        (how long, what it costs, where, who may act for whom — LAWFUL_ASPECTS), then — without such an FAQ — its
        conditions; of a list too long for a specific answer, only the lines closest to the question (as for a
        yes/no question). An FAQ is a lawful citizen's question with the guide's answer: the honest question the
        model misread as fraud ("旧车在我老婆名下，我还能申请补贴吗") is often one of them ("旧车登记在家人名下，我买新车能
        申请吗？"), and a fraud request learns only what any applicant is told."""
        glang = self.guide_lang(o, lang)
        comp = Composition(lang=glang)
        passages = passages or []
        words = self._topic_words(o, ask, glang, passages)
        need = self._enough(words)
        # (Not one asking for the materials or the steps: "What documents are needed to change the legal
        # representative?" beside a request to make a driver the front man would be the recipe.)
        faq = next((p for p, _ in self._on_topic(o, ask, passages, glang, words)
                    if p.kind == "faq" and self._named_in_question(p, words) >= need
                    and not asked_in(self._faq_question(p)) & RECIPE_ASPECTS), None)
        if faq is not None:
            self._add(comp, "faq", self._passage_quotes(faq, [], ask.text))
        # Only what is asked: a request mentions things as part of its scheme ("把存款转到亲戚名下再申请低保" names a
        # relative, who is no proxy there), and a part merely mentioned would read as advice for it.
        for aspect in ask.aspects:
            if aspect in LAWFUL_ASPECTS and aspect in ask.asked:
                want = ASPECTS[aspect][0][0]
                self._add(comp, want.label or aspect, self._quotes(o, want, glang, ask.text, narrow=ask.text))
        if faq is None or "eligibility" in ask.aspects:
            # (Labelled as the lawful route, not "eligibility": the refusal introduces it, not ELIGIBILITY_LEAD.)
            self._add(comp, "lawful_route", self._quotes(o, Quote("eligibility"), glang, ask.text, narrow=ask.text))
        comp.source = o.id if comp.statements else None
        comp.caveat = o.id if comp.statements and o.sample_data else None
        return comp

    # -- rendering --------------------------------------------------------------------------
    def render_general(self, comp: Composition, lang: Lang) -> str:
        """A quoted passage of an office's own guide, with the caveat that local practice decides."""
        s = comp.statements[0]
        title = s.citation.title or s.citation.source_id
        if lang == "en":
            written = "" if comp.lang == "en" else " (in Chinese, quoted)"
            return (f"From the guide \"{title}\"{written}: {s.quote} [1]\n"
                    + GENERAL_CAVEAT["en"].format(hotline=self.hotline))
        return localise(f"根据《{title}》：{s.quote} [1]\n" + GENERAL_CAVEAT["zh"].format(hotline=self.hotline), lang)

    def render(self, o: OneThing, comp: Composition, lang: Lang) -> str:
        """The statements in order, each with its citation number. An English answer quotes the
        guide's English text when it has one; otherwise it labels the Chinese quotes in English."""
        cites = {(c.source_id, c.quote): n for n, c in enumerate(comp.citations, 1)}
        english = lang == "en"
        # A specific answer starts with its answer: which bundle's guide it quotes is said after it, once a
        # conversation (on a phone, an English header and a service's name took most of the first lines). An
        # overview, and English labels around Chinese quotes, are introduced first.
        source = None
        if english and comp.lang != "en":
            parts = [f"{o.name_en} ({o.name}). The official guide is in Chinese; quoted with sources:"]
        elif comp.overview:
            # The summary opens with the bundle's name already ("新生儿出生一件事：孩子出生后……"): not twice, nor above
            # the deadline a stated life event leads with, which the summary follows.
            name = o.name_en if english else o.name
            opens = any(s.quote.startswith(name) for s in comp.statements)
            parts = [] if opens else [f"{name}:" if english else f"关于「{name}」："]
        else:
            parts = []
            if comp.source:
                source = source_line(o, english)
        lead = ELIGIBILITY_LEAD["en" if english else "zh"]
        previous = None
        for s in comp.statements:
            n = cites[(s.citation.source_id, s.quote)]
            if s.label == "eligibility" and lead not in parts:
                parts.append(lead)
            labelled = english and comp.lang != "en" and s.role != "note"
            # A service heads its parts once: the next part of the one just quoted (or the rest of a list cut
            # where its section was split into chunks) follows without its name again.
            named = previous is not None and previous.label == "service" and previous.citation.title == s.citation.title
            quote = s.quote if named else f"{_service_of(s)}{s.quote}"
            previous = s
            parts.append(f"{EN_LABELS.get(s.label, s.label)}: {quote} [{n}]" if labelled else f"{quote} [{n}]")
        for m in comp.missing:
            parts.append(MISSING_EN.format(what=EN_LABELS.get(m, m).lower(), hotline=self.hotline) if english
                         else MISSING_ZH.format(what=ASPECT_ZH.get(m, m), hotline=self.hotline))
        if not comp.statements and not comp.missing:
            parts.append(NOTHING_NEW["en" if english else "zh"])
        if source and comp.statements:
            parts.append(source)
        if comp.caveat:
            parts.append(LOCAL_CAVEAT["en" if english else "zh"])
        text = "\n".join(parts)
        return text if english else localise(text, lang)
