"""Text normalisation for Chinese retrieval: script conversion, language detection, tokenisation.

Traditional Chinese is folded to Simplified (opencc) before matching, so 戶口遷移 finds 户口迁移.
BM25 tokens come from jieba's search mode, which also emits the sub-words of long compounds
(新生儿出生 → 新生, 新生儿, 出生), giving recall on colloquial phrasing.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

from core.lang import to_simplified

log = logging.getLogger(__name__)


_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)

# Function words that carry no retrieval signal in service questions.
STOPWORDS = frozenset(
    "的 了 吗 呢 吧 啊 呀 么 嘛 是 我 你 他 她 它 我们 你们 要 想 请问 请 问 一下 怎么 怎样 如何 什么 哪些 哪里 哪儿 "
    "可以 能 能否 可不可以 需要 需不需要 还 和 与 及 或 在 有 没有 都 就 也 又 吗？ 这个 那个 这 那 个 一 下 "
    "the a an of to for and or is are do does how what which can i my me in on with at be".split()
)


def normalize(text: str) -> str:
    """Fold width (full-width ASCII → ASCII), fold Traditional → Simplified, collapse whitespace."""
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text)
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def add_words(words: list[str]) -> None:
    """Teach the segmenter domain terms (one-thing names, aliases) so they stay whole."""
    jb = _jieba()
    for w in words:
        if w and len(w) <= 12:
            jb.add_word(w, freq=20000)


def tokenize(text: str) -> list[str]:
    """Search-mode tokens of the normalised text, lower-cased, without punctuation or stopwords."""
    return tokenize_normalized(normalize(text))


def tokenize_normalized(text: str) -> list[str]:
    """`tokenize` for text that has already been through `normalize` (a `Query`'s): not folded twice."""
    toks = _jieba().lcut_for_search(text.lower())
    return [t for t in (x.strip() for x in toks) if t and t not in STOPWORDS and not _PUNCT.match(t)]
