"""Small metric helpers shared by the eval commands."""

from __future__ import annotations

import json

import numpy as np


def hit_at(ranked: list[str], gold: str, k: int) -> float:
    return 1.0 if gold in ranked[:k] else 0.0


def reciprocal_rank(ranked: list[str], gold: str) -> float:
    return 1.0 / (ranked.index(gold) + 1) if gold in ranked else 0.0


def percentiles(ms: list[float]) -> dict[str, float]:
    if not ms:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0}
    a = np.asarray(ms)
    return {"p50_ms": round(float(np.percentile(a, 50)), 1), "p95_ms": round(float(np.percentile(a, 95)), 1),
            "p99_ms": round(float(np.percentile(a, 99)), 1)}


def precision_recall(tp: int, fp: int, fn: int) -> tuple[float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return round(p, 4), round(r, 4)


def print_table(title: str, rows: list[dict], cols: list[str] | None = None) -> None:
    if not rows:
        print(f"{title}: (no rows)")
        return
    cols = cols or list(rows[0])
    widths = {c: max(len(c), *(len(_fmt(r.get(c))) for r in rows)) for c in cols}
    print(f"\n{title}")
    print("  ".join(c.ljust(widths[c]) for c in cols))
    print("  ".join("-" * widths[c] for c in cols))
    for r in rows:
        print("  ".join(_fmt(r.get(c)).ljust(widths[c]) for c in cols))


def _fmt(v) -> str:
    return f"{v:.4f}" if isinstance(v, float) else str(v)


def emit_json(metrics: dict) -> None:
    """The machine-readable result: one JSON object as the last line."""
    print(json.dumps(metrics, ensure_ascii=False, sort_keys=True))
