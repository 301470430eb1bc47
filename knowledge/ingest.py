"""Incremental ingestion: documents → chunks → embeddings → vector store.

A document is re-embedded only when its fingerprint changed; documents that disappeared from the
sources are deleted. Each chunk records its document's hash and chunk count, so a run killed halfway
(a partly written document) is detected and repaired by the next run instead of being trusted.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from knowledge.chunking import CHUNKING_VERSION, chunk_document
from knowledge.documents import Document
from knowledge.embedders import Embedder
from knowledge.store import Record, VectorStore

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    chunks_written: int = 0  # chunks (re)written to the store, embedded now or taken from shipped vectors

    def summary(self) -> str:
        return (
            f"added {len(self.added)}, updated {len(self.updated)}, unchanged {len(self.unchanged)}, "
            f"deleted {len(self.deleted)} documents; wrote {self.chunks_written} chunks"
        )


def complete_doc_hashes(records: list[Record]) -> dict[str, str]:
    """doc_id → hash for documents whose chunks are all present with one hash (else 'incomplete')."""
    by_doc: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        by_doc[r.doc_id].append(r)
    out = {}
    for doc_id, recs in by_doc.items():
        hashes = {str(r.metadata.get("doc_hash")) for r in recs}
        expected = {int(r.metadata.get("doc_chunks", -1)) for r in recs}
        ok = len(hashes) == 1 and expected == {len(recs)}
        out[doc_id] = hashes.pop() if ok else "incomplete"
    return out


CHUNK_CHARS = 400  # the longest chunk an ingest cuts (knowledge.chunking)


def embed_texts(doc: Document, max_chars: int = CHUNK_CHARS) -> list[str]:
    """The texts an ingest embeds for `doc` (its chunks with their headings)."""
    return [c.embed_text for c in chunk_document(doc, max_chars=max_chars)]


def catalogue_passages(guides_dir: Path) -> list[str]:
    """Every text an ingest of the catalogue at `guides_dir` embeds (scripts/embed_catalogue.py ships their vectors)."""
    from knowledge.catalog import Catalog

    return [t for doc in Catalog.from_dir(guides_dir).documents() for t in embed_texts(doc)]


def ingest_fingerprint(doc: Document, max_chars: int = CHUNK_CHARS) -> str:
    """What an indexed document's chunks record as its hash: its content and how it is cut into chunks,
    so a change of either (a new chunking rule, another `max_chars`) re-ingests it."""
    return hashlib.sha256(f"{doc.fingerprint}|{CHUNKING_VERSION}|{max_chars}".encode()).hexdigest()[:16]


class Ingestor:
    """Keeps a vector store in sync with a set of documents."""

    def __init__(self, store: VectorStore, embedder: Embedder, *, max_chars: int = CHUNK_CHARS, progress: bool = True,
                 batch_chunks: int = 128) -> None:
        self.store = store
        self.embedder = embedder
        self.max_chars = max_chars
        self.progress = progress
        self.batch_chunks = batch_chunks

    def fingerprint(self, doc: Document) -> str:
        return ingest_fingerprint(doc, self.max_chars)

    def _flush(self, pending: list[tuple[Record, str]]) -> int:
        """Embed (the heading-carrying embed texts) and write a batch of chunks."""
        self.store.upsert([r for r, _ in pending], self.embedder.embed_documents([t for _, t in pending]))
        return len(pending)

    def run(self, documents: list[Document], *, prune: bool = True) -> IngestReport:
        """Sync the store to `documents`. With `prune`, documents not given are deleted."""
        self.store.warm_up()
        existing = complete_doc_hashes(self.store.all_records())
        report = IngestReport()
        seen = set()
        todo: list[tuple[Document, str]] = []
        for doc in documents:
            if doc.doc_id in seen:
                log.warning("duplicate document id %s: keeping the first", doc.doc_id)
                continue
            seen.add(doc.doc_id)
            fp = self.fingerprint(doc)
            if existing.get(doc.doc_id) == fp:
                report.unchanged.append(doc.doc_id)
            else:
                todo.append((doc, fp))
                (report.updated if doc.doc_id in existing else report.added).append(doc.doc_id)
        if prune:
            report.deleted = sorted(set(existing) - seen)
            if report.deleted:
                self.store.delete_docs(report.deleted)
        # Chunks of several documents are embedded and written together: far fewer model calls and
        # store round trips than one per document. Completeness is still judged per document.
        bar = tqdm(total=len(todo), desc="ingest", unit="doc", disable=not self.progress or not todo)
        pending: list[tuple[Record, str]] = []
        replaced = [doc.doc_id for doc, _ in todo if doc.doc_id in existing]
        if replaced:
            self.store.delete_docs(replaced)
        for doc, fp in todo:
            chunks = chunk_document(doc, max_chars=self.max_chars)
            pending.extend(
                (
                    Record(c.chunk_id, c.text, {**c.metadata, "title": c.title, "source_id": c.source_id,
                                                "doc_id": doc.doc_id, "doc_hash": fp, "doc_chunks": len(chunks)}),
                    c.embed_text,
                )
                for c in chunks
            )
            if len(pending) >= self.batch_chunks:
                report.chunks_written += self._flush(pending)
                pending = []
            bar.update(1)
        if pending:
            report.chunks_written += self._flush(pending)
        bar.close()
        log.info("ingest: %s", report.summary())
        return report


def collect_documents(guides_dir: Path, extra_dirs: list[Path] | None = None) -> list[Document]:
    """Our catalogue guides plus every supported file under the extra folders."""
    from knowledge.catalog import Catalog

    docs = Catalog.from_dir(guides_dir).documents()
    if extra_dirs:
        from knowledge.loaders import load_path

        for d in extra_dirs:
            docs.extend(load_path(Path(d)))
    return docs
