"""Vector stores behind one Protocol; `ChromaStore` is the only code that imports chromadb.

Each stored record (`knowledge.documents.Record`, stored without scores) is one chunk: its body
text, its vector, and flat metadata (title, source_id, doc_id, doc_hash, one_thing_id, region,
audience, kind...). The store is the single source of truth for the index: BM25 is rebuilt from
`all_records()` at warm-up, so the two can never disagree.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from core.errors import ServiceUnavailable
from knowledge.documents import Record

log = logging.getLogger(__name__)


Where = dict[str, Any]


class VectorStore(Protocol):
    def warm_up(self) -> None: ...

    def upsert(self, records: list[Record], embeddings: np.ndarray) -> None: ...

    def delete_docs(self, doc_ids: list[str]) -> None: ...

    def doc_hashes(self) -> dict[str, str]: ...

    def all_records(self) -> list[Record]: ...

    def query(self, embedding: np.ndarray, k: int, where: Where | None = None) -> list[tuple[str, float]]: ...

    def count(self) -> int: ...


def _flat(meta: dict[str, Any]) -> dict[str, str | int | float | bool]:
    """Chroma metadata must be scalar: drop None, join lists."""
    out: dict[str, str | int | float | bool] = {}
    for k, v in meta.items():
        if v is None:
            continue
        if isinstance(v, (list, tuple)):
            v = ",".join(map(str, v))
        elif not isinstance(v, (str, int, float, bool)):
            v = str(v)
        out[k] = v
    return out


def _matches(meta: dict[str, Any], where: Where | None) -> bool:
    if not where:
        return True
    return all(meta.get(k) == v for k, v in where.items())


def _to_chroma_where(where: Where | None) -> dict | None:
    if not where:
        return None
    if len(where) == 1:
        return dict(where)
    return {"$and": [{k: v} for k, v in where.items()]}


class InMemoryStore:
    """A dict-and-numpy store with the same behaviour as ChromaStore, for fast unit tests."""

    def __init__(self) -> None:
        self._records: dict[str, Record] = {}
        self._vecs: dict[str, np.ndarray] = {}
        self._matrix: tuple[list[str], np.ndarray] | None = None  # (ids, their vectors stacked), until a write

    def _stacked(self) -> tuple[list[str], np.ndarray]:
        # Stacking every vector per query was most of the fast tier's training time (thousands of queries).
        if self._matrix is None:
            ids = list(self._vecs)
            self._matrix = ids, (np.vstack([self._vecs[i] for i in ids]) if ids else np.zeros((0, 0), np.float32))
        return self._matrix

    def warm_up(self) -> None:
        return None

    def upsert(self, records: list[Record], embeddings: np.ndarray) -> None:
        for r, v in zip(records, embeddings, strict=True):
            self._records[r.chunk_id] = Record(r.chunk_id, r.text, _flat(r.metadata))
            self._vecs[r.chunk_id] = np.asarray(v, dtype=np.float32)
        self._matrix = None

    def delete_docs(self, doc_ids: list[str]) -> None:
        gone = [cid for cid, r in self._records.items() if r.doc_id in set(doc_ids)]
        for cid in gone:
            del self._records[cid]
            del self._vecs[cid]
        self._matrix = None

    def doc_hashes(self) -> dict[str, str]:
        return {r.doc_id: str(r.metadata.get("doc_hash", "")) for r in self._records.values()}

    def all_records(self) -> list[Record]:
        return sorted(self._records.values(), key=lambda r: r.chunk_id)

    def query(self, embedding: np.ndarray, k: int, where: Where | None = None) -> list[tuple[str, float]]:
        ids, matrix = self._stacked()
        rows = [i for i, cid in enumerate(ids) if _matches(self._records[cid].metadata, where)] if where else None
        if rows is not None:
            ids, matrix = [ids[i] for i in rows], matrix[rows]
        if not ids:
            return []
        sims = matrix @ np.asarray(embedding, dtype=np.float32)
        order = np.argsort(-sims)[:k]
        return [(ids[i], float(sims[i])) for i in order]

    def count(self) -> int:
        return len(self._records)


# How many graph neighbours chroma's HNSW index explores per query. Its default (100) made the tail of the
# 100-candidate lists the retriever asks for differ from one process to the next: the same question got
# a bundle's passage at rank 12 in one run and not in another, which moved the decision model's passage
# features (up to 0.8) and, on a blind set, refused one question in one run of two. At 500 the lists were
# the same under every hash seed tried, and a query over ~2,600 chunks still takes about a millisecond.
SEARCH_EF = 500

# The folder's SQLite may be busy for a moment when another handle on it has just written (a second client of the
# same folder, an ingest beside the server): "database is locked". Widening the search is one small write, so it
# waits and tries again before the store is called unavailable.
LOCKED_RETRIES = 5


def _widen(col) -> None:
    """Set the collection's search breadth to SEARCH_EF (kept with the collection)."""
    for attempt in range(LOCKED_RETRIES):
        try:
            col.modify(configuration={"hnsw": {"ef_search": SEARCH_EF}})
            return
        except Exception as exc:
            if "database is locked" not in str(exc) or attempt == LOCKED_RETRIES - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


