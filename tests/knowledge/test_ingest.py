"""Incremental ingestion: unchanged documents are not re-embedded, deleted ones disappear,
and a half-written document (a run killed mid-ingest) is detected and repaired."""

import numpy as np

from knowledge.documents import Document, Section
from knowledge.embedders import HashEmbedder
from knowledge.ingest import Ingestor
from knowledge.store import InMemoryStore


class CountingEmbedder(HashEmbedder):
    def __init__(self):
        super().__init__()
        self.embedded = 0

    def embed_documents(self, texts):
        self.embedded += len(texts)
        return super().embed_documents(texts)


def _doc(doc_id: str, *texts: str) -> Document:
    return Document(doc_id, doc_id, [Section(f"{doc_id}#s{n}", f"{doc_id} · {n}", t, {}) for n, t in enumerate(texts)])


def test_incremental_reingest():
    store, emb = InMemoryStore(), CountingEmbedder()
    ing = Ingestor(store, emb, progress=False)
    r1 = ing.run([_doc("a", "出生登记", "医保参保"), _doc("b", "企业开办")])
    assert sorted(r1.added) == ["a", "b"] and emb.embedded == 3
    r2 = ing.run([_doc("a", "出生登记", "医保参保"), _doc("b", "企业开办")])
    assert sorted(r2.unchanged) == ["a", "b"] and emb.embedded == 3  # nothing re-embedded
    r3 = ing.run([_doc("a", "出生登记", "社保卡申领")])
    assert r3.updated == ["a"] and r3.deleted == ["b"] and emb.embedded == 5
    texts = {r.chunk_id: r.text for r in store.all_records()}
    assert texts == {"a#s0": "出生登记", "a#s1": "社保卡申领"}


def test_partial_document_is_repaired():
    store, emb = InMemoryStore(), CountingEmbedder()
    ing = Ingestor(store, emb, progress=False)
    ing.run([_doc("a", "出生登记", "医保参保")])
    store._records.pop("a#s1")  # simulate a run killed after writing only part of the document
    store._vecs.pop("a#s1")
    report = ing.run([_doc("a", "出生登记", "医保参保")])
    assert report.updated == ["a"]
    assert store.count() == 2
    vec = store._vecs["a#s1"]
    assert np.isclose(np.linalg.norm(vec), 1.0)


def test_another_chunking_re_chunks_an_unchanged_document(monkeypatch):
    import knowledge.ingest as ingest_module

    store, emb = InMemoryStore(), CountingEmbedder()
    docs = [_doc("a", "出生登记。" * 30)]
    Ingestor(store, emb, progress=False).run(docs)
    assert Ingestor(store, emb, progress=False).run(docs).unchanged == ["a"]
    assert Ingestor(store, emb, max_chars=50, progress=False).run(docs).updated == ["a"]  # other chunk size
    monkeypatch.setattr(ingest_module, "CHUNKING_VERSION", ingest_module.CHUNKING_VERSION + 1)
    assert Ingestor(store, emb, max_chars=50, progress=False).run(docs).updated == ["a"]  # other chunking rules
    assert all(len(r.text) <= 50 for r in store.all_records())
