"""``python -m knowledge.loaders PATH``: what ingestion would load from a folder, and what it would skip."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from core.errors import ConfigurationError
from knowledge.loaders.folder import SUPPORTED_SUFFIXES, PathLoader


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m knowledge.loaders",
        description=f"Load guides from a file or folder and print a summary. Supported: {' '.join(sorted(SUPPORTED_SUFFIXES))}",
    )
    parser.add_argument("path", type=Path, help="a guide file or a folder of guides (searched recursively)")
    parser.add_argument("--root", type=Path, default=None, help="folder that document ids are relative to")
    parser.add_argument("--list", action="store_true", help="also list each document and its sections")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 if any file was skipped")
    args = parser.parse_args(argv)
    # Skipped files are reported below; keep the per-file warnings off the console.
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")

    try:
        report = PathLoader(args.root).run(args.path)
    except ConfigurationError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    if args.list:
        for doc in report.documents:
            print(f"{doc.doc_id}  {doc.title}  ({len(doc.sections)} sections)")
            for s in doc.sections:
                print(f"    {s.source_id}  {s.title}  [{len(s.text)} chars]")
    for s in report.skipped:
        print(f"skipped {s.path}: {s.reason}")
    print(f"docs: {len(report.documents)}, sections: {report.section_count}, skipped: {len(report.skipped)}, "
          f"ignored: {len(report.ignored)}")
    return 1 if args.strict and report.skipped else 0


if __name__ == "__main__":
    raise SystemExit(main())
