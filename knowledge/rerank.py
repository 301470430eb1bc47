"""A learned question–passage reranker that also says whether anything retrieved answers the question.

No Chinese cross-encoder ships offline, so the reranker learns from what the pipeline already has:
scores, ranks and cheap lexical agreement (knowledge.rerank_features), each relative to the
candidate list or a ratio, so one model carries from a benchmark's index to the product's guide index.

Two stages, both fitted by `PassageReranker.fit` on labelled groups (a question, its candidates, which
of them answer it): a pointwise classifier gives each candidate a relevance probability; a small
calibrated (isotonic) model on the top probability, its lead over the runner-up and the top passage's
own match gives `answerable()`. The
second stage learns from out-of-fold probabilities, including each group with its answers removed,
so "nothing here answers it" is learned from data rather than a hand-set threshold.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from core.errors import ConfigurationError
from knowledge.documents import Record
from knowledge.rerank_features import FEATURES, pair_features
from knowledge.retrieval import HybridRetriever, Query

log = logging.getLogger(__name__)

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Group:
    """One labelled question: its candidates as retrieved and 1 for each candidate that answers it."""

    query: Query
    passages: list[Record]
    labels: list[int]


# The top candidate's own (not list-relative) agreement with the question: when the answer is missing,
# the runner-up moves to the top of the list but still matches the question less well in absolute terms.
_GATE_COLUMNS = tuple(FEATURES.index(f) for f in ("dense", "bigram_q", "token_cov_idf", "echo_run"))


def _gate_features(probs: np.ndarray, X: np.ndarray) -> list[float]:
    """What `answerable` sees: the best probability, its lead over the runner-up, the best one's match."""
    order = np.argsort(-probs, kind="stable")
    p1 = float(probs[order[0]])
    p2 = float(probs[order[1]]) if len(order) > 1 else 0.0
    return [p1, p1 - p2, *(float(X[order[0], c]) for c in _GATE_COLUMNS)]


def training_hash(groups: Sequence[Group]) -> str:
    """SHA-256 of what a reranker learns from: each question, its candidates' ids and their labels."""
    h = hashlib.sha256()
    for g in groups:
        h.update(g.query.text.encode("utf-8"))
        for p, y in zip(g.passages, g.labels, strict=True):
            h.update(f"\x1f{p.chunk_id}\x1e{y}".encode())
        h.update(b"\x1d")
    return h.hexdigest()


