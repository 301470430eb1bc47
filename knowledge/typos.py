"""Pinyin-IME typo repair for questions: 企业住销 → 企业注销, 社宝 → 社保, 育儿补帖 → 育儿补贴.

Most typos in Chinese questions are homophones picked from the input method's candidate list. jieba
isolates them as out-of-vocabulary words ("住销" is in no dictionary), so each unknown word — alone,
or joined with an unknown neighbour when the segmenter split it ("开餐|引店") — is looked up by its
toneless pinyin among the corpus's own terms, and replaced when a term sounds the same. Known words
are never touched ("天气" stays "天气"), so off-topic questions are not pulled into the domain.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

log = logging.getLogger(__name__)

_CJK_WORD = re.compile(r"^[\u3400-\u9fff]{2,8}$")


@lru_cache(maxsize=20000)
def _pinyin_key(word: str) -> str:
    from pypinyin import lazy_pinyin  # lazy: loads its dictionaries

    return " ".join(lazy_pinyin(word))


class HomophoneCorrector:
    """Built from the indexed texts and catalogue terms; `correct()` is a pure function of its input."""

    def __init__(self) -> None:
        self._terms: set[str] = set()
        self._by_sound: dict[str, str] = {}

    def build(self, words: Iterable[Iterable[str]], terms: Iterable[str] = ()) -> None:
        """From the words of each indexed text (`knowledge.text.segment`) and the catalogue's terms."""
        freq: Counter[str] = Counter()
        for text_words in words:
            freq.update(w for w in text_words if _CJK_WORD.match(w))
        for term in terms:
            if _CJK_WORD.match(term):
                freq[term] += 1000  # catalogue names win ties against ordinary words
        self._terms = set(freq)
        by_sound: dict[str, tuple[int, str]] = {}
        for word, n in freq.items():
            key = _pinyin_key(word)
            if n > by_sound.get(key, (0, ""))[0]:
                by_sound[key] = (n, word)
        self._by_sound = {k: w for k, (_, w) in by_sound.items()}

    def __len__(self) -> int:
        return len(self._terms)

    def _unknown(self, word: str, dictionary: dict) -> bool:
        return bool(_CJK_WORD.match(word)) and word not in self._terms and not dictionary.get(word)

    def _fix(self, word: str) -> str | None:
        fixed = self._by_sound.get(_pinyin_key(word))
        return fixed if fixed and fixed != word and len(fixed) == len(word) else None

    def correct(self, text: str) -> str:
        if not self._by_sound or not text:
            return text
        from knowledge.text import _jieba

        jb = _jieba()
        words = jb.lcut(text)
        out: list[str] = []
        i = 0
        while i < len(words):
            w = words[i]
            if self._unknown(w, jb.dt.FREQ):
                nxt = words[i + 1] if i + 1 < len(words) else ""
                joined = self._fix(w + nxt) if nxt and self._unknown(nxt, jb.dt.FREQ) else None
                if joined:
                    out.append(joined)
                    i += 2
                    continue
                out.append(self._fix(w) or w)
            else:
                out.append(w)
            i += 1
        fixed = "".join(out)
        if fixed != text:
            log.debug("typo repair: %d characters changed", sum(a != b for a, b in zip(text, fixed, strict=False)))
        return fixed
