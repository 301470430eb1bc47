"""What every file loader shares: decoding, whitespace cleanup, heading detection, and assembly.

A format parser turns a file into a flat list of `Block`s (headings with a level, and body text) plus
an optional title and metadata. `assemble` turns those into a `Document` with one `Section` per
heading, so every format gets the same ids, titles and metadata.

Text is kept verbatim apart from whitespace: runs collapse to one space, lines are trimmed, blank
lines dropped. No NFKC and no 繁→简 here (that happens at indexing), because a citation's quote must
stay a substring of the text the citizen can find in the original file.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.documents import Document, Section

log = logging.getLogger(__name__)


class LoadError(Exception):
    """A file cannot be turned into a document; the message is the reason shown in the warning."""


@dataclass(frozen=True)
class Block:
    """One heading (``level`` 1 = top) or one piece of body text (``level`` None)."""

    text: str
    level: int | None = None
    page: int | None = None

    @property
    def is_heading(self) -> bool:
        return self.level is not None


@dataclass
class Parsed:
    """A parser's output, before ids and titles are assigned."""

    blocks: list[Block]
    title: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Decoding

MAX_DAMAGED_BYTES = 16
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
# Control characters that never occur in a real text file (tab, newlines and form feed do).
_BINARY = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _damaged_utf8(data: bytes, name: str) -> str | None:
    """UTF-8 with a few bad bytes (a damaged copy) rather than another encoding: keep it, marked.

    GBK text read as UTF-8 yields about one valid multi-byte character per five bad ones, so it
    never passes this.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    if bad <= MAX_DAMAGED_BYTES and good >= 3 * bad:
        log.warning("%s: %d invalid UTF-8 sequence(s) replaced with U+FFFD", name or "<text>", bad)
        return text
    return None


def decode_text(data: bytes, declared: str | None = None, name: str = "") -> str:
    """Decode a text file: BOM, then UTF-8 (a few damaged bytes are replaced, with a warning), then a
    declared charset, then GB18030 (a superset of GBK).

    Mainland offices still save text as GBK, so GB18030 is the fallback. Big5 files would decode to
    nonsense through it; they need a declared charset (HTML ``<meta charset>``) to load correctly.
    """
    if not data.strip():
        raise LoadError("empty file")
    text = None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise LoadError(f"invalid {codec} text ({exc.reason} at byte {exc.start})") from exc
            break
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _damaged_utf8(data, name)
    if text is None:
        for codec in dict.fromkeys(c for c in (declared, "gb18030") if c):
            try:
                text = data.decode(codec)
                break
            except (UnicodeDecodeError, LookupError):
                continue
    if text is None:
        raise LoadError("not UTF-8 or GB18030 text (wrong encoding or a binary file)")
    bad = len(_BINARY.findall(text))
    if "\x00" in text or bad > max(2, len(text) // 100):
        raise LoadError("looks like a binary file, not text")
    if not text.strip():
        raise LoadError("empty file")
    return text


# --------------------------------------------------------------------------------------------
# Whitespace

_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff"
_INLINE_WS = re.compile(r"[^\S\n]+")
_INVISIBLE = re.compile(r"[\u200b\ufeff\x00-\x08\x0b\x0e-\x1f\x7f]")
SOFT_BREAK = "\ue000"  # a private-use marker for "line break that is only layout"
_SOFT_CJK = re.compile(rf"(?<=[{_CJK}])\s*{SOFT_BREAK}\s*|\s*{SOFT_BREAK}\s*(?=[{_CJK}])")
_SOFT_ANY = re.compile(rf"\s*{SOFT_BREAK}\s*")


def clean_text(text: str) -> str:
    """Collapse whitespace runs within lines, trim lines, drop blank lines; nothing else changes."""
    text = _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = (_INLINE_WS.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def clean_line(text: str) -> str:
    """One line: every whitespace run (newlines too) becomes one space."""
    return re.sub(r"\s+", " ", _INVISIBLE.sub("", text)).strip()


def resolve_soft_breaks(text: str) -> str:
    """A layout line break next to a CJK character vanishes; between two Latin words it is a space.

    Chinese has no spaces between words, so a source wrap (Markdown soft break, a newline in HTML
    source, a PDF line wrap) inside a sentence must not leave a space (or a sentence boundary) behind.
    """
    return _SOFT_ANY.sub(" ", _SOFT_CJK.sub("", text))


def is_cjk(ch: str) -> bool:
    return bool(ch) and re.match(f"[{_CJK}]", ch) is not None


# --------------------------------------------------------------------------------------------
# Heading-like lines in documents without heading markup (PDF, plain text, unstyled Word)

_NUM = "一二三四五六七八九十百零〇两"
_HEADING_PATTERNS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(rf"^第[{_NUM}\d]+[章篇编部]"), 1),
    (re.compile(rf"^第[{_NUM}\d]+节"), 2),
    (re.compile(rf"^[{_NUM}]+[、．.]\s*\S"), 3),
    (re.compile(rf"^[（(][{_NUM}]+[）)]\s*\S"), 4),
)
# A numbered line ending like a sentence is a list item; a question ("一、可以网上办吗？") may be a heading.
_SENTENCE_END = "。；;，,、！!"
MAX_HEADING_CHARS = 30


def heading_level(line: str) -> int | None:
    """The level of a numbered Chinese heading ("一、办理条件", "（二）所需材料", "第三章 附则"), else None.

    Only short lines that do not end like a sentence count, so list items such as
    "（一）申请人为本市户籍居民。" stay body text.
    """
    line = line.strip()
    if not line or len(line) > MAX_HEADING_CHARS or line[-1] in _SENTENCE_END:
        return None
    for pattern, level in _HEADING_PATTERNS:
        if pattern.match(line):
            return level
    return None


_JUNK_TITLE = re.compile(r"^(?:microsoft word\s*-|untitled|wps|无标题)|\.(?:docx?|wps|pdf)$", re.IGNORECASE)


def is_junk_title(title: str | None) -> bool:
    """File-property titles are often empty or tool-made ("Microsoft Word - 附件1.doc")."""
    return not title or _JUNK_TITLE.search(title) is not None


# --------------------------------------------------------------------------------------------
# Assembly

FRONT_MATTER_KEYS = ("region", "audience", "one_thing_id")


def scalar_metadata(raw: dict[str, Any]) -> dict[str, Any]:
    """The front-matter fields we index on, as flat scalars (the vector store needs flat metadata)."""
    out: dict[str, Any] = {}
    for key in FRONT_MATTER_KEYS:
        value = raw.get(key)
        if isinstance(value, str | int | float) and not isinstance(value, bool) and str(value).strip():
            out[key] = str(value).strip()
    return out


def assemble(parsed: Parsed, rel: str, source_type: str) -> Document:
    """Blocks → a Document: one section per heading, ids ``file:<rel>#s<n>`` in order.

    A section's heading is its heading path below the document title ("二、所需材料 · （一）个人"),
    so a nested heading keeps its context. Sections with no body text are dropped before numbering,
    so ids only change when the file does.
    """
    doc_id = f"file:{rel}"
    title = clean_line(parsed.title or "") or Path(rel).stem
    meta = {"doc_id": doc_id, "source_type": source_type, "path": rel, **parsed.metadata}

    groups: list[tuple[list[str], list[str], int | None]] = []  # (heading path, body lines, page)
    stack: list[tuple[int, str]] = []
    for block in parsed.blocks:
        if block.is_heading:
            text = clean_line(block.text)
            if not text:
                continue
            while stack and stack[-1][0] >= (block.level or 1):
                stack.pop()
            stack.append((block.level or 1, text))
            path = [t for _, t in stack if t != title]
            groups.append((path, [], block.page))
        else:
            body = clean_text(block.text)
            if not body:
                continue
            if not groups:
                groups.append(([], [], block.page))
            groups[-1][1].append(body)

    sections: list[Section] = []
    for path, lines, page in groups:
        if not lines:
            continue
        heading = " · ".join(path)
        sec_meta = {**meta, "heading": heading}
        if page is not None:
            sec_meta["page"] = page
        sections.append(
            Section(
                source_id=f"{doc_id}#s{len(sections) + 1}",
                title=f"{title} · {heading}" if heading else title,
                text="\n".join(lines),
                metadata=sec_meta,
            )
        )
    if not sections:
        raise LoadError("no text found")
    return Document(doc_id=doc_id, title=title, sections=sections, metadata=meta)
