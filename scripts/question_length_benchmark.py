"""How a question's length drives its cost: warm answer time at 50 / 500 / 1000 / 2000 characters.

    .venv/bin/python scripts/question_length_benchmark.py [--repeats 3] [--lengths 50,500,1000,2000]

Runs the real engine (the settings' data dir and embedder; builds the index there if it is empty) on a
question about a newborn repeated to each length, and prints the best of `--repeats` runs per length,
split into the stages that read the whole question: preparing it (folding, typo repair, jieba, the
embedding) and the rest of the answer. 2,000 characters is the longest question the engine accepts
(a longer one is a 422). Issue 15 item 6: before the fix, 2,000 characters took 6-11 s against 0.1 s.
"""

from __future__ import annotations

import argparse
import json
import time

from app.pipeline import build_assistant, index_is_empty, ingest
from core.settings import get_settings

BASE = "孩子刚出生，我想问一下新生儿落户、医保参保和社保卡要带什么材料，去哪里办，多久能办好？"


def question(n: int) -> str:
    return (BASE * (n // len(BASE) + 1))[:n]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--lengths", default="50,500,1000,2000")
    args = ap.parse_args()
    settings = get_settings()
    if index_is_empty(settings):
        ingest(settings, progress=False)
    bot = build_assistant(settings)
    bot.warm_up()
    bot.run(question(50))  # first-call costs (jieba caches, sqlite) out of the figures
    rows = []
    for n in (int(x) for x in args.lengths.split(",")):
        q = question(n)
        prep, full = [], []
        for _ in range(args.repeats):
            t = time.perf_counter()
            bot.retriever.prepare(q)
            prep.append(time.perf_counter() - t)
            t = time.perf_counter()
            bot.run(q)
            full.append(time.perf_counter() - t)
        rows.append({"chars": n, "prepare_s": round(min(prep), 3), "answer_s": round(min(full), 3)})
        print(f"{n:5d} chars  prepare {min(prep):6.3f} s  answer {min(full):6.3f} s", flush=True)
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
