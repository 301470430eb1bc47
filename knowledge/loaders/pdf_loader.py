"""PDF guides (.pdf) via pypdf: split on numbered Chinese headings, else one section per page.

PDF text has no structure, so the loader rebuilds some: page numbers ("- 3 -", "第3页 共9页") are
dropped, a line wrapped by the layout is joined to the next (without a space between CJK characters),
and lines like "一、办理条件" / "（二）所需材料" start sections. A scanned PDF has no text layer and is
skipped with a warning (OCR of guides is out of scope here).
"""

from __future__ import annotations

import logging
from pathlib import Path

from knowledge.loaders.base import LoadError, Parsed, clean_line, is_junk_title
from knowledge.loaders.lines import structure

log = logging.getLogger(__name__)

def load(path: Path) -> Parsed:
    from pypdf import PdfReader

    if path.stat().st_size == 0:
        raise LoadError("empty file")
    reader = PdfReader(path, strict=False)
    if reader.is_encrypted:
        try:
            ok = reader.decrypt("")
        except Exception as exc:  # pypdf raises several types for unsupported crypto
            raise LoadError(f"encrypted PDF ({exc})") from exc
        if not ok:
            raise LoadError("encrypted PDF that needs a password")
    pages: list[str] = []
    for n, page in enumerate(reader.pages, 1):
        try:
            pages.append(page.extract_text() or "")
        except Exception as exc:  # one corrupt content stream must not lose the other pages
            log.warning("%s: page %d unreadable, skipped (%s)", path, n, exc)
            pages.append("")
    if not any(p.strip() for p in pages):
        raise LoadError("no extractable text (a scanned PDF? OCR of guides is not supported)")
    try:
        meta_title = clean_line(str((reader.metadata or {}).get("/Title") or ""))
    except Exception:  # a broken /Info dictionary must not lose the text
        meta_title = ""
    return structure(pages, None if is_junk_title(meta_title) else meta_title)
