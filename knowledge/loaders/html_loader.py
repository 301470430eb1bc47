"""HTML guides (.html/.htm), e.g. pages saved from a government portal.

Scripts, styles, navigation and other page furniture are dropped; h1–h4 split sections; each block
element (paragraph, list item, table row...) becomes one line. Tables keep their rows, cells joined by
" | ". The stdlib parser is used on purpose: it tolerates unclosed tags and gives the same tree on
every machine. ``<meta name="region|audience|one_thing_id">`` become metadata.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from knowledge.loaders.base import (
    SOFT_BREAK,
    Block,
    Parsed,
    clean_line,
    decode_text,
    resolve_soft_breaks,
    scalar_metadata,
)

DROP_TAGS = ("script", "style", "nav", "noscript", "template", "svg", "iframe", "object", "button", "select")
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4}
BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details dialog div dl dt fieldset figcaption figure "
    "footer form h5 h6 header hgroup hr html li main menu ol p pre section summary table tbody thead tfoot "
    "tr td th ul caption".split()
) | frozenset(HEADINGS)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def declared_charset(data: bytes) -> str | None:
    m = _CHARSET.search(data[:4096])
    return m.group(1).decode("ascii").lower() if m else None


def _is_text(node: Any) -> bool:
    from bs4.element import Comment, Declaration, Doctype, NavigableString, ProcessingInstruction

    return isinstance(node, NavigableString) and not isinstance(
        node, Comment | Declaration | Doctype | ProcessingInstruction
    )


def _source_text(s: str) -> str:
    # A newline in HTML source is layout, not a line break (<br> is the line break).
    return re.sub(r"[ \t\r\f\v]*\n\s*", SOFT_BREAK, s)


def _inline(node: Any) -> str:
    """Text of an inline element, keeping <br> as a newline."""
    if _is_text(node):
        return _source_text(str(node))
    if getattr(node, "name", None) == "br":
        return "\n"
    return "".join(_inline(c) for c in getattr(node, "children", ()))


def _has_block(node: Any) -> bool:
    return node.find(lambda t: t.name in BLOCK_TAGS) is not None


def _table_rows(table: Any) -> list[str]:
    rows = []
    caption = table.find("caption")
    if caption is not None:
        rows.append(clean_line(resolve_soft_breaks(_inline(caption))))
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue  # a nested table's rows are read as part of its cell
        cells = [clean_line(resolve_soft_breaks(_inline(c))) for c in tr.find_all(["td", "th"], recursive=False)]
        if any(cells):
            rows.append(" | ".join(cells))
    return rows


def _heading(node: Any, blocks: list[Block]) -> None:
    """A heading is its inline text up to the first block inside it. An unclosed ``<h2>`` swallows
    the paragraphs after it (``<h2>办理条件<p>正文``); those are read as body text, not heading."""
    children = list(node.children)
    first_block = next(
        (i for i, c in enumerate(children) if getattr(c, "name", None) and (c.name in BLOCK_TAGS or _has_block(c))),
        len(children),
    )
    text = "".join(_inline(c) for c in children[:first_block])
    blocks.append(Block(resolve_soft_breaks(text), HEADINGS[node.name]))
    if first_block < len(children):
        for c in children[:first_block]:
            c.extract()
        _walk(node, blocks)


def _walk(node: Any, blocks: list[Block]) -> None:
    buf: list[str] = []

    def flush() -> None:
        if buf:
            blocks.append(Block(resolve_soft_breaks("".join(buf))))
            buf.clear()

    for child in node.children:
        name = getattr(child, "name", None)
        if name is None:
            if _is_text(child):
                buf.append(_source_text(str(child)))
        elif name == "br":
            buf.append("\n")
        elif name in HEADINGS:
            flush()
            _heading(child, blocks)
        elif name == "table":
            flush()
            blocks.extend(Block(r) for r in _table_rows(child))
        elif name == "pre":
            flush()
            blocks.append(Block(child.get_text()))
        elif name in BLOCK_TAGS or _has_block(child):
            flush()
            _walk(child, blocks)
        else:
            buf.append(_inline(child))
    flush()


def parse_html(text: str) -> Parsed:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    meta = {
        str(m.get("name")).lower(): m.get("content")
        for m in soup.find_all("meta")
        if m.get("name") and isinstance(m.get("content"), str)
    }
    page_title = clean_line(soup.title.get_text()) if soup.title else ""
    for tag in soup.find_all(["head", "title", *DROP_TAGS]):
        tag.decompose()
    root = soup.body or soup
    blocks: list[Block] = []
    _walk(root, blocks)
    h1 = next((b.text for b in blocks if b.level == 1 and clean_line(b.text)), None)
    return Parsed(blocks=blocks, title=h1 or page_title or None, metadata=scalar_metadata(meta))


def load(path: Path) -> Parsed:
    data = path.read_bytes()
    return parse_html(decode_text(data, declared=declared_charset(data), name=str(path)))
