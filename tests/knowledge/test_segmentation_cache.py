"""The segmentations of the indexed texts are kept in the data dir between processes: a later start reads
them instead of running jieba over every chunk, and gets exactly the index a fresh segmentation gives."""

from __future__ import annotations

import json
import logging

from knowledge import retrieval as retrieval_mod
from knowledge import text as text_mod
from knowledge.documents import Record
from knowledge.embedders import HashEmbedder
from knowledge.retrieval import HybridRetriever
from knowledge.store import InMemoryStore
from knowledge.text import SegmentationCache, segment, tokenize

TEXTS = ["新生儿出生一件事需要出生医学证明和户口簿", "退休一件事办理时限为20个工作日", "Bring the household register."]


def _retriever(cache_dir, texts=TEXTS) -> HybridRetriever:
    store = InMemoryStore()
    emb = HashEmbedder()
    records = [Record(f"c{i}", t, {"title": f"标题{i}", "source_id": f"s{i}", "lang": "en" if t.isascii() else "zh"})
               for i, t in enumerate(texts)]
    store.upsert(records, emb.embed_documents([r.text for r in records]))
    r = HybridRetriever(store, emb, catalog_terms={"newborn": ["新生儿出生一件事"]}, cache_dir=cache_dir)
    r.warm_up()
    return r


def test_a_second_start_reads_the_segmentations_and_builds_the_same_index(tmp_path, monkeypatch):
    first = _retriever(tmp_path)
    files = list(tmp_path.glob("segments-*.json"))
    assert len(files) == 1
    stored = json.loads(files[0].read_text(encoding="utf-8"))
    assert len([k for k in stored if k.startswith("search:")]) == len(TEXTS)
    assert len([k for k in stored if k.startswith("words:")]) == 2  # typo repair segments the Chinese texts only

    def no_jieba(text):
        raise AssertionError(f"segmented again: {text!r}")

    monkeypatch.setattr(retrieval_mod, "tokenize", no_jieba)
    monkeypatch.setattr(retrieval_mod, "segment", no_jieba)
    second = _retriever(tmp_path)  # would fail if it segmented any indexed text
    monkeypatch.undo()
    q = first.prepare("出生医学证明", embed=False)
    assert [c for c, _ in second.bm25.search(q.search_tokens, 3)] == [c for c, _ in first.bm25.search(q.search_tokens, 3)]
    assert second.typos._by_sound == first.typos._by_sound


def test_entries_are_the_fresh_segmentation_and_only_those_of_the_last_build_are_kept(tmp_path):
    _retriever(tmp_path)
    _retriever(tmp_path, texts=TEXTS[1:] + ["社会保障卡申领"])
    (path,) = tmp_path.glob("segments-*.json")
    stored = json.loads(path.read_text(encoding="utf-8"))
    cache = SegmentationCache(tmp_path)
    assert cache.get("search", "标题2\n社会保障卡申领", lambda t: ["never called"]) == tokenize("标题2\n社会保障卡申领")
    assert cache.get("words", "社会保障卡申领", lambda t: ["never called"]) == segment("社会保障卡申领")
    # The first build's newborn text is gone from the index, and from the file.
    assert cache.get("search", "标题0\n" + TEXTS[0], lambda t: ["segmented afresh"]) == ["segmented afresh"]
    assert len(stored) == 3 + 2


def test_an_unreadable_cache_costs_time_not_the_start(tmp_path, caplog):
    first = _retriever(tmp_path)
    (path,) = tmp_path.glob("segments-*.json")
    path.write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="knowledge.text"):
        again = _retriever(tmp_path)
    assert "unreadable" in caplog.text
    assert again.bm25.search(("户口簿",), 1) == first.bm25.search(("户口簿",), 1)
    json.loads(path.read_text(encoding="utf-8"))  # written afresh


def test_without_a_folder_nothing_is_written(tmp_path):
    _retriever(None)
    assert not list(tmp_path.iterdir())


def test_teaching_the_same_words_again_changes_nothing():
    """jieba adds a word's frequency to its total on each add_word; a second retriever in one process must
    not shift the segmentation of the first (the cache's key assumes the words decide it)."""
    jb = text_mod._jieba()
    text_mod.add_words(["新生儿出生一件事"])
    total = jb.dt.total
    text_mod.add_words(["新生儿出生一件事"])
    assert jb.dt.total == total
