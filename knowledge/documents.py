"""Documents and sections: the unit every loader produces and every citation points at.

A `Section` is a heading plus its body text. Its `source_id` is stable across re-ingests, and a
citation's quote is always a verbatim substring of some section's (or chunk's) `text`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Section:
    source_id: str
    title: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)


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
