"""Chinese-aware chunking: split long sections at sentence ends, and keep each heading with its text.

A chunk's `text` is always a verbatim substring of its section's text (citations quote it), so the
heading is not pasted into the text; it travels in `title`, and `embed_text` ("title\\ntext") is what
gets embedded and indexed. A section that fits is one chunk whose id is the section's `source_id`;
a longer one is cut between sentences (。！？； .!?; or a line break) into chunks ``<source_id>~<n>``;
an English section (metadata ``lang: en``) may be three times as long before it is cut.
Only a single sentence longer than `max_chars` is cut inside: at a clause mark (，、：) in the second
half of the window if there is one, else hard at `max_chars`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from knowledge.documents import Document, Section

# A sentence ends after 。！？； (with any closing quote/bracket), after .!?; followed by a space or
# the end (so "a.html?id=1" stays whole; a full stop after a digit is a list number "3. "), or at a
# line break.
_CLOSERS = "”’」』）)\\]】》\"'"
_SENTENCE_END = re.compile(rf"[。！？；]+[{_CLOSERS}]*|(?:(?<!\d)\.|[!?;])+[{_CLOSERS}]*(?=\s|$)|\n")
# `max_chars` counts Chinese characters; English text needs about three letters for what one Chinese
# character says (and the embedder's token budget alike), so an English section's chunks may be longer.
EN_CHARS_PER_ZH = 3
# Bump when the rules above change how a text is cut: ingestion then re-chunks every document.
CHUNKING_VERSION = 2
_CLAUSE_END = re.compile(r"[，、：,:]")


@dataclass(frozen=True)
class Chunk:
    """A piece of one section. `text` is a verbatim substring of the section's text; `title` is the
    section's title (document · heading); metadata is the section's plus doc_id, source_id and the
    1-based chunk_index within the section (ids sort "~10" before "~2"; sort by chunk_index)."""

    chunk_id: str
    source_id: str
    doc_id: str
    title: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def embed_text(self) -> str:
        """What is embedded and indexed: the heading stays with its text."""
        return f"{self.title}\n{self.text}" if self.title else self.text


Span = tuple[int, int]


def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def sentence_spans(text: str) -> list[Span]:
    """(start, end) of each sentence, whitespace trimmed; text[start:end] is the sentence."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        span = _trim(text, start, m.end())
        if span:
            spans.append(span)
        start = m.end()
    span = _trim(text, start, len(text))
    if span:
        spans.append(span)
    return spans


def _split_long(text: str, span: Span, max_chars: int) -> list[Span]:
    """Cut one over-long sentence: at the last clause mark in the window's second half, else hard."""
    out: list[Span] = []
    start, end = span
    while end - start > max_chars:
        window = text[start : start + max_chars]
        cuts = [m.end() for m in _CLAUSE_END.finditer(window) if m.end() >= max_chars // 2]
        cut = start + (cuts[-1] if cuts else max_chars)
        piece = _trim(text, start, cut)
        if piece:
            out.append(piece)
        start = cut
        while start < end and text[start].isspace():
            start += 1
    piece = _trim(text, start, end)
    if piece:
        out.append(piece)
    return out


def split_text(text: str, max_chars: int = 400, overlap_chars: int = 0) -> list[Span]:
    """Spans of `text`, each at most `max_chars` long, made of whole sentences where possible.

    With `overlap_chars`, a chunk starts with the previous chunk's last whole sentences, as many
    as fit in `overlap_chars` (never part of a sentence, so it may be less, or none).
    """
    units: list[Span] = []
    for span in sentence_spans(text):
        units.extend(_split_long(text, span, max_chars) if span[1] - span[0] > max_chars else [span])
    chunks: list[Span] = []
    i = 0
    while i < len(units):
        start, j = units[i][0], i
        while j + 1 < len(units) and units[j + 1][1] - start <= max_chars:
            j += 1
        chunks.append((start, units[j][1]))
        if j + 1 >= len(units):
            break
        nxt = j + 1
        k = j
        while (
            overlap_chars
            and k > i
            and units[j][1] - units[k][0] <= overlap_chars
            and units[j + 1][1] - units[k][0] <= max_chars
        ):
            nxt, k = k, k - 1
        i = nxt
    return chunks


def chunk_section(section: Section, doc_id: str, max_chars: int = 400, overlap_chars: int = 0) -> list[Chunk]:
    meta = {**section.metadata, "doc_id": doc_id, "source_id": section.source_id}
    text = section.text
    if section.metadata.get("lang") == "en":
        max_chars, overlap_chars = max_chars * EN_CHARS_PER_ZH, overlap_chars * EN_CHARS_PER_ZH
    if not text.strip():
        return []
    if len(text) <= max_chars:
        return [Chunk(section.source_id, section.source_id, doc_id, section.title, text, {**meta, "chunk_index": 1})]
    spans = split_text(text, max_chars, overlap_chars)
    if len(spans) == 1:
        s, e = spans[0]
        return [Chunk(section.source_id, section.source_id, doc_id, section.title, text[s:e], {**meta, "chunk_index": 1})]
    return [
        Chunk(f"{section.source_id}~{n}", section.source_id, doc_id, section.title, text[s:e], {**meta, "chunk_index": n})
        for n, (s, e) in enumerate(spans, 1)
    ]


def section_id(chunk_id: str) -> str:
    """The section a chunk was cut from: ``newborn#faq-2~3`` → ``newborn#faq-2`` (a single chunk has its section's id)."""
    return chunk_id.split("~")[0]


def chunk_document(doc: Document, max_chars: int = 400, overlap_chars: int = 0) -> list[Chunk]:
    """All chunks of a document, in section order (see the module docstring for the rules)."""
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, got {max_chars}")
    if not 0 <= overlap_chars < max_chars:
        raise ValueError(f"overlap_chars must be in [0, max_chars), got {overlap_chars} with max_chars={max_chars}")
    return [c for s in doc.sections for c in chunk_section(s, doc.doc_id, max_chars, overlap_chars)]
