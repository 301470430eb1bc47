"""The ticket router: two heads (handling domain, message type), each TF-IDF features + a linear
classifier, trained from labelled messages and calibrated to probabilities.

The default classifier is a class-balanced LinearSVC: on the MSGABench messages it beat logistic
regression, calibrated SVC and SGD on macro-F1 and on accuracy, and trains in seconds
(``python -m evals.tickets --compare``). LinearSVC has no probabilities, so its margins go through
one softmax temperature (see `assistant.tickets.calibration`).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any, Literal

from assistant.tickets.calibration import fit_temperature, margins, softmax
from assistant.tickets.features import make_vectorizer
from assistant.tickets.labels import clean_label, fold_rare
from assistant.tickets.results import TicketPrediction, TrainReport
from assistant.tickets.store import SETTING, TRAIN_HINT, inputs_digest, load_model, save_model
from core.errors import ConfigurationError, InvalidInput

log = logging.getLogger(__name__)

Classifier = Literal["linear_svc", "logreg", "sgd"]
CLASSIFIERS: tuple[str, ...] = ("linear_svc", "logreg", "sgd")


# A message is routed by its first ROUTE_HEAD_CHARS characters, so routing costs the same for a
# pasted 4,000-character message as for a 500-character one (as /v1/answer embeds a question's
# first 256). Fitted on MSGABench (python -m evals.tickets split, trained on whole messages): routing
# the first 512 characters scored exactly as routing whole messages (domain accuracy 0.7426, type
# 0.8192; 97 % of messages are shorter); 256 gave 0.7431 / 0.8174, 128 gave 0.7321 / 0.7979.
ROUTE_HEAD_CHARS = 512


class _Head:
    """One text classifier: fitted vectorizer + linear model + softmax temperature (plain class, so
    nothing from scikit-learn is needed to import this module)."""

    def __init__(self, vectorizer: Any, model: Any, temperature: float | None) -> None:
        self.vectorizer = vectorizer
        self.model = model
        self.temperature = temperature  # None: the model has its own predict_proba
        self.labels: list[str] = [str(c) for c in model.classes_]

    def proba(self, texts: list[str]):
        X = self.vectorizer.transform(texts)
        if self.temperature is None:
            return self.model.predict_proba(X)
        return softmax(margins(self.model, X) / self.temperature)


class TicketRouter:
    """Predicts the handling domain and the message type of a citizen message.

    `model_path` is the trained model file (setting ``YJS_TICKET_MODEL_PATH``); it may be None when
    the router is trained in-process with `train()`. `min_class_examples`: labels with fewer training
    examples are folded into 其他 (a linear model cannot learn a class from two messages).
    """

    def __init__(
        self,
        model_path: Path | str | None = None,
        *,
        classifier: Classifier = "linear_svc",
        word_features: bool = False,
        min_class_examples: int = 5,
        top_k: int = 3,
        max_chars: int = 4000,
        C: float = 0.5,
        head_chars: int = ROUTE_HEAD_CHARS,
    ) -> None:
        if classifier not in CLASSIFIERS:
            raise ConfigurationError(
                f"Unknown ticket classifier {classifier!r}: use one of {', '.join(CLASSIFIERS)}.", field="classifier"
            )
        if min_class_examples < 1:
            raise ConfigurationError(f"min_class_examples must be >= 1, got {min_class_examples}.")
        if top_k < 1:
            raise ConfigurationError(f"top_k must be >= 1, got {top_k}.")
        if max_chars < 1 or head_chars < 1:
            raise ConfigurationError(f"max_chars and head_chars must be >= 1, got {max_chars} and {head_chars}.")
        if C <= 0:
            raise ConfigurationError(f"C must be > 0, got {C}.")
        self.model_path = Path(model_path) if model_path is not None else None
        self.classifier = classifier
        self.word_features = word_features
        self.min_class_examples = min_class_examples
        self.top_k = top_k
        self.max_chars = max_chars  # of a training message (a training option, hashed into the model file)
        self.head_chars = head_chars  # of a message routed: bounds the cost of routing, learns nothing
        self.C = C
        self._domain: _Head | None = None
        self._type: _Head | None = None
        self.inputs_sha256: str | None = None
        self.meta: dict[str, Any] = {}

    # --- lifecycle -----------------------------------------------------------------------------
    @property
    def ready(self) -> bool:
        return self._domain is not None and self._type is not None

    def warm_up(self) -> None:
        """Load the configured model file (no-op when a model is already loaded or trained)."""
        if self.ready:
            return
        if self.model_path is None:
            raise ConfigurationError(
                f"No ticket-routing model is configured: set {SETTING} to a model file; {TRAIN_HINT}.",
                field=SETTING,
            )
        self.load(self.model_path)

    def load(self, path: Path | str) -> TicketRouter:
        """Load a model file written by `save()` into this router."""
        stored = load_model(path)
        self._domain, self._type, self.meta = stored.domain, stored.type, stored.meta
        self.inputs_sha256 = stored.inputs_sha256
        log.info("loaded ticket model %s (%d domains, %d types)", path, len(self._domain.labels),
                 len(self._type.labels))
        return self

    def save(self, path: Path | str) -> Path:
        """Write the trained model (joblib, compressed, with the hash of its inputs) and return the path."""
        if not self.ready:
            raise ConfigurationError("Nothing to save: train() or load() a ticket-routing model first.")
        return save_model(path, domain=self._domain, type_head=self._type, meta=self.meta,
                          inputs_sha256=self.inputs_sha256 or "")

    # --- training ------------------------------------------------------------------------------
    def training_params(self) -> dict[str, Any]:
        """The options that change what `train()` learns (top_k only shapes the output); hashed
        with the training data into the model file's ``inputs_sha256``."""
        return {"classifier": self.classifier, "word_features": self.word_features, "C": self.C,
                "min_class_examples": self.min_class_examples, "max_chars": self.max_chars}

    def train(self, records: Iterable[Mapping[str, Any]]) -> TrainReport:
        """Fit both heads on records ``{"message", "domain", "message_type"}``.

        A record without a domain (None or "") still trains the type head, and vice versa; a record
        without a message is an error, since it almost always means a wrong column name.
        """
        t0 = time.perf_counter()
        examples: list[tuple[str, str | None, str | None]] = []
        for i, r in enumerate(records):
            msg = r.get("message") if isinstance(r, Mapping) else None
            if not isinstance(msg, str) or not msg.strip():
                raise InvalidInput(
                    f"Training record {i} has no text in 'message' (keys: {sorted(r) if isinstance(r, Mapping) else type(r).__name__}); "
                    "every record needs {\"message\", \"domain\", \"message_type\"}.",
                    field="message",
                )
            examples.append((msg[: self.max_chars], clean_label(r.get("domain")), clean_label(r.get("message_type"))))
        dom_x = [m for m, d, _ in examples if d]
        dom_y = [d for _, d, _ in examples if d]
        typ_x = [m for m, _, t in examples if t]
        typ_y = [t for _, _, t in examples if t]
        dom_y, folded_d = fold_rare(dom_y, self.min_class_examples)
        typ_y, folded_t = fold_rare(typ_y, self.min_class_examples)
        for name, ys in (("domain", dom_y), ("message_type", typ_y)):
            if len(set(ys)) < 2:
                raise InvalidInput(
                    f"Cannot train the {name} head: it needs at least two labels with {self.min_class_examples}+ "
                    f"examples each, got {dict(Counter(ys)) or 'no labelled records'}. Add labelled messages.",
                    field=name,
                )
        params = self.training_params()
        digest = inputs_digest(examples, params)
        self._domain = self._fit_head(dom_x, dom_y)
        self._type = self._fit_head(typ_x, typ_y)
        self.inputs_sha256 = digest
        secs = time.perf_counter() - t0
        report = TrainReport(len(dom_x), len(typ_x), self._domain.labels, self._type.labels,
                             folded_d, folded_t, round(secs, 2), digest)
        self.meta = {**params, "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S"), **asdict(report)}
        log.info("trained ticket router in %.1fs: %d domain / %d type examples, folded %s", secs,
                 len(dom_x), len(typ_x), {**folded_d, **folded_t} or "nothing")
        return report

    def _fit_head(self, texts: list[str], labels: list[str]) -> _Head:
        import numpy as np

        vec = make_vectorizer(self.word_features)
        X = vec.fit_transform(texts)
        y = np.asarray(labels)
        model = self._make_model().fit(X, y)
        temperature = None
        if self.classifier != "logreg":
            temperature = fit_temperature(self._make_model, X, y, model.classes_)
        return _Head(vec, model, temperature)

    def _make_model(self):
        # class_weight="balanced": 城建 is ~45% of real traffic; unweighted models starve the small
        # domains, which is exactly where a staff member needs the hint.
        if self.classifier == "linear_svc":
            from sklearn.svm import LinearSVC

            return LinearSVC(C=self.C, class_weight="balanced", random_state=0)
        if self.classifier == "sgd":
            from sklearn.linear_model import SGDClassifier

            return SGDClassifier(loss="modified_huber", alpha=2e-5, class_weight="balanced", random_state=0)
        from sklearn.linear_model import LogisticRegression

        # Log-loss needs far less regularisation than the hinge at the same C; x20 matched the best
        # validation macro-F1 (C=10 for C=0.5).
        return LogisticRegression(C=self.C * 20, class_weight="balanced", max_iter=2000)

    # --- inference -----------------------------------------------------------------------------
    def run(self, message: str) -> TicketPrediction:
        """Route one message."""
        return self.run_many([message])[0]

    def run_many(self, messages: list[str]) -> list[TicketPrediction]:
        """Route a batch (one vectorizer call per head: much faster than many `run()` calls)."""
        for i, m in enumerate(messages):
            if not isinstance(m, str) or not m.strip():
                where = "" if len(messages) == 1 else f" (item {i})"
                raise InvalidInput(f"The message{where} is empty: send the citizen's message text.", field="message")
        self.warm_up()
        if not messages:
            return []
        texts = [m[: min(self.max_chars, self.head_chars)] for m in messages]
        dp, tp = self._domain.proba(texts), self._type.proba(texts)
        out = []
        for drow, trow in zip(dp, tp, strict=True):
            order = drow.argsort()[::-1][: self.top_k]
            top = [(self._domain.labels[j], round(float(drow[j]), 4)) for j in order]
            t = int(trow.argmax())
            out.append(TicketPrediction(top[0][0], top[0][1], self._type.labels[t], round(float(trow[t]), 4), top))
        return out
