"""Markdown guides (.md): h1–h4 split sections; YAML front matter gives title, region, audience, one-thing.

Body text is the rendered text, not the markup (no ``**``), but list markers are kept ("- ", "1. ")
because numbered steps carry meaning. Tables become one line per row, cells joined by " | ".
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from knowledge.loaders.base import (
    SOFT_BREAK,
    Block,
    Parsed,
    decode_text,
    resolve_soft_breaks,
    scalar_metadata,
)

log = logging.getLogger(__name__)

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
MAX_SECTION_LEVEL = 4


def split_front_matter(text: str, name: str) -> tuple[dict[str, Any], str]:
    """(front matter mapping, rest). Broken front matter is ignored with a warning, the body still loads."""
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    import yaml

    from knowledge import safeyaml

    try:
        raw = safeyaml.safe_load(m.group(1))
    except yaml.YAMLError as exc:
        log.warning("%s: ignoring front matter that is not valid YAML (%s)", name, str(exc).splitlines()[0])
        raw = None
    if raw is not None and not isinstance(raw, dict):
        log.warning("%s: ignoring front matter that is not a mapping", name)
        raw = None
    return raw or {}, text[m.end():]


def _inline_text(token: Any) -> str:
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(SOFT_BREAK)
        elif child.type == "hardbreak":
            parts.append("\n")
    return resolve_soft_breaks("".join(parts))


def parse_markdown(text: str, name: str = "<markdown>") -> Parsed:
    from markdown_it import MarkdownIt

    front, body = split_front_matter(text, name)
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    tokens = md.parse(body)

    blocks: list[Block] = []
    first_h1: str | None = None
    item_prefix: str | None = None  # marker of the list item whose first paragraph comes next
    row: list[str] | None = None
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if tok.type == "heading_open" and nxt is not None:
            level = int(tok.tag[1])
            heading = _inline_text(nxt)
            if level == 1 and first_h1 is None:
                first_h1 = heading
            blocks.append(Block(heading, level if level <= MAX_SECTION_LEVEL else None))
        elif tok.type == "list_item_open":
            item_prefix = f"{tok.info}{tok.markup} " if tok.info else f"{tok.markup} "
        elif tok.type == "list_item_close":
            item_prefix = None
        elif tok.type == "inline" and row is not None:
            row.append(_inline_text(tok).replace("\n", " ").strip())
        elif tok.type == "inline" and i > 0 and tokens[i - 1].type == "paragraph_open":
            para = _inline_text(tok)
            if item_prefix:
                para, item_prefix = item_prefix + para, None
            blocks.append(Block(para))
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close" and row is not None:
            if any(row):
                blocks.append(Block(" | ".join(row)))
            row = None
        elif tok.type in ("fence", "code_block"):
            blocks.append(Block(tok.content))
        elif tok.type == "html_block":
            from bs4 import BeautifulSoup

            blocks.append(Block(BeautifulSoup(tok.content, "html.parser").get_text("\n")))

    title = front.get("title") if isinstance(front.get("title"), str) else None
    return Parsed(blocks=blocks, title=title or first_h1, metadata=scalar_metadata(front))


def load(path: Path) -> Parsed:
    return parse_markdown(decode_text(path.read_bytes(), name=str(path)), str(path))
