"""Ticket routing for the smart help-desk: which domain handles a free-text citizen message
(城建/交通/教育 ...) and what kind of message it is (建言/投诉/求助/咨询), with probabilities.

Two independent heads, each character n-gram (1-3) TF-IDF + a linear classifier. Character
n-grams need no word segmentation, so they are robust to the colloquial, typo-ridden and
partly masked (``****``) text of 12345-style messages. The default classifier is a class-balanced
LinearSVC: on the MSGABench messages it beat logistic regression, calibrated SVC and SGD on
macro-F1 and on accuracy, and trains in seconds (``python -m evals.tickets --compare``).
LinearSVC has no probabilities, so its margins go through one softmax temperature fitted on
out-of-fold margins: the argmax is unchanged and the scores become usable probabilities.

No model ships with the product (the public benchmark has no licence). A deployer trains one from
their own JSONL (``{"message", "domain", "message_type"}`` per line)::

    python -m assistant.tickets train tickets.jsonl var/ticket-model.joblib

and points the ``YJS_TICKET_MODEL_PATH`` setting at the file. Model files are joblib pickles:
load only files you trained yourself.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from core.errors import ConfigurationError, InvalidInput

log = logging.getLogger(__name__)

SETTING = "YJS_TICKET_MODEL_PATH"
FORMAT = "yjs-ticket-router"
FORMAT_VERSION = 1
OTHER = "其他"
TRAIN_HINT = "train one with `python -m assistant.tickets train tickets.jsonl model.joblib`"

Classifier = Literal["linear_svc", "logreg", "sgd"]
CLASSIFIERS: tuple[str, ...] = ("linear_svc", "logreg", "sgd")

# Display names of the handling department for common 12345 domains. Labels that are already a
# department (the national ministries in MSGABench, e.g. 水利部) are shown as they are.
domain_to_department: dict[str, str] = {
    "城建": "住房和城乡建设部门",
    "交通": "交通运输部门",
    "教育": "教育部门",
    "政务": "政务服务管理部门",
    "企业": "市场监督管理部门",
    "治安": "公安部门",
    "环保": "生态环境部门",
    "就业": "人力资源和社会保障部门",
    "医疗": "卫生健康部门",
    "三农": "农业农村部门",
    "文娱": "文化和旅游部门",
    "旅游": "文化和旅游部门",
    "金融": "金融监督管理部门",
    "体育": "体育部门",
    "水利": "水务部门",
    "民政": "民政部门",
    "医保": "医疗保障部门",
    "应急": "应急管理部门",
    OTHER: "12345热线人工分办",
}

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


@dataclass(frozen=True)
class TicketPrediction:
    domain: str
    domain_score: float
    message_type: str
    type_score: float
    top_domains: list[tuple[str, float]] = field(default_factory=list)

    @property
    def department(self) -> str:
        """Who handles it, for display: the mapped department, or the label itself."""
        return domain_to_department.get(self.domain, self.domain)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["top_domains"] = [[label, score] for label, score in self.top_domains]
        d["department"] = self.department
        return d


@dataclass(frozen=True)
class TrainReport:
    """What a training run saw: examples per head, labels kept, labels folded into 其他."""

    domain_examples: int
    type_examples: int
    domain_labels: list[str]
    type_labels: list[str]
    folded_domains: dict[str, int]
    folded_types: dict[str, int]
    seconds: float


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
        return _softmax(_margins(self.model, X) / self.temperature)


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
    ) -> None:
        if classifier not in CLASSIFIERS:
            raise ConfigurationError(
                f"Unknown ticket classifier {classifier!r}: use one of {', '.join(CLASSIFIERS)}.", field="classifier"
            )
        if min_class_examples < 1:
            raise ConfigurationError(f"min_class_examples must be >= 1, got {min_class_examples}.")
        if top_k < 1:
            raise ConfigurationError(f"top_k must be >= 1, got {top_k}.")
        if max_chars < 1:
            raise ConfigurationError(f"max_chars must be >= 1, got {max_chars}.")
        if C <= 0:
            raise ConfigurationError(f"C must be > 0, got {C}.")
        self.model_path = Path(model_path) if model_path is not None else None
        self.classifier = classifier
        self.word_features = word_features
        self.min_class_examples = min_class_examples
        self.top_k = top_k
        self.max_chars = max_chars
        self.C = C
        self._domain: _Head | None = None
        self._type: _Head | None = None
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
        path = Path(path)
        if not path.is_file():
            raise ConfigurationError(
                f"Ticket-routing model not found at {path} ({SETTING}): point {SETTING} at an existing "
                f"file, or {TRAIN_HINT}.",
                field=SETTING,
            )
        import joblib

        t0 = time.perf_counter()
        try:
            blob = joblib.load(path)
        except Exception as exc:  # a truncated or foreign pickle: say which file and what to do
            raise ConfigurationError(
                f"Cannot read the ticket-routing model {path} ({SETTING}): {exc}. Re-train it: {TRAIN_HINT}.",
                field=SETTING,
            ) from exc
        if not isinstance(blob, dict) or blob.get("format") != FORMAT:
            raise ConfigurationError(
                f"{path} ({SETTING}) is not a ticket-routing model file; {TRAIN_HINT}.", field=SETTING
            )
        if blob.get("version") != FORMAT_VERSION:
            raise ConfigurationError(
                f"{path} ({SETTING}) has model format version {blob.get('version')}, this code reads "
                f"{FORMAT_VERSION}; {TRAIN_HINT}.",
                field=SETTING,
            )
        import sklearn

        if blob.get("sklearn") != sklearn.__version__:
            log.warning("ticket model %s was trained with scikit-learn %s, running %s: re-train if predictions look off",
                        path, blob.get("sklearn"), sklearn.__version__)
        self._domain, self._type, self.meta = blob["domain"], blob["type"], dict(blob.get("meta", {}))
        log.info("loaded ticket model %s in %.2fs (%d domains, %d types)", path, time.perf_counter() - t0,
                 len(self._domain.labels), len(self._type.labels))
        return self

    def save(self, path: Path | str) -> Path:
        """Write the trained model (joblib, compressed) and return the path."""
        if not self.ready:
            raise ConfigurationError("Nothing to save: train() or load() a ticket-routing model first.")
        import joblib
        import sklearn

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        blob = {"format": FORMAT, "version": FORMAT_VERSION, "sklearn": sklearn.__version__,
                "domain": self._domain, "type": self._type, "meta": self.meta}
        joblib.dump(blob, path, compress=3)
        log.info("saved ticket model to %s (%.1f MB)", path, path.stat().st_size / 1e6)
        return path

    # --- training ------------------------------------------------------------------------------
    def train(self, records: Iterable[Mapping[str, Any]]) -> TrainReport:
        """Fit both heads on records ``{"message", "domain", "message_type"}``.

        A record without a domain (None or "") still trains the type head, and vice versa; a record
        without a message is an error, since it almost always means a wrong column name.
        """
        t0 = time.perf_counter()
        dom_x, dom_y, typ_x, typ_y = [], [], [], []
        for i, r in enumerate(records):
            msg = r.get("message") if isinstance(r, Mapping) else None
            if not isinstance(msg, str) or not msg.strip():
                raise InvalidInput(
                    f"Training record {i} has no text in 'message' (keys: {sorted(r) if isinstance(r, Mapping) else type(r).__name__}); "
                    "every record needs {\"message\", \"domain\", \"message_type\"}.",
                    field="message",
                )
            msg = msg[: self.max_chars]
            if _label(r.get("domain")):
                dom_x.append(msg)
                dom_y.append(_label(r.get("domain")))
            if _label(r.get("message_type")):
                typ_x.append(msg)
                typ_y.append(_label(r.get("message_type")))
        dom_y, folded_d = self._fold_rare(dom_y)
        typ_y, folded_t = self._fold_rare(typ_y)
        for name, ys in (("domain", dom_y), ("message_type", typ_y)):
            if len(set(ys)) < 2:
                raise InvalidInput(
                    f"Cannot train the {name} head: it needs at least two labels with {self.min_class_examples}+ "
                    f"examples each, got {dict(Counter(ys)) or 'no labelled records'}. Add labelled messages.",
                    field=name,
                )
        self._domain = self._fit_head(dom_x, dom_y)
        self._type = self._fit_head(typ_x, typ_y)
        secs = time.perf_counter() - t0
        report = TrainReport(len(dom_x), len(typ_x), self._domain.labels, self._type.labels,
                             folded_d, folded_t, round(secs, 2))
        self.meta = {"classifier": self.classifier, "word_features": self.word_features, "C": self.C,
                     "min_class_examples": self.min_class_examples, "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
                     **asdict(report)}
        log.info("trained ticket router in %.1fs: %d domain / %d type examples, folded %s", secs,
                 len(dom_x), len(typ_x), {**folded_d, **folded_t} or "nothing")
        return report

    def _fold_rare(self, ys: list[str]) -> tuple[list[str], dict[str, int]]:
        counts = Counter(ys)
        rare = {k: v for k, v in counts.items() if v < self.min_class_examples and k != OTHER}
        return [OTHER if y in rare else y for y in ys], rare

    def _fit_head(self, texts: list[str], labels: list[str]) -> _Head:
        import numpy as np

        vec = self._make_vectorizer()
        X = vec.fit_transform(texts)
        y = np.asarray(labels)
        model = self._make_model().fit(X, y)
        temperature = None
        if self.classifier != "logreg":
            temperature = _fit_temperature(self._make_model, X, y, model.classes_)
        return _Head(vec, model, temperature)

    def _make_vectorizer(self):
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer

        chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True,
                                preprocessor=normalize_message, dtype=np.float32)
        if not self.word_features:
            return chars
        from sklearn.pipeline import make_union

        words = TfidfVectorizer(tokenizer=jieba_words, token_pattern=None, lowercase=False, ngram_range=(1, 2),
                                min_df=2, sublinear_tf=True, preprocessor=normalize_message, dtype=np.float32)
        return make_union(chars, words)

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
        texts = [m[: self.max_chars] for m in messages]
        dp, tp = self._domain.proba(texts), self._type.proba(texts)
        out = []
        for drow, trow in zip(dp, tp, strict=True):
            order = drow.argsort()[::-1][: self.top_k]
            top = [(self._domain.labels[j], round(float(drow[j]), 4)) for j in order]
            t = int(trow.argmax())
            out.append(TicketPrediction(top[0][0], top[0][1], self._type.labels[t], round(float(trow[t]), 4), top))
        return out


def _label(v: Any) -> str | None:
    if v is None:
        return None
    s = str(v).strip()
    return s or None


def _margins(model: Any, X):
    import numpy as np

    d = np.asarray(model.decision_function(X), dtype=np.float64)
    if d.ndim == 1:  # binary: one margin, positive means classes_[1]
        d = np.column_stack([-d / 2, d / 2])
    return d


def _softmax(z):
    import numpy as np

    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _fit_temperature(make_model, X, y, classes, folds: int = 3) -> float:
    """The temperature T minimising the log-loss of softmax(margin / T) on out-of-fold margins.

    Folds are plain shuffled k-fold; a class absent from a fold's training part gets a very low
    margin there, so rare classes cannot break the fit.
    """
    import numpy as np

    n = X.shape[0]
    if n < 2 * folds:
        return 1.0
    idx = np.random.default_rng(0).permutation(n)
    col = {c: j for j, c in enumerate(classes)}
    margins, gold = [], []
    for k in range(folds):
        te = idx[k::folds]
        tr = np.setdiff1d(idx, te)
        if len(set(y[tr])) < 2:
            continue
        m = make_model().fit(X[tr], y[tr])
        d = _margins(m, X[te])
        full = np.full((len(te), len(classes)), -1e3)
        for j, c in enumerate(m.classes_):
            full[:, col[c]] = d[:, j]
        margins.append(full)
        gold.append(np.array([col[c] for c in y[te]]))
    if not margins:
        return 1.0
    D, g = np.vstack(margins), np.concatenate(gold)

    def nll(t: float) -> float:
        z = D / t
        z = z - z.max(axis=1, keepdims=True)
        return float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(g)), g]))

    grid = np.geomspace(0.01, 10.0, 61)
    best = grid[int(np.argmin([nll(t) for t in grid]))]
    fine = np.geomspace(best / 1.15, best * 1.15, 21)  # refine within one grid step
    return float(fine[int(np.argmin([nll(t) for t in fine]))])


# --- deployer entry points ---------------------------------------------------------------------
def read_jsonl_records(path: Path | str) -> list[dict[str, Any]]:
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"Training file {path} does not exist: give a JSONL file of "
                           "{\"message\", \"domain\", \"message_type\"} records.", field="path")
    records = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError as exc:
            raise InvalidInput(f"{path}:{n} is not valid JSON ({exc}): one JSON object per line.", field="path") from exc
        if not isinstance(rec, dict):
            raise InvalidInput(f"{path}:{n} is a {type(rec).__name__}, expected a JSON object.", field="path")
        records.append(rec)
    return records


def train_from_jsonl(path: Path | str, out_path: Path | str, **router_options: Any) -> TrainReport:
    """Train a router from a deployer's JSONL file and save it to `out_path` (then set YJS_TICKET_MODEL_PATH)."""
    router = TicketRouter(**router_options)
    report = router.train(read_jsonl_records(path))
    router.save(out_path)
    return report


