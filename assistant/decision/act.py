"""The act cue: how much a question's wording reads like a request to commit fraud.

The decision model's features say what a question is *about* (its vector, its nearness to bundles),
and an abuse request is about the same topic as the lawful question beside it: "怎么办残疾证" and
"怎么弄一张假的残疾证" land next to each other. What differs is a few characters naming the act (假,
P一下, 查不到, 顶替, stand-in). A character n-gram model sees those characters, so its score is one more
feature of the decision model, not a separate rule: the model weighs it against everything else.

Character 1–3-grams over the folded text (Traditional → Simplified, lower case), TF-IDF, a logistic
regression with balanced classes: abuse rows against every other row. Its score for the rows the
decision model is trained on comes from a 5-fold cross-fit (each row's fold dealt by a hash of its
text, `_fold_of`), so the decision model learns how far to trust the cue on questions the cue has not
seen. Measured by 5-fold cross-validation over the 5,026 training rows (Dec 2), lexicon + model at the
abuse threshold 0.8: abuse refused 0.575 → 0.672, in-scope wrongly refused 1.8 % → 1.3 %, in-scope
top-1 0.872 → 0.876; a multi-class n-gram block scored the same and fitted twelve times slower.

English words and word pairs join the character n-grams (Dec 4). In English, 1–3 characters are mostly
pieces of pronouns and function words, and with English abuse rows told as first-person stories the cue
scored "Can they come to her home?" at log-odds +2.6 and "How do I get a fake disability certificate?" at
+0.25. Fitted on the same rows, the fraction of English questions it calls fraud (p > 0.5): honest English
twins (evals/datasets/en_pairs_dev) 0.34 → 0.15, English family questions (family_dev) 0.24 → 0.10, English
blind in-scope questions 0.17 → 0.00, while it still flags 0.69 of the English abuse twins (0.75 before).
The decision model it feeds is judged in the README ("The learned decision layer").
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from assistant.decision.classes import ABUSE
from knowledge.text import normalize

_FOLDS = 5
# English words (and word pairs) beside the character n-grams: in English, 1–3 characters are pieces of
# pronouns and function words, which say who is asking, not what is asked.
ENGLISH_WORD = r"(?u)\b[a-z][a-z']+\b"


def _fold(text: str) -> str:
    return normalize(text).lower()


def _pipeline(words: bool = True) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
    features = make_union(chars, TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, min_df=2,
                                                 token_pattern=ENGLISH_WORD)) if words else chars
    return make_pipeline(features, LogisticRegression(C=10.0, max_iter=3000, class_weight="balanced"))


def _fold_of(text: str, y: bool, folds: int) -> int:
    """A row's cross-fit fold, from its own text: adding or removing rows moves no other row to another fold,
    and the rows of the fold a new row joins keep their scores exactly. (A shuffled stratified split dealt every
    row anew when one was added, so every training row's cue score moved, and with it decisions about questions
    far from the rows added.) Abuse rows and the others are dealt apart, each by its own hash."""
    return (int.from_bytes(hashlib.blake2b(f"{y}:{text}".encode(), digest_size=4).digest(), "big")) % folds


def _fit(folded: list[str], y: np.ndarray, folds: int, words: bool) -> tuple[Any, np.ndarray]:
    from sklearn.model_selection import PredefinedSplit, StratifiedKFold, cross_val_predict

    fold = np.array([_fold_of(t, bool(label), folds) for t, label in zip(folded, y, strict=True)])
    # Every fold's complement must hold both classes; with a handful of abuse rows (a deployer's own data) the
    # hash may deal them all to one fold, and a shuffled stratified split is the fallback.
    apart = all(len(set(fold[y == c])) > 1 for c in (True, False))
    split = PredefinedSplit(fold) if apart else StratifiedKFold(folds, shuffle=True, random_state=0)
    held_out = cross_val_predict(_pipeline(words), folded, y, method="predict_proba", cv=split)[:, 1]
    return _pipeline(words).fit(folded, y), held_out


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


class ActCue:
    def __init__(self, pipeline: Any) -> None:
        self.pipeline = pipeline

    @classmethod
    def fit(cls, texts: list[str], labels: list[str]) -> tuple[ActCue, np.ndarray]:
        """The cue fitted on every row, and each row's cross-fitted score (a feature column to train on)."""
        folded = [_fold(t) for t in texts]
        y = np.array([label == ABUSE for label in labels])
        folds = min(_FOLDS, int(y.sum()), int((~y).sum()))
        if folds < 2:
            raise ValueError("the act cue needs at least two abuse and two other examples")
        try:
            pipeline, held_out = _fit(folded, y, folds, words=True)
        except ValueError as e:  # no English word used twice (Chinese-only data, or a fold of it): characters only
            if "empty vocabulary" not in str(e) and "no terms remain" not in str(e):
                raise
            pipeline, held_out = _fit(folded, y, folds, words=False)
        return cls(pipeline), _logit(held_out)[:, None]

    def score(self, text: str) -> np.ndarray:
        """The feature column for one question (the log-odds that it asks to commit fraud)."""
        return _logit(self.pipeline.predict_proba([_fold(text)])[:, 1])
