"""Plain-text guides (.txt): UTF-8 or GBK; numbered Chinese headings ("一、", "（一）") split sections.

A short first line that reads like a title becomes the document title. Lines are kept as they are
(no joining): plain-text guides are rarely hard-wrapped, and joining could merge list items.
"""

from __future__ import annotations

from pathlib import Path

from knowledge.loaders.base import Parsed, decode_text
from knowledge.loaders.lines import structure


def parse_text(text: str) -> Parsed:
    return structure([text], paged=False)


def load(path: Path) -> Parsed:
    return parse_text(decode_text(path.read_bytes(), name=str(path)))