def main(argv: list[str] | None = None) -> int:
    """``python -m assistant.tickets train IN.jsonl OUT.joblib`` | ``predict --model OUT.joblib "留言"``."""
    p = argparse.ArgumentParser(prog="python -m assistant.tickets", description="Help-desk ticket routing model.")
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train from JSONL {message, domain, message_type} and save the model")
    t.add_argument("path", type=Path)
    t.add_argument("out_path", type=Path)
    t.add_argument("--classifier", choices=CLASSIFIERS, default="linear_svc")
    t.add_argument("--word-features", action="store_true", help="add jieba word n-grams (slower, rarely better)")
    t.add_argument("--min-class-examples", type=int, default=5)
    pr = sub.add_parser("predict", help="route messages, one JSON line each")
    pr.add_argument("--model", type=Path, required=True)
    pr.add_argument("messages", nargs="+")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "train":
            rep = train_from_jsonl(args.path, args.out_path, classifier=args.classifier,
                                   word_features=args.word_features, min_class_examples=args.min_class_examples)
            print(json.dumps({"model": str(args.out_path), **asdict(rep)}, ensure_ascii=False))
            print(f"set {SETTING}={args.out_path}", file=sys.stderr)
        else:
            router = TicketRouter(args.model)
            for pred in router.run_many(args.messages):
                print(json.dumps(pred.to_dict(), ensure_ascii=False))
    except (ConfigurationError, InvalidInput) as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())


# --- the model file, loaded lazily --------------------------------------------------------------------------------
class TicketModel:
    """The ticket router loaded lazily from its file, reloaded when the file changes.

    No model ships with the product, so a missing file is a normal state: `get()` returns None and
    `hint` says how to train one.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._router = None
        self._mtime: float | None = None
        self._lock = threading.Lock()

    @property
    def hint(self) -> str:
        return (f"No ticket-routing model at {self.path}. Train one with "
                f"`python -m assistant.tickets train tickets.jsonl {self.path}` "
                "(records {message, domain, message_type}); `make run` trains one from "
                "../shared/benchmarks/msgabench/messages.jsonl when that file exists.")

    def get(self):
        """The loaded `TicketRouter`, or None when no model file exists."""
        if not self.path.is_file():
            return None
        mtime = self.path.stat().st_mtime
        with self._lock:
            if self._router is None or mtime != self._mtime:
                router = TicketRouter(self.path)
                router.warm_up()
                self._router, self._mtime = router, mtime
            return self._router
