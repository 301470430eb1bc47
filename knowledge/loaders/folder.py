"""Load a file or a whole folder of guides into `Document`s, skipping (with a warning) what can't be read.

An office points ingestion at the folder of guides it already has; an English version of a guide may
sit beside it as ``<name>.en.<ext>`` and is indexed as English text. One unreadable file (corrupt,
wrong encoding, empty, not a guide) must not stop the other hundred, so `PathLoader` logs a warning
naming the file and the reason, records it in the report, and goes on. Files are visited in sorted
relative-path order, so the same folder always gives the same documents in the same order.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import ConfigurationError
from knowledge.documents import Document
from knowledge.loaders import docx_loader, html_loader, markdown_loader, pdf_loader, text_loader, yaml_loader
from knowledge.loaders.base import LoadError, Parsed, assemble

log = logging.getLogger(__name__)

ParseFn = Callable[[Path], Parsed]

# suffix → (source_type, parser). YAML is separate: our guides render through the catalogue.
PARSERS: dict[str, tuple[str, ParseFn]] = {
    ".md": ("markdown", markdown_loader.load),
    ".markdown": ("markdown", markdown_loader.load),
    ".html": ("html", html_loader.load),
    ".htm": ("html", html_loader.load),
    ".pdf": ("pdf", pdf_loader.load),
    ".docx": ("docx", docx_loader.load),
    ".txt": ("text", text_loader.load),
}
YAML_SUFFIXES = frozenset({".yaml", ".yml"})
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(PARSERS) | YAML_SUFFIXES
MAX_REASON_CHARS = 300


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass
class LoadReport:
    """What a load produced: documents, files skipped (with why), and files of unsupported types."""

    documents: list[Document] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def section_count(self) -> int:
        return sum(len(d.sections) for d in self.documents)

    def summary(self) -> str:
        return (
            f"{len(self.documents)} documents, {self.section_count} sections, "
            f"{len(self.skipped)} skipped, {len(self.ignored)} ignored (unsupported type)"
        )


def _hidden(name: str) -> bool:
    # Dotfiles, and the "~$x.docx" lock files Word leaves next to an open document.
    return name.startswith((".", "~$"))


def _files(folder: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not _hidden(d)]
        found.extend(Path(dirpath) / f for f in filenames if not _hidden(f))
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def load_file(path: Path, rel: str) -> Document:
    """One file → one Document (``doc_id = file:<rel>``). Raises `LoadError` or the parser's error."""
    suffix = path.suffix.lower()
    if suffix in YAML_SUFFIXES:
        return yaml_loader.load(path)
    if suffix not in PARSERS:
        raise LoadError(f"unsupported file type {suffix or '(none)'}; supported: {sorted(SUPPORTED_SUFFIXES)}")
    source_type, parse = PARSERS[suffix]
    parsed = parse(path)
    twin = english_twin_of(rel)
    if twin is not None:
        # An office's English version of a guide, kept beside it: its text is English (a Chinese
        # question is never matched against it) and it names the Chinese guide it renders.
        parsed.metadata.update(lang="en", translation_of=f"file:{twin}")
    return assemble(parsed, rel, source_type)


def english_twin_of(rel: str) -> str | None:
    """For ``办事指南/公积金提取.en.md`` the Chinese guide it is the English version of
    (``办事指南/公积金提取.md``); None for any other file."""
    p = Path(rel)
    stem = Path(p.stem)
    if stem.suffix.lower() != ".en":
        return None
    return (p.parent / f"{stem.stem}{p.suffix}").as_posix()


def _relative(path: Path, root: Path) -> Path:
    for a, b in ((path.absolute(), root.absolute()), (path.resolve(), root.resolve())):
        try:
            return a.relative_to(b)
        except ValueError:
            continue
    raise ConfigurationError(f"guide path {path} is not inside the root folder {root}")


class PathLoader:
    """Loads a file or folder. `root` is what doc ids are relative to (default: the folder itself,
    or a file's parent), so ids stay the same wherever the deployment keeps the folder."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root

    def run(self, path: Path) -> LoadReport:
        path = Path(path)
        if not path.exists():
            raise ConfigurationError(f"guide path {path} does not exist (check YJS_EXTRA_GUIDES_DIRS or the path given)")
        is_dir = path.is_dir()
        root = Path(self.root) if self.root is not None else (path if is_dir else path.parent)
        prefix = _relative(path, root)

        report = LoadReport()
        for file in _files(path) if is_dir else [path]:
            rel = (prefix / file.relative_to(path)).as_posix() if is_dir else prefix.as_posix()
            if is_dir and file.suffix.lower() not in SUPPORTED_SUFFIXES:
                log.debug("ignoring %s: unsupported file type", rel)
                report.ignored.append(rel)
                continue
            try:
                report.documents.append(load_file(file, rel))
            except Exception as exc:  # any parser failure on one file: skip it, keep the rest
                reason = str(exc) if isinstance(exc, LoadError) else f"{type(exc).__name__}: {exc}"
                reason = " ".join(reason.split())[:MAX_REASON_CHARS] or type(exc).__name__
                log.warning("skipping %s: %s", rel, reason)
                report.skipped.append(Skipped(rel, reason))
        log.info("loaded %s: %s", path, report.summary())
        return report


def load_path(path: Path, root: Path | None = None) -> list[Document]:
    """Documents from a file or a folder (recursive, sorted, deterministic); bad files are skipped
    with a warning naming the file and the reason."""
    return PathLoader(root).run(path).documents