class ChromaStore:
    """Chroma collection with cosine distance: PersistentClient on a folder, or HttpClient on a URL."""

    def __init__(self, collection: str, path: Path | None = None, url: str | None = None) -> None:
        if not path and not url:
            raise ValueError("ChromaStore needs a folder (YJS_CHROMA_PATH) or a server URL (YJS_CHROMA_URL)")
        self.collection_name = collection
        self.path = Path(path) if path else None
        self.url = url
        self._col = None

    @property
    def where_described(self) -> str:
        return f"chroma server {self.url}" if self.url else f"chroma folder {self.path}"

    def warm_up(self) -> None:
        if self._col is not None:
            return
        try:
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            chroma_settings = ChromaSettings(anonymized_telemetry=False)
            if self.url:
                from urllib.parse import urlparse

                u = urlparse(self.url)
                client = chromadb.HttpClient(
                    host=u.hostname or "127.0.0.1",
                    port=u.port or (443 if u.scheme == "https" else 8000),
                    ssl=u.scheme == "https",
                    settings=chroma_settings,
                )
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                client = chromadb.PersistentClient(path=str(self.path), settings=chroma_settings)
            col = client.get_or_create_collection(self.collection_name, metadata={"hnsw:space": "cosine"})
            if (col.configuration_json or {}).get("hnsw", {}).get("ef_search", 0) < SEARCH_EF:
                _widen(col)
            self._col = col
        except Exception as exc:  # chromadb raises many kinds; callers need one clear 503
            raise ServiceUnavailable(f"vector store unavailable ({self.where_described}): {exc}") from exc

    def _c(self):
        self.warm_up()
        return self._col

    def upsert(self, records: list[Record], embeddings: np.ndarray) -> None:
        batch = 1000  # chroma caps batch sizes
        for i in range(0, len(records), batch):
            part = records[i : i + batch]
            self._c().upsert(
                ids=[r.chunk_id for r in part],
                documents=[r.text for r in part],
                metadatas=[_flat(r.metadata) for r in part],
                embeddings=np.asarray(embeddings[i : i + batch], dtype=np.float32).tolist(),
            )

    def delete_docs(self, doc_ids: list[str]) -> None:
        for i in range(0, len(doc_ids), 100):
            part = doc_ids[i : i + 100]
            self._c().delete(where={"doc_id": {"$in": part}})

    def doc_hashes(self) -> dict[str, str]:
        got = self._c().get(include=["metadatas"])
        return {m["doc_id"]: str(m.get("doc_hash", "")) for m in got["metadatas"] or [] if "doc_id" in m}

    def all_records(self) -> list[Record]:
        got = self._c().get(include=["documents", "metadatas"])
        recs = [Record(i, d, dict(m or {})) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)]
        return sorted(recs, key=lambda r: r.chunk_id)

    def query(self, embedding: np.ndarray, k: int, where: Where | None = None) -> list[tuple[str, float]]:
        try:
            res = self._c().query(
                query_embeddings=[np.asarray(embedding, dtype=np.float32).tolist()],
                n_results=max(1, k),
                where=_to_chroma_where(where),
                include=["distances"],
            )
        except ServiceUnavailable:
            raise
        except Exception as exc:
            raise ServiceUnavailable(f"vector store query failed ({self.where_described}): {exc}") from exc
        ids = res["ids"][0] if res["ids"] else []
        dists = res["distances"][0] if res["distances"] else []
        return [(i, 1.0 - float(d)) for i, d in zip(ids, dists, strict=True)]

    def count(self) -> int:
        return self._c().count()
