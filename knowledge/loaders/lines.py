"""Structure for formats without markup (PDF text, plain text): headings, titles and wrapped lines.

Page numbers ("- 3 -", "第3页 共9页") are dropped, a line wrapped by the layout is joined to the next
(without a space between CJK characters), numbered Chinese headings ("一、办理条件") start sections,
and a short first line that reads like a title becomes the document title.
"""

from __future__ import annotations

import re

from knowledge.loaders.base import Block, Parsed, clean_line, heading_level, is_cjk

_PAGE_NUMBER = re.compile(r"^(?:[-—–\s]*\d+[-—–\s]*|第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)$")
_LIST_ITEM = re.compile(r"^(?:\d+[.、．)）]|[（(]\d+[)）]|[①-⑳]|[-•·●▪■□◆*])")
_PARAGRAPH_END = "。！？；：!?;:"
# A line at least this share of the page's longest line is taken as wrapped, not a paragraph end.
# Short lines (list items, table cells) are never taken as wrapped.
WRAP_RATIO = 0.75
MIN_WRAP_CHARS = 20


def _page_blocks(text: str, page: int | None, join_wraps: bool) -> list[Block]:
    lines = [clean_line(x) for x in text.splitlines()]
    lines = [x for x in lines if x and not _PAGE_NUMBER.match(x)]
    width = max((len(x) for x in lines), default=0)
    blocks: list[Block] = []
    wrapped = False  # the previous body line filled the line width: the next one may continue it
    for line in lines:
        level = heading_level(line)
        if level is not None:
            blocks.append(Block(line, level, page))
            wrapped = False
            continue
        if wrapped and blocks and not blocks[-1].is_heading and not _LIST_ITEM.match(line):
            prev = blocks[-1].text
            glue = "" if is_cjk(prev[-1]) or is_cjk(line[0]) else " "
            blocks[-1] = Block(prev + glue + line, None, page)
        else:
            blocks.append(Block(line, None, page))
        wrapped = (
            join_wraps
            and len(line) >= max(MIN_WRAP_CHARS, WRAP_RATIO * width)
            and line[-1] not in _PARAGRAPH_END
        )
    return blocks


def _first_line_title(blocks: list[Block]) -> str | None:
    """A short first line that is not a heading, a list item or a sentence is the document title."""
    if len(blocks) < 2 or blocks[0].is_heading:
        return None
    first = blocks[0].text
    if len(first) <= 40 and first[-1] not in _PARAGRAPH_END + "，,、" and not _LIST_ITEM.match(first):
        return first
    return None


def structure(pages: list[str], known_title: str | None = None, *, paged: bool = True) -> Parsed:
    """Lines of each page → blocks. Plain text is one unpaged "page", with no wrap joining.

    With `known_title` (from file metadata) the first line is only dropped if it repeats it.
    """
    blocks = [b for n, text in enumerate(pages, 1) for b in _page_blocks(text, n if paged else None, paged)]
    first = _first_line_title(blocks)
    title = known_title or first
    if first is not None and first == title:
        blocks = blocks[1:]
    if paged and len(pages) > 1 and not any(b.is_heading for b in blocks):
        # No headings to split on: one section per page, so a citation can still say where.
        by_page: list[Block] = []
        for n in range(1, len(pages) + 1):
            by_page.append(Block(f"第{n}页", 1, n))
            by_page.extend(b for b in blocks if b.page == n)
        blocks = by_page
    return Parsed(blocks=blocks, title=title)