class PassageReranker:
    """Pointwise relevance model + calibrated answerability. `fit`, then `rerank` / `answerable`."""

    def __init__(self, model: str = "logreg", *, folds: int = 4, seed: int = 0) -> None:
        if model not in ("hgb", "logreg"):
            raise ValueError(f"model must be 'hgb' or 'logreg', got {model!r}")
        self.model_kind = model
        self.folds = folds
        self.seed = seed
        self.model = None
        self.gate = None
        self.training_sha256: str | None = None

    def _new_model(self):
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        if self.model_kind == "logreg":
            return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
        return HistGradientBoostingClassifier(max_iter=300, learning_rate=0.05, max_leaf_nodes=31,
                                              min_samples_leaf=40, l2_regularization=1.0, random_state=self.seed)

    def fit(self, groups: Sequence[Group | tuple[Query, list[Record], list[int]]]) -> PassageReranker:
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.linear_model import LogisticRegression

        groups = [g if isinstance(g, Group) else Group(*g) for g in groups]
        self.training_sha256 = training_hash(groups)
        groups = [g for g in groups if g.passages]
        if not groups or not any(any(g.labels) for g in groups):
            raise ValueError("need at least one group with a relevant passage to train the reranker")
        feats = [pair_features(g.query, g.passages) for g in groups]
        # Each group again with its answers removed: what the top looks like when nothing answers.
        removed = [[p for p, y in zip(g.passages, g.labels, strict=True) if not y] for g in groups]
        feats_removed = [pair_features(g.query, r) for g, r in zip(groups, removed, strict=True)]
        X = np.vstack(feats)
        y = np.concatenate([np.asarray(g.labels, dtype=int) for g in groups])
        gid = np.concatenate([np.full(len(g.passages), i) for i, g in enumerate(groups)])
        # Out-of-fold relevance probabilities, so the answerability stage sees scores like unseen questions get.
        fold = np.arange(len(groups)) % max(2, self.folds)
        rng = np.random.default_rng(self.seed)
        rng.shuffle(fold)
        gate_X, gate_y = [], []
        for k in range(max(2, self.folds)):
            train = fold[gid] != k
            m = self._new_model().fit(X[train], y[train])
            for i in np.flatnonzero(fold == k):
                probs = m.predict_proba(feats[i])[:, 1]
                gate_X.append(_gate_features(probs, feats[i]))
                gate_y.append(int(groups[i].labels[int(np.argmax(probs))] == 1))
                if len(removed[i]) and len(removed[i]) < len(groups[i].passages):
                    gate_X.append(_gate_features(m.predict_proba(feats_removed[i])[:, 1], feats_removed[i]))
                    gate_y.append(0)
        self.model = self._new_model().fit(X, y)
        self.gate = CalibratedClassifierCV(LogisticRegression(), method="isotonic", cv=3)
        self.gate.fit(np.asarray(gate_X), np.asarray(gate_y))
        log.info("reranker trained on %d groups, %d pairs (%d relevant)", len(groups), len(y), int(y.sum()))
        return self

    def _check(self) -> None:
        if self.model is None or self.gate is None:
            raise ConfigurationError("the passage reranker is not trained: call fit() or load() a trained file")

    def scores(self, query: Query, passages: list[Record]) -> np.ndarray:
        """Relevance probability of each passage, in the given order."""
        return self._score(query, passages)[0]

    def _score(self, query: Query, passages: list[Record]) -> tuple[np.ndarray, np.ndarray]:
        self._check()
        X = pair_features(query, passages)
        return (self.model.predict_proba(X)[:, 1] if len(passages) else np.zeros(0)), X

    def rerank_with_answerable(self, query: Query, passages: list[Record]) -> tuple[list[Record], float]:
        """`rerank` and `answerable` together, computing the features once (what the answer engine wants)."""
        probs, X = self._score(query, passages)
        order = np.argsort(-probs, kind="stable")
        ranked = [replace(passages[i], score=float(probs[i])) for i in order]
        if not passages:
            return ranked, 0.0
        return ranked, float(self.gate.predict_proba(np.asarray([_gate_features(probs, X)]))[0, 1])

    def rerank(self, query: Query, passages: list[Record]) -> list[Record]:
        """The passages best first; each record's `score` is its relevance probability (dense/bm25 kept)."""
        return self.rerank_with_answerable(query, passages)[0]

    def answerable(self, query: Query, passages: list[Record]) -> float:
        """Calibrated probability that the top reranked passage answers the question (0 for no passages)."""
        return self.rerank_with_answerable(query, passages)[1]

    def save(self, path: Path | str) -> None:
        import joblib

        self._check()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump({"format_version": FORMAT_VERSION, "features": FEATURES, "model_kind": self.model_kind,
                     "model": self.model, "gate": self.gate, "training_sha256": self.training_sha256}, path)

    @classmethod
    def load(cls, path: Path | str) -> PassageReranker:
        import joblib

        path = Path(path)
        if not path.exists():
            raise ConfigurationError(f"no trained reranker at {path}: train one first (python -m assistant train)")
        blob = joblib.load(path)
        version = blob.get("format_version") if isinstance(blob, dict) else None
        if version != FORMAT_VERSION or tuple(blob.get("features", ())) != FEATURES:
            raise ConfigurationError(
                f"reranker file {path} has format version {version}, this code reads {FORMAT_VERSION}: "
                "re-train it (python -m assistant train) and save it again")
        r = cls(blob["model_kind"])
        r.model, r.gate, r.training_sha256 = blob["model"], blob["gate"], blob["training_sha256"]
        return r


def build_groups(retriever: HybridRetriever, pairs: Sequence[tuple[str, set[str]]], *,
                 candidates: int = 50) -> list[Group]:
    """Label each question's hybrid candidates by whether their doc_id is gold. Questions whose gold
    is not retrieved stay in as all-negative groups: they teach "nothing here answers it"."""
    groups = []
    for question, gold in pairs:
        res = retriever.run(question, top_k=candidates)
        groups.append(Group(res.query, res.passages, [int(p.doc_id in gold) for p in res.passages]))
    return groups


def train_reranker(retriever: HybridRetriever, pairs: Sequence[tuple[str, set[str]]], *, candidates: int = 50,
                   model: str = "logreg") -> PassageReranker:
    """Train on (question, gold doc_ids) pairs; the retrieved non-gold candidates are hard negatives."""
    return PassageReranker(model).fit(build_groups(retriever, pairs, candidates=candidates))
