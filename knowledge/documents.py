"""Documents, sections and records: the units every loader produces and every citation points at.

A `Section` is a heading plus its body text. Its `source_id` is stable across re-ingests, and a
citation's quote is always a verbatim substring of some record's `text`. A section that knows its own
structure (the catalogue's guides do; a PDF does not) also carries typed `parts`, so that a reader
picks "the 办理时限 part" by its aspect instead of searching the text for a line prefix.

A `Record` is one indexed chunk of a section. It is the single document type that flows from the
store through retrieval (which fills in its scores) to the answer composer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

Span = tuple[int, int]


@dataclass(frozen=True)
class Part:
    """A labelled run of lines in a section: aspect "time", label "办理时限", lines ("办理时限：5个工作日",).

    `aspect` is what the lines are about, in the producer's vocabulary (knowledge.catalog lists the
    catalogue's); `lines` are the rendered text, verbatim."""

    aspect: str
    label: str
    lines: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.lines:
            raise ValueError(f"part {self.aspect!r} has no lines")

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True)
class Section:
    source_id: str
    title: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)
    # The section's text as typed parts, in order; empty when the producer does not know them.
    parts: tuple[Part, ...] = ()

    def __post_init__(self) -> None:
        if self.parts and self.text != "\n".join(p.text for p in self.parts):
            raise ValueError(f"section {self.source_id}: text must be its parts' lines joined by newlines")

    @classmethod
    def from_parts(cls, source_id: str, title: str, parts: list[Part], metadata: dict[str, Any]) -> Section:
        return cls(source_id, title, "\n".join(p.text for p in parts), metadata, tuple(parts))

    @property
    def kind(self) -> str:
        return str(self.metadata.get("kind", ""))

    def spans(self, aspects: Collection[str] | None = None, *, keep: Callable[[Part], bool] | None = None) -> list[Span]:
        """Where the parts of the given aspects are in `text` (all parts when None), of those `keep`
        accepts when given: one (start, end) per run of consecutive such parts, so `text[start:end]`
        is a verbatim, whole-line quote."""
        spans: list[Span] = []
        pos, run_start, run_end = 0, None, 0
        for p in self.parts:
            end = pos + len(p.text)
            if (aspects is None or p.aspect in aspects) and (keep is None or keep(p)):
                run_start = pos if run_start is None else run_start
                run_end = end
            elif run_start is not None:
                spans.append((run_start, run_end))
                run_start = None
            pos = end + 1  # the newline between parts
        if run_start is not None:
            spans.append((run_start, run_end))
        return spans


@dataclass(frozen=True)
class Document:
    """One guide, file or FAQ set. `doc_id` is stable (``guide:newborn``, ``file:rel/path.pdf``)."""

    doc_id: str
    title: str
    sections: list[Section]
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        """Content hash: re-ingest skips a document whose fingerprint is unchanged."""
        payload = json.dumps(
            [self.title, self.metadata, [(s.source_id, s.title, s.text, s.metadata) for s in self.sections]],
            ensure_ascii=False,
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Record:
    """One indexed chunk: its text (a verbatim substring of its section's), flat metadata (title,
    source_id, doc_id, one_thing_id, kind, region…), and — once retrieval has ranked it — its scores.

    The store returns records without scores; the retriever returns the same records with `score`
    (fused), `dense` (cosine) and `bm25` filled in as far as each list found them."""

    chunk_id: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)
    score: float | None = None
    dense: float | None = None
    bm25: float | None = None

    @property
    def title(self) -> str:
        return str(self.metadata.get("title", ""))

    @property
    def doc_id(self) -> str:
        return str(self.metadata.get("doc_id", ""))

    @property
    def source_id(self) -> str:
        """The section this chunk belongs to (the chunk's own id when the section was not split)."""
        return str(self.metadata.get("source_id", self.chunk_id))

    @property
    def one_thing_id(self) -> str | None:
        return self.metadata.get("one_thing_id") or None

    @property
    def kind(self) -> str:
        return str(self.metadata.get("kind", ""))
