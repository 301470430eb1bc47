"""Chunking: a section's heading stays with its text, chunk texts are verbatim substrings, cuts fall
between sentences, and only a sentence longer than the limit is cut inside."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from knowledge.catalog import Catalog
from knowledge.chunking import EN_CHARS_PER_ZH, Chunk, chunk_document, sentence_spans, split_text
from knowledge.documents import Document, Section
from knowledge.loaders import load_path

GUIDES = Path(__file__).resolve().parents[2] / "knowledge" / "data"
FIXTURES = Path(__file__).parent / "fixtures" / "loaders"

SENTENCES = [
    "孩子出生后，父母可以在助产机构一次提交出生医学证明、户口登记、医保参保和社保卡申领的申请。",
    "材料齐全的，5个工作日内办结！",
    "需要本人到场吗？",
    "一般不需要；",
    "委托他人办理的，需提供授权委托书和受托人身份证。",
    "Is there a fee? No.",
    "咨询电话：12345。",
]


def _doc(*texts: str, meta: dict | None = None) -> Document:
    sections = [
        Section(f"file:g.md#s{n}", f"出生一件事指南 · 第{n}节", t, {"source_type": "markdown", **(meta or {})})
        for n, t in enumerate(texts, 1)
    ]
    return Document("file:g.md", "出生一件事指南", sections)


def _ends_at_boundary(section_text: str, chunk: Chunk) -> bool:
    end = section_text.index(chunk.text) + len(chunk.text)
    return end == len(section_text) or section_text[end] in "\n " or chunk.text[-1] in "。！？；!?;”"


def test_short_section_is_one_chunk_with_the_section_id():
    doc = _doc("材料齐全的，当场办结。", meta={"region": "示例市"})
    [c] = chunk_document(doc)
    assert c.chunk_id == c.source_id == "file:g.md#s1"
    assert c.doc_id == "file:g.md"
    assert c.text == "材料齐全的，当场办结。"
    assert c.title == "出生一件事指南 · 第1节"
    assert c.embed_text == "出生一件事指南 · 第1节\n材料齐全的，当场办结。"
    assert c.metadata["region"] == "示例市" and c.metadata["source_type"] == "markdown"
    assert c.metadata["doc_id"] == "file:g.md" and c.metadata["source_id"] == "file:g.md#s1"


def test_long_section_splits_between_sentences_and_keeps_heading():
    text = "".join(SENTENCES * 3)
    doc = _doc(text)
    chunks = chunk_document(doc, max_chars=80)
    assert len(chunks) > 3
    assert [c.chunk_id for c in chunks] == [f"file:g.md#s1~{n}" for n in range(1, len(chunks) + 1)]
    for c in chunks:
        assert len(c.text) <= 80
        assert c.text in text  # verbatim
        assert c.title == "出生一件事指南 · 第1节" and c.embed_text.startswith(c.title + "\n")
        assert c.source_id == "file:g.md#s1"
        assert _ends_at_boundary(text, c)
    # No sentence is cut: each one lies whole inside some chunk, and the chunks cover the text in order.
    for sentence in SENTENCES:
        assert any(sentence in c.text for c in chunks)
    assert "".join(c.text.replace(" ", "") for c in chunks) == text.replace(" ", "")


def test_newlines_are_boundaries_and_lines_stay_whole():
    lines = [f"{n}. 提交第{n}项材料的复印件及原件核验" for n in range(1, 30)]
    text = "所需材料：\n" + "\n".join(lines)
    chunks = chunk_document(_doc(text), max_chars=60)
    for c in chunks:
        assert c.text in text and len(c.text) <= 60
        for part in c.text.split("\n"):
            assert part == "所需材料：" or part in lines
    assert chunks[0].text.startswith("所需材料：\n1. ")


def test_single_sentence_longer_than_limit_is_hard_split():
    sentence = "申请人" + "及其家庭成员" * 30 + "。"
    chunks = chunk_document(_doc(sentence), max_chars=50)
    assert [len(c.text) for c in chunks[:-1]] == [50] * (len(chunks) - 1)
    assert "".join(c.text for c in chunks) == sentence
    assert all(c.text in sentence for c in chunks)


def test_long_sentence_prefers_clause_marks():
    sentence = "，".join(["父母双方居民身份证原件"] * 12) + "。"
    chunks = chunk_document(_doc(sentence), max_chars=50)
    assert all(c.text.endswith(("，", "。")) for c in chunks)
    assert "".join(c.text for c in chunks) == sentence


def test_overlap_repeats_whole_trailing_sentences():
    text = "".join(SENTENCES * 2)
    spans = split_text(text, max_chars=90, overlap_chars=40)
    starts = {s for s, _ in sentence_spans(text)}
    overlapped = 0
    for (a_start, a_end), (b_start, _) in zip(spans, spans[1:], strict=False):
        assert b_start in starts and b_start > a_start  # starts at a sentence, always moves on
        if b_start < a_end:
            overlapped += 1
            assert a_end - b_start <= 40
    assert overlapped
    chunks = chunk_document(_doc(text), max_chars=90, overlap_chars=40)
    assert [c.text for c in chunks] == [text[s:e] for s, e in spans]
    assert all(len(c.text) <= 90 for c in chunks)


def test_ascii_question_mark_in_url_is_not_a_sentence_end():
    text = "请访问 https://zwfw.example.gov.cn/a.html?id=1 在线办理。"
    assert [text[s:e] for s, e in sentence_spans(text)] == [text]


def test_empty_sections_give_no_chunks_and_bad_arguments_raise():
    assert chunk_document(_doc("   ")) == []
    with pytest.raises(ValueError, match="max_chars"):
        chunk_document(_doc("文本"), max_chars=0)
    with pytest.raises(ValueError, match="overlap_chars"):
        chunk_document(_doc("文本"), max_chars=10, overlap_chars=10)


def test_catalogue_guides_chunk_into_substrings_with_unique_ids():
    docs = Catalog.from_dir(GUIDES).documents()
    for max_chars in (400, 120):
        ids = []
        for doc in docs:
            by_source = {s.source_id: s for s in doc.sections}
            for c in chunk_document(doc, max_chars=max_chars):
                section = by_source[c.source_id]
                limit = max_chars * (EN_CHARS_PER_ZH if section.metadata.get("lang") == "en" else 1)
                assert c.text in section.text and len(c.text) <= limit
                assert c.title == section.title
                assert c.metadata["one_thing_id"] == doc.metadata["one_thing_id"]
                ids.append(c.chunk_id)
        assert len(ids) == len(set(ids))


def test_loaded_markdown_chunks_carry_front_matter(tmp_path):
    (tmp_path / "g.md").write_bytes((FIXTURES / "newborn_guide.md").read_bytes())
    [doc] = load_path(tmp_path)
    chunks = chunk_document(doc, max_chars=40)
    assert {c.metadata["one_thing_id"] for c in chunks} == {"newborn"}
    assert all(c.metadata["doc_id"] == "file:g.md" for c in chunks)
    steps = [c for c in chunks if c.title.endswith("三、办理流程")]
    assert len(steps) > 1 and all(re.match(r"^\d\. ", c.text) for c in steps)


def test_random_texts_keep_the_invariants():
    rng = random.Random(11)
    alphabet = list("申请人材料办理出生户口医保社保卡") + list("，、：。！？；\n ") + ["a", "1"]
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400))).strip()
        max_chars = rng.randint(5, 120)
        overlap = rng.randint(0, max_chars - 1) if rng.random() < 0.5 else 0
        for s, e in split_text(text, max_chars, overlap):
            piece = text[s:e]
            assert piece and piece == piece.strip() and len(piece) <= max_chars
        chunks = chunk_document(_doc(text), max_chars=max_chars, overlap_chars=overlap) if text else []
        assert all(c.text in text for c in chunks)
        if not overlap:
            assert "".join("".join(c.text.split()) for c in chunks) == "".join(text.split())


def test_english_sections_may_run_longer_and_split_at_full_stops():
    sentence = "Bring your identity card and the household register booklet. "
    sec = Section("x#a@en", "X · A", (sentence * 30).strip(), {"lang": "en"})
    chunks = chunk_document(Document("guide:x", "X", [sec]), max_chars=400)
    assert all(len(c.text) <= 400 * EN_CHARS_PER_ZH for c in chunks) and len(chunks) > 1
    assert all(c.text.endswith("booklet.") for c in chunks)  # cut between sentences
    assert [c.text for c in chunk_document(Document("d", "D", [Section("d#1", "D", "1. 材料\n2. 表格")]), 6)] \
        == ["1. 材料", "2. 表格"]  # "1." is a list number, not a sentence end
