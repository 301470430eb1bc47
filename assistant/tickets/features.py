"""Text features for ticket routing: message normalisation and the TF-IDF vectorizer.

Character n-grams (1-3) need no word segmentation, so they are robust to the colloquial,
typo-ridden and partly masked (``****``) text of 12345-style messages. Word n-grams (jieba) are an
option that measured no better (``python -m evals.tickets --compare``).

The functions here are pickled into model files by reference (module path + name): renaming or
moving them makes old files unreadable, so do that only together with a new store format version.
"""

from __future__ import annotations

import re
from typing import Any

_MASK = re.compile(r"\*+")


def normalize_message(text: str) -> str:
    """Width/script folding (繁→简) and whitespace as elsewhere, plus one symbol for a masked span:
    ``***`` and ``*******`` hide names and places of any length, the length carries no signal."""
    from knowledge.text import normalize

    return _MASK.sub("*", normalize(text))


def jieba_words(text: str) -> list[str]:
    """Word tokens for the optional word-level features (module level so the model pickles)."""
    import jieba

    return [w for w in jieba.lcut(text) if w.strip()]


def make_vectorizer(word_features: bool = False) -> Any:
    """An unfitted TF-IDF vectorizer: character 1-3-grams, plus jieba word 1-2-grams if asked."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True,
                            preprocessor=normalize_message, dtype=np.float32)
    if not word_features:
        return chars
    from sklearn.pipeline import make_union

    words = TfidfVectorizer(tokenizer=jieba_words, token_pattern=None, lowercase=False, ngram_range=(1, 2),
                            min_df=2, sublinear_tf=True, preprocessor=normalize_message, dtype=np.float32)
    return make_union(chars, words)
