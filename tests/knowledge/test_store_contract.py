"""One contract for every VectorStore: the in-memory fake and the real chroma store behave alike."""

import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pytest

from knowledge.documents import Record
from knowledge.store import ChromaStore, InMemoryStore


def _vec(*xs):
    v = np.asarray(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    """A real `chroma run` server on loopback: the scale-out mode (YJS_CHROMA_URL, HttpClient)."""
    exe = str(Path(sys.executable).parent / "chroma")  # the CLI that ships with the chromadb package
    if not Path(exe).exists():
        exe = shutil.which("chroma") or pytest.fail("the chroma CLI (chromadb package) is not installed")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([exe, "run", "--path", str(tmp_path_factory.mktemp("chroma-server")), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("chroma server did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def _make(kind: str, tmp_path, request) -> object:
    if kind == "memory":
        return InMemoryStore()
    if kind == "chroma":
        return ChromaStore("contract", path=tmp_path / "chroma")
    return ChromaStore(f"contract-{uuid.uuid4().hex[:8]}", url=request.getfixturevalue("chroma_server"))


@pytest.fixture(params=["memory", pytest.param("chroma", marks=pytest.mark.integration),
                        pytest.param("chroma-server", marks=pytest.mark.integration)])
def store(request, tmp_path):
    s = _make(request.param, tmp_path, request)
    s.warm_up()
    recs = [
        Record("a#1", "出生登记", {"doc_id": "a", "doc_hash": "h1", "region": "广东", "doc_chunks": 2}),
        Record("a#2", "医保参保", {"doc_id": "a", "doc_hash": "h1", "region": "广东", "doc_chunks": 2}),
        Record("b#1", "企业开办", {"doc_id": "b", "doc_hash": "h2", "region": "上海", "doc_chunks": 1, "tags": ["x", "y"], "none": None}),
    ]
    s.upsert(recs, np.vstack([_vec(1, 0, 0), _vec(0.8, 0.6, 0), _vec(0, 0, 1)]))
    return s


def test_query_ranks_by_cosine(store):
    hits = store.query(_vec(1, 0.1, 0), k=3)
    assert [h[0] for h in hits][:2] == ["a#1", "a#2"]
    assert hits[0][1] > hits[1][1] > hits[2][1]
    assert hits[0][1] == pytest.approx(float(_vec(1, 0, 0) @ _vec(1, 0.1, 0)), abs=1e-3)


def test_where_filter(store):
    hits = store.query(_vec(1, 0, 0), k=3, where={"region": "上海"})
    assert [h[0] for h in hits] == ["b#1"]
    assert store.query(_vec(1, 0, 0), k=3, where={"region": "广东", "doc_id": "a"})[0][0] == "a#1"


def test_records_hashes_and_delete(store):
    assert store.count() == 3
    assert store.doc_hashes() == {"a": "h1", "b": "h2"}
    rec = {r.chunk_id: r for r in store.all_records()}["b#1"]
    assert rec.text == "企业开办" and rec.metadata["tags"] == "x,y" and "none" not in rec.metadata
    assert isinstance(rec, Record) and rec.doc_id == "b"
    assert all(r.score is None and r.dense is None and r.bm25 is None for r in store.all_records())
    store.delete_docs(["a"])
    assert [r.chunk_id for r in store.all_records()] == ["b#1"]
    assert store.count() == 1


def test_scores_are_not_stored(store):
    """A scored record (as retrieval returns it) is stored as a plain record."""
    store.upsert([Record("c#1", "退休", {"doc_id": "c", "doc_hash": "h4"}, score=0.9, dense=0.8, bm25=3.0)],
                 np.vstack([_vec(0, 1, 1)]))
    got = {r.chunk_id: r for r in store.all_records()}["c#1"]
    assert (got.score, got.dense, got.bm25) == (None, None, None) and got.text == "退休"


def test_upsert_replaces(store):
    store.upsert([Record("b#1", "企业注销", {"doc_id": "b", "doc_hash": "h3"})], np.vstack([_vec(0, 1, 0)]))
    assert store.count() == 3
    assert {r.chunk_id: r.text for r in store.all_records()}["b#1"] == "企业注销"
    assert store.query(_vec(0, 1, 0), k=1)[0][0] == "b#1"


@pytest.mark.integration
@pytest.mark.parametrize("kind", ["chroma", "chroma-server"])
def test_a_chroma_collection_searches_wide_enough_to_give_the_same_list_every_run(kind, tmp_path, request):
    """At chroma's default breadth (ef 100) the tail of a 100-hit list changed from one process to the next;
    opening a collection, new or old, widens its search to SEARCH_EF, kept with the collection."""
    from knowledge.store import SEARCH_EF

    s = _make(kind, tmp_path, request)
    s.warm_up()
    assert s._c().configuration_json["hnsw"]["ef_search"] >= SEARCH_EF
    s._c().modify(configuration={"hnsw": {"ef_search": 100}})  # a collection made before the setting
    reopened = ChromaStore(s.collection_name, path=s.path, url=s.url)
    reopened.warm_up()
    assert reopened._c().configuration_json["hnsw"]["ef_search"] >= SEARCH_EF


def test_widening_the_search_waits_for_a_database_another_handle_has_locked(monkeypatch):
    """A second client of the same folder can find SQLite busy for a moment ("database is locked"); the one write
    made on opening a collection is tried again before the store is called unavailable, and other errors are not."""
    import time

    from knowledge import store as store_module

    monkeypatch.setattr(time, "sleep", lambda s: None)

    class Collection:
        def __init__(self, failures: int, message: str = "Database error: (code: 5) database is locked"):
            self.failures, self.message, self.calls = failures, message, 0

        def modify(self, configuration):
            self.calls += 1
            if self.calls <= self.failures:
                raise RuntimeError(self.message)

    busy = Collection(failures=2)
    store_module._widen(busy)
    assert busy.calls == 3
    with pytest.raises(RuntimeError, match="locked"):
        store_module._widen(Collection(failures=store_module.LOCKED_RETRIES))
    broken = Collection(failures=1, message="no such collection")
    with pytest.raises(RuntimeError, match="no such collection"):
        store_module._widen(broken)
    assert broken.calls == 1
