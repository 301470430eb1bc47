"""Word guides (.docx) via python-docx: Heading styles split sections; tables become rows.

Body paragraphs and tables are read in document order. Heading styles are matched by name
("Heading 2", and "标题 2" as some Chinese templates name them). Many office documents use no heading
styles at all, only numbered lines ("一、办理条件"); then those lines split sections instead.
Headers, footers, comments and text boxes are not read.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from knowledge.loaders.base import Block, LoadError, Parsed, clean_line, heading_level, is_junk_title

_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
_TITLE_STYLE = re.compile(r"^(?:title|标题)$", re.IGNORECASE)
MAX_SECTION_LEVEL = 4


def _style_name(paragraph: Any) -> str:
    try:
        return str(paragraph.style.name or "") if paragraph.style is not None else ""
    except (KeyError, AttributeError, ValueError):  # a style id missing from styles.xml
        return ""


def _row_text(row: Any) -> str:
    cells, seen = [], set()
    for cell in row.cells:
        if id(cell._tc) in seen:  # a merged cell is returned once per grid column it spans
            continue
        seen.add(id(cell._tc))
        cells.append(clean_line(cell.text))
    return " | ".join(cells) if any(cells) else ""


MAX_UNPACKED_BYTES = 200 * 1024 * 1024


def _check_unpacked_size(path: Path) -> None:
    """A .docx is a zip: refuse one that would unpack to more than MAX_UNPACKED_BYTES (a zip bomb)
    before python-docx reads its parts into memory. zipfile never reads past an entry's stated size."""
    try:
        with zipfile.ZipFile(path) as z:
            total = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise LoadError(f"not a valid .docx file ({exc})") from exc
    if total > MAX_UNPACKED_BYTES:
        raise LoadError(f"not a valid .docx file (unpacks to {total >> 20} MB; a zip bomb?)")


def load(path: Path) -> Parsed:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    if path.stat().st_size == 0:
        raise LoadError("empty file")
    _check_unpacked_size(path)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, OSError) as exc:
        raise LoadError(f"not a valid .docx file ({exc})") from exc

    items: list[tuple[str, str, int | None]] = []  # (kind, text, heading level from style)
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            items.extend(("text", r, None) for r in (_row_text(row) for row in item.rows) if r)
            continue
        name = _style_name(item)
        m = _HEADING_STYLE.match(name)
        if m:
            items.append(("heading", item.text, int(m.group(1))))
        elif _TITLE_STYLE.match(name):
            items.append(("title", item.text, None))
        else:
            items.append(("text", item.text, None))

    styled = any(kind == "heading" for kind, _, _ in items)
    title = next((clean_line(t) for kind, t, _ in items if kind == "title" and clean_line(t)), None)
    blocks: list[Block] = []
    for kind, text, level in items:
        if kind == "title":
            if clean_line(text) != title:
                blocks.append(Block(text))
        elif kind == "heading":
            blocks.append(Block(text, level if level and level <= MAX_SECTION_LEVEL else None))
        elif not styled and heading_level(text) is not None:
            blocks.append(Block(text, heading_level(text)))
        else:
            blocks.append(Block(text))
    if title is None:
        title = next((clean_line(b.text) for b in blocks if b.level == 1 and clean_line(b.text)), None)
    if title is None:
        core = clean_line(document.core_properties.title or "")
        title = None if is_junk_title(core) else core
    return Parsed(blocks=blocks, title=title)
