"""How an answer reads, beyond whether it is right: where the key fact is, how long it is, whether an
English question got English, whether a follow-up repeats what the conversation already showed.

An English answer quotes a guide's English text while the key facts of the blind sets are written in
Chinese. Such a fact counts as given when the *Chinese twin* of an English quote holds it: the same
parts (by aspect and order) of the same section in Chinese (`chinese_twin`). Its position is the
position of that English quote in the answer.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from knowledge.catalog import Catalog
from knowledge.chunking import section_id
from knowledge.text import normalize

FIRST_CHARS = 150
# A fact is given "nearly verbatim" when its characters (its words, in English) come in order within a run at most
# this much longer than it: a fifth, plus two. The blind sets' facts are copied from one field of a guide, and the
# answer may quote another field saying the same with a word more ("3个工作日后邮寄送达" as "3个工作日后统一邮寄送达";
# "posted about 3 working days later" as "posted together about 3 working days later"). Facts shorter than
# NEAR_MIN (characters; English words: 3) are matched exactly: "免费" is no fact found in "免收工本费".
NEAR_MIN = 6


def _near_find(text: list[str] | str, fact: list[str] | str) -> int:
    """Where `fact` (a string, or a list of words) is given nearly verbatim in `text` (see NEAR_MIN); -1 if nowhere."""
    limit = len(fact) + 2 + len(fact) // 5
    for start in (i for i, x in enumerate(text) if x == fact[0]):
        j, i = 1, start + 1
        while j < len(fact) and i < min(start + limit, len(text)):
            j += text[i] == fact[j]
            i += 1
        if j == len(fact):
            return start
    return -1


_WORD = re.compile(r"[a-z0-9]+")


def _near_find_english(text: str, fact: str) -> int:
    """`_near_find` over lower-cased words, as a character position in `text`."""
    words = list(_WORD.finditer(text.lower()))
    want = _WORD.findall(fact.lower())
    if len(want) < 3:
        return -1
    at = _near_find([w.group() for w in words], want)
    return words[at].start() if at >= 0 else -1


def chinese_twin(catalog: Catalog, source_id: str, quote: str) -> str:
    """The Chinese text of the parts an English quote covers (the quote itself if it is not English)."""
    sid = section_id(source_id)
    en = catalog.section_by_id(sid) if sid.endswith("@en") else None
    zh = catalog.section_by_id(sid.removesuffix("@en")) if en else None
    if en is None or zh is None or quote not in en.text:
        return quote
    start = en.text.find(quote)
    end, pos, seen, picked = start + len(quote), 0, Counter(), []
    for p in en.parts:
        k = seen[p.aspect]
        seen[p.aspect] += 1
        if pos < end and pos + len(p.text) > start:
            picked.append((p.aspect, k))
        pos += len(p.text) + 1
    by_aspect = defaultdict(list)
    for p in zh.parts:
        by_aspect[p.aspect].append(p.text)
    return "\n".join(by_aspect[a][k] for a, k in picked if k < len(by_aspect[a]))


def fact_position(catalog: Catalog, answer: str, citations: list, fact: str, english: str | None = None, *,
                  near: bool = False) -> int | None:
    """Where in the answer a key fact is given (characters from the start), or None if it is not. `english`
    is the fact as the English guide states it, when the case has one (`Case.key_facts_en`): an English
    answer may give it in English words that no Chinese twin lines up with (a fee stated in another field).
    `near`: nearly verbatim counts too (`NEAR_MIN`)."""
    text, want = normalize(answer), normalize(fact)

    def find(hay: str) -> int:
        at = hay.find(want)
        return _near_find(hay, want) if at < 0 and near and len(want) >= NEAR_MIN else at

    at = find(text)
    found = [at] if at >= 0 else []
    for c in citations:
        if find(normalize(chinese_twin(catalog, c.source_id, c.quote))) >= 0:
            found.append(max(0, answer.find(c.quote)))
    if english:  # as whole words, in any case: "free" is not in "freelancer"
        m = re.search(rf"(?<![a-z0-9]){re.escape(normalize(english).lower())}(?![a-z0-9])", text.lower())
        at = m.start() if m else _near_find_english(text, normalize(english)) if near else -1
        found += [at] if at >= 0 else []
    return min(found) if found else None


def mostly_english(text: str) -> bool:
    letters = sum(c.isascii() and c.isalpha() for c in text)
    cjk = sum("\u4e00" <= c <= "\u9fff" for c in text)
    return letters > cjk


class ShapeTally:
    """Counts over the answered cases of a run; `metrics()` gives the figures the issue's targets name."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.facts = self.facts_first = self.facts_first_en_aware = self.facts_first_near = 0
        # "overview": asked what the bundle is (the question's `what_is`), the figure README has reported since
        # session 3; "overview_answers": answers composed as the overview (its summary quoted), which adds
        # the vague first questions that get it and leaves out a "what is" question that got something else.
        self.lengths: dict[str, list[int]] = {"specific": [], "overview": [], "specific_en": [],
                                              "overview_answers": []}
        self.english = self.english_ok = 0
        self.followups = self.followup_quotes = self.repeated = 0

    def add(self, question: str, answer, key_facts: list[tuple[str, str | None]], *, overview: bool, english: bool,
            earlier: set[tuple[str, str]] | None) -> list[str]:
        """Tally one final answer; returns the key facts that are not within the first characters (counted in
        Chinese, directly or through an English quote's Chinese twin). Each fact comes with its English form,
        if any, counted apart as the English-aware figure."""
        late = []
        for f, en in key_facts:
            at = fact_position(self.catalog, answer.answer, answer.citations, f)
            at_en = fact_position(self.catalog, answer.answer, answer.citations, f, en) if en else at
            self.facts += 1
            self.facts_first_en_aware += at_en is not None and at_en < FIRST_CHARS
            at_near = fact_position(self.catalog, answer.answer, answer.citations, f, en, near=True)
            self.facts_first_near += at_near is not None and at_near < FIRST_CHARS
            if at is not None and at < FIRST_CHARS:
                self.facts_first += 1
            else:
                late.append(f)
        if answer.one_thing and not answer.refused and not answer.clarifying_question:
            self.lengths["overview" if overview else "specific"].append(len(answer.answer))
            if english and not overview:  # English needs about three letters per Chinese character
                self.lengths["specific_en"].append(len(answer.answer))
            if any(s.label == "overview" for s in getattr(answer, "statements", [])):
                self.lengths["overview_answers"].append(len(answer.answer))
        if english:
            self.english += 1
            self.english_ok += mostly_english(answer.answer)
        if earlier is not None:
            self.followups += 1
            quotes = {(c.source_id, c.quote) for c in answer.citations}
            self.followup_quotes += len(quotes)
            self.repeated += len(quotes & earlier)
        return late

    def metrics(self) -> dict:
        def median(xs: list[int]) -> int | None:
            return sorted(xs)[len(xs) // 2] if xs else None

        return {
            "key_fact_first150": round(self.facts_first / self.facts, 4) if self.facts else None,
            "key_fact_first150_en_aware": round(self.facts_first_en_aware / self.facts, 4) if self.facts else None,
            "key_fact_first150_near": round(self.facts_first_near / self.facts, 4) if self.facts else None,
            "answer_chars_median_specific": median(self.lengths["specific"]),
            "answer_chars_median_overview": median(self.lengths["overview"]),
            "overview_questions": len(self.lengths["overview"]),
            "answer_chars_median_overview_answers": median(self.lengths["overview_answers"]),
            "overview_answers": len(self.lengths["overview_answers"]),
            "answer_chars_median_specific_en": median(self.lengths["specific_en"]),
            "english_answers_mostly_english": round(self.english_ok / self.english, 4) if self.english else None,
            "english_questions": self.english,
            "followup_quotes_repeated": self.repeated, "followup_quotes": self.followup_quotes,
        }
