"""YAML files (.yaml/.yml) that are one of our one-thing guides, rendered by `knowledge.catalog`.

The document keeps the catalogue's ids (``guide:<id>``, ``<id>#overview``...), not ``file:`` ids: the
answer composer finds a guide's sections by those anchors, and the same guide reached both through
the catalogue and through a folder is then one document (ingestion keeps the first).
"""

from __future__ import annotations

from pathlib import Path

from knowledge.documents import Document
from knowledge.loaders.base import LoadError


def load(path: Path) -> Document:
    from core.errors import ConfigurationError
    from knowledge.catalog import load_one_thing, render

    if not path.read_bytes().strip():
        raise LoadError("empty file")
    try:
        return render(load_one_thing(path))
    except ConfigurationError as exc:
        # The message starts with the path, which the warning already names.
        # Keep a pydantic report short: its headline and the first failing field.
        lines = exc.message.removeprefix(f"{path}: ").splitlines()
        reason = "; ".join(line.split(" [type=")[0].strip() for line in lines[:3])
        raise LoadError(f"not a one-thing guide: {reason}") from exc
    except UnicodeDecodeError as exc:
        raise LoadError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
