"""Ticket-model files: save and load, versioned, with a hash of the training inputs.

A model file is a compressed joblib pickle of one dict: a header (format name, format version,
scikit-learn version, ``inputs_sha256``) plus the two fitted heads and the training metadata.
``inputs_sha256`` is the SHA-256 of the training examples and training parameters, so a deployer
can tell which data and options produced a file, and two files trained from the same inputs carry
the same hash. Pickles run code when loaded: load only files you trained yourself.

Loading anything else (a missing, damaged or foreign file, an older format version, a file without
the inputs hash) raises `ConfigurationError` naming ``YJS_TICKET_MODEL_PATH`` and the train
command. The heads' classes and the feature functions are pickled by module path, so moving them
is a format change: bump `FORMAT_VERSION` with it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import ConfigurationError

log = logging.getLogger(__name__)

SETTING = "YJS_TICKET_MODEL_PATH"
TRAIN_COMMAND = "python -m assistant.tickets train"
TRAIN_HINT = f"train one with `{TRAIN_COMMAND} tickets.jsonl model.joblib`"
FORMAT = "yjs-ticket-router"
# 1: single-module assistant/tickets.py, no inputs hash. 2: the assistant.tickets package, inputs_sha256.
FORMAT_VERSION = 2

_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class StoredModel:
    """The contents of a model file that passed every check."""

    domain: Any
    type: Any
    meta: dict[str, Any]
    inputs_sha256: str


def inputs_digest(examples: Iterable[tuple[str, str | None, str | None]], params: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the training parameters and the ordered ``(message, domain, message_type)``
    examples exactly as training uses them (truncated text, cleaned labels; None for no label).

    Order counts because the calibration folds depend on it. Keys a record carries besides the
    three (a row number, an id) do not count: they do not change the model.
    """
    h = hashlib.sha256()
    h.update(json.dumps({"params": dict(params)}, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    for message, domain, message_type in examples:
        h.update(b"\n")
        h.update(json.dumps([message, domain, message_type], ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()


def save_model(path: Path | str, *, domain: Any, type_head: Any, meta: Mapping[str, Any], inputs_sha256: str) -> Path:
    """Write the two heads and their metadata (joblib, compressed) and return the path."""
    if not _SHA256.fullmatch(inputs_sha256 or ""):
        raise ConfigurationError("Cannot save a ticket-routing model without the SHA-256 hash of its training inputs: "
                                 "train() it first.")
    import joblib
    import sklearn

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    blob = {"format": FORMAT, "version": FORMAT_VERSION, "sklearn": sklearn.__version__,
            "inputs_sha256": inputs_sha256, "domain": domain, "type": type_head, "meta": dict(meta)}
    joblib.dump(blob, path, compress=3)
    log.info("saved ticket model to %s (%.1f MB, inputs %s)", path, path.stat().st_size / 1e6, inputs_sha256[:12])
    return path


def load_model(path: Path | str) -> StoredModel:
    """Read and check a file written by `save_model`."""
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
    except Exception as exc:  # truncated, foreign, or pickled by older code whose classes moved
        raise ConfigurationError(
            f"Cannot read the ticket-routing model {path} ({SETTING}): {exc}. The file is damaged, not a model "
            f"file, or was written by an older version of this code. Re-train it: {TRAIN_HINT}.",
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
    digest = blob.get("inputs_sha256")
    if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
        raise ConfigurationError(
            f"{path} ({SETTING}) does not record the hash of its training inputs; {TRAIN_HINT}.", field=SETTING
        )
    if blob.get("domain") is None or blob.get("type") is None:
        raise ConfigurationError(f"{path} ({SETTING}) is missing a classifier head; {TRAIN_HINT}.", field=SETTING)
    import sklearn

    if blob.get("sklearn") != sklearn.__version__:
        log.warning("ticket model %s was trained with scikit-learn %s, running %s: re-train if predictions look off",
                    path, blob.get("sklearn"), sklearn.__version__)
    log.info("read ticket model %s in %.2fs (inputs %s)", path, time.perf_counter() - t0, digest[:12])
    return StoredModel(blob["domain"], blob["type"], dict(blob.get("meta", {})), digest)
