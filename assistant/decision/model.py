"""The decision classifier and its file.

Multinomial logistic regression over the standardised features of `assistant.decision.features`.
Logistic regression because it is fast (a prediction is one small matrix product, well under a
millisecond), trains in seconds on a few thousand rows, and gives probabilities the engine's
thresholds can be set on. Classes are weighted by the inverse square root of their size, so the many
out-of-scope rows do not drown the bundles and the small bundles are not over-predicted either.
Beside the classifier the model keeps the vectors of the labelled questions and the bundles each one means
(`assistant.decision.meant.Neighbours`): which bundles a question too vague to route could mean is asked of them.
One more column comes from the question's characters: the act cue (`assistant.decision.act`), a
character n-gram score of "asks to commit fraud", which the topic features cannot tell apart from the
lawful question on the same topic. A whole character TF-IDF block as features was tried before: the
same numbers on the dev and MSGABench validation sets and a fit five times slower; C from 0.1 to 2 made
no difference either.

A model file is a joblib pickle of one dict: format name and version, the embedder the features came
from (a model fitted on one embedder's vectors is meaningless with another's), the SHA-256 of the
training inputs, and the fitted parts. Pickles run code when loaded: load only files you trained.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from assistant.decision.act import ActCue
from assistant.decision.meant import Neighbours
from core.errors import ConfigurationError

log = logging.getLogger(__name__)

FORMAT = "yjs-decision-model"
FORMAT_VERSION = 4  # 1 had a character TF-IDF block; 2 had no act cue; 3 no neighbours
TRAIN_HINT = "train it with `python -m assistant train` (or delete the file: the server trains one when missing)"


class DecisionModel:
    def __init__(self, cue: ActCue, scaler: Any, classifier: Any, *, embedder: str, inputs_sha256: str,
                 meta: dict[str, Any] | None = None, neighbours: Neighbours | None = None) -> None:
        self.cue = cue
        self.neighbours = neighbours if neighbours is not None else Neighbours(np.zeros((0, 1)), [])
        self.scaler = scaler
        self.classifier = classifier
        self.embedder = embedder
        self.inputs_sha256 = inputs_sha256
        self.meta = meta or {}
        self.classes: list[str] = [str(c) for c in classifier.classes_]

    @classmethod
    def fit(cls, X: np.ndarray, labels: list[str], texts: list[str], *, embedder: str, inputs_sha256: str,
            C: float = 1.0, meta: dict[str, Any] | None = None, neighbours: Neighbours | None = None) -> DecisionModel:
        """Fit on feature rows `X` of the questions `texts` (their words feed the act cue); `neighbours` are kept."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler

        cue, cue_column = ActCue.fit(texts, labels)
        scaler = StandardScaler()
        Z = scaler.fit_transform(np.hstack([X, cue_column]))
        counts = Counter(labels)
        weights = np.array([1.0 / np.sqrt(counts[y]) for y in labels])
        weights *= len(labels) / weights.sum()
        clf = LogisticRegression(C=C, max_iter=3000)
        clf.fit(Z, labels, sample_weight=weights)
        return cls(cue, scaler, clf, embedder=embedder, inputs_sha256=inputs_sha256,
                   meta={**(meta or {}), "examples": dict(counts)}, neighbours=neighbours)

    def predict(self, x: np.ndarray, text: str) -> dict[str, float]:
        """Probability of every class for one question: its feature vector and its text."""
        row = np.concatenate([x, self.cue.score(text)])
        p = self.classifier.predict_proba(self.scaler.transform(row[None, :]))[0]
        return dict(zip(self.classes, map(float, p), strict=True))

    def act_log_odds(self, text: str) -> float:
        """The act cue's log-odds that `text` asks to commit fraud (its words alone, no topic)."""
        return float(self.cue.score(text)[0])

    def save(self, path: Path) -> Path:
        import joblib
        import sklearn

        path.parent.mkdir(parents=True, exist_ok=True)
        blob = {"format": FORMAT, "version": FORMAT_VERSION, "sklearn": sklearn.__version__, "embedder": self.embedder,
                "inputs_sha256": self.inputs_sha256, "meta": self.meta,
                "parts": (self.cue, self.scaler, self.classifier, self.neighbours)}
        tmp = path.with_suffix(".tmp")
        joblib.dump(blob, tmp, compress=3)
        tmp.replace(path)  # a reader never sees half a file
        return path

    @classmethod
    def load(cls, path: Path, *, embedder: str) -> DecisionModel:
        import joblib

        try:
            blob = joblib.load(path)
        except Exception as exc:  # damaged, foreign, or pickled by code whose classes moved
            raise ConfigurationError(f"Cannot read the decision model {path}: {exc}; {TRAIN_HINT}.",
                                     field="YJS_DATA_DIR") from exc
        if not isinstance(blob, dict) or blob.get("format") != FORMAT or blob.get("version") != FORMAT_VERSION:
            raise ConfigurationError(f"{path} is not a decision model of format version {FORMAT_VERSION}; {TRAIN_HINT}.",
                                     field="YJS_DATA_DIR")
        if blob["embedder"] != embedder:
            raise ConfigurationError(
                f"{path} was trained on {blob['embedder']!r} embeddings but YJS_EMBEDDER is {embedder!r}; {TRAIN_HINT}.",
                field="YJS_EMBEDDER")
        cue, scaler, clf, neighbours = blob["parts"]
        return cls(cue, scaler, clf, embedder=blob["embedder"], inputs_sha256=blob["inputs_sha256"],
                   meta=blob.get("meta", {}), neighbours=neighbours)

