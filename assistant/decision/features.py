"""The numeric features of one question for the decision model.

Everything here is already computed on the answer path, so predicting costs one matrix product:
- the question's own vector (the embedder's), which carries its topic;
- per bundle, the router's signals: best profile-phrase cosine, best passage cosine among the
  retrieved candidates, share of the fused top passages, named verbatim;
- the nearest out-of-scope example's cosine and its margin over the best bundle, and the shape of the
  question: English or not, length, how many content words it has (a follow-up has almost none).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from assistant.aspects import content_word_signature, content_words
from core.lang import Lang
from knowledge.retrieval import Query

# Bumped whenever what a feature means changes. With the word lists behind the content-word count it makes the
# features' signature, which a model records when trained: a saved model of another signature is flagged when
# loaded (like one trained on another index), since its weights were fitted to features that meant something
# else. 2: content words leave out spoken function words (那要, 啥). 3: a bundle is named by three characters or
# more (app.pipeline.MIN_NAME_CHARS: 退休 in 退休金 no longer names the retirement bundle). 4: BM25 reads English
# words by their stem (knowledge.text.tokenize), which moves the retrieval scores of English questions. 5: chroma
# searches with ef 500 (knowledge.store.SEARCH_EF), so the passage features no longer vary from run to run. 6: spoken
# Cantonese is read as its Mandarin words (knowledge.text.fold_cantonese), which moves every feature of a Cantonese
# question. 7: more of it (嗰 as OpenCC writes it, 𠮶; 咩 inside a question; 咁样 / 咁多 / 咁耐). 8: 还返 (退还). 9: a
# relative who 走了 / 不在了 / 没了 is read as 去世了 (knowledge.text.fold_passing). 10: and one who "passed" as "passed away";
# 阿嫲 / 嫲嫲 as 奶奶, 老竇 as 父亲, 幫手 as 帮忙.
FEATURES_VERSION = 10


def features_signature() -> str:
    return f"{FEATURES_VERSION}-{content_word_signature()}"


@dataclass(frozen=True)
class Signals:
    """What the router measured for one question, per bundle id."""

    profile: dict[str, float]  # best cosine with the bundle's profile phrases
    passage: dict[str, float]  # best dense cosine of the bundle's passages among the candidates
    evidence: dict[str, float]  # the bundle's share of the rank-fused top passages
    mentioned: list[str]  # bundles named verbatim (name or alias), longest match first
    oos_cos: float  # cosine of the nearest out-of-scope example
    oos_topic: str | None


def feature_vector(query: Query, signals: Signals, bundle_ids: list[str], lang: Lang) -> np.ndarray:
    if query.vector is None:
        raise ValueError("the decision model needs the question's vector: prepare it with embed=True")
    prof = np.array([signals.profile.get(b, 0.0) for b in bundle_ids])
    pas = np.array([signals.passage.get(b, 0.0) for b in bundle_ids])
    ev = np.array([signals.evidence.get(b, 0.0) for b in bundle_ids])
    named = np.array([float(b in signals.mentioned[:1]) for b in bundle_ids])
    best = float(prof.max(initial=0.0))
    ranked = np.sort(prof)[::-1]
    shape = [
        signals.oos_cos, best, float(pas.max(initial=0.0)), best - signals.oos_cos,
        float(ranked[0] - ranked[1]) if len(ranked) > 1 else 1.0,  # how far the best bundle leads
        float(lang == "en"), math.log1p(len(query.normalized)), float(len(content_words(query))),
    ]
    return np.concatenate([np.asarray(query.vector, dtype=np.float64), prof, pas, ev, named, shape])


# After the question's vector: four signals per bundle and the question's shape (above).
_PER_BUNDLE, _SHAPE = 4, 8


def question_vectors(X: np.ndarray, n_bundles: int) -> np.ndarray:
    """The questions' own vectors: the leading block of `feature_vector` rows."""
    return X[:, : X.shape[1] - _PER_BUNDLE * n_bundles - _SHAPE]
