"""Question–passage features for the learned reranker (knowledge.rerank): one row per candidate.

Everything the pipeline already has or can compute in microseconds: the dense cosine, BM25 and fused
scores, where the candidate stands in each list and how far behind the top, and lexical agreement
with the question (char bigrams, the question's words weighted by how rare they are in the list, the
longest verbatim echo). Scores enter as ranks, gaps and ratios to the list's best, so a model fitted on
one index (a benchmark's) carries to another (the product's guides).
"""

from __future__ import annotations

import math

import numpy as np

from knowledge.documents import Record
from knowledge.retrieval import Query

FEATURES = (
    "dense", "has_dense", "dense_gap", "dense_z", "dense_rank",
    "bm25_log", "bm25_rel", "has_bm25", "bm25_rank",
    "fused_rel", "fused_gap", "fused_rank",
    "bigram_q", "bigram_gap", "bigram_title", "bigram_head", "unigram_q",
    "token_cov", "token_cov_idf", "token_cov_gap", "echo_run",
    "passage_len_log", "question_len_log", "first_chunk",
)


def _bigrams(s: str) -> set[str]:
    s = "".join(ch for ch in s.lower() if ch.isalnum())
    return {s[i:i + 2] for i in range(len(s) - 1)}


def _echo_run(q: str, p: str) -> int:
    """Length of the longest run of the question (up to 12 chars) found verbatim in the passage."""
    best = 0
    for n in range(2, min(12, len(q)) + 1):
        if not any(q[i:i + n] in p for i in range(len(q) - n + 1)):
            break
        best = n
    return best


def _ranks(values: list[float | None]) -> np.ndarray:
    """1-based rank among the candidates that have a value (best first); absent → one past the last."""
    present = sorted((v for v in values if v is not None), reverse=True)
    pos = {}
    for i, v in enumerate(present, 1):
        pos.setdefault(v, i)
    return np.array([pos[v] if v is not None else len(present) + 1 for v in values], dtype=float)


def pair_features(query: Query, passages: list[Record]) -> np.ndarray:
    """One row of `FEATURES` per passage, in the given (retrieval) order; finite everywhere."""
    n = len(passages)
    if n == 0:
        return np.zeros((0, len(FEATURES)))
    q = "".join(query.search_text.lower().split())
    qb = _bigrams(q)
    qchars = {c for c in q if c.isalnum()}
    toks = [t for t in dict.fromkeys(query.search_tokens) if len(t) > 1 or not t.isascii()]
    texts = [p.text.lower() for p in passages]  # stored text; the question side is already folded
    # In-list IDF: a word every candidate contains does not tell them apart.
    df = {t: sum(t in x for x in texts) for t in toks}
    idf = {t: math.log((n + 1) / (df[t] + 0.5)) for t in toks}
    idf_total = sum(idf.values()) or 1.0
    dense = [p.dense for p in passages]
    bm25 = [p.bm25 for p in passages]
    fused = [p.score if p.score is not None else 0.0 for p in passages]
    d = np.array([v if v is not None else np.nan for v in dense], dtype=float)
    d_fill = np.nanmin(d) if np.isfinite(d).any() else 0.0
    d = np.where(np.isfinite(d), d, d_fill)
    b = np.array([v or 0.0 for v in bm25], dtype=float)
    f = np.array(fused, dtype=float)
    bmax, fmax = max(b.max(), 1e-9), max(f.max(), 1e-9)
    rows = []
    for p, text in zip(passages, texts, strict=True):
        pb = _bigrams(text)
        title = p.title.lower()
        rows.append([
            len(qb & pb) / max(1, len(qb)),
            len(qb & _bigrams(title)) / max(1, len(qb)),
            len(qb & _bigrams(text[:60])) / max(1, len(qb)),
            len(qchars & set(text)) / max(1, len(qchars)),
            sum(t in text for t in toks) / max(1, len(toks)),
            sum(idf[t] for t in toks if t in text) / idf_total,
            _echo_run(q, text) / max(1, min(12, len(q))),
            math.log1p(len(p.text)),
            1.0 if int(p.metadata.get("chunk_index", 0) or 0) == 0 else 0.0,
        ])
    lex = np.array(rows, dtype=float)
    std = d.std() or 1.0
    out = np.column_stack([
        d, [v is not None for v in dense], d.max() - d, (d - d.mean()) / std, np.log(_ranks(dense)),
        np.log1p(b), b / bmax, [v is not None for v in bm25], np.log(_ranks(bm25)),
        f / fmax, (fmax - f) / fmax, np.log(np.arange(1, n + 1)),
        lex[:, 0], lex[:, 0].max() - lex[:, 0], lex[:, 1], lex[:, 2], lex[:, 3],
        lex[:, 4], lex[:, 5], lex[:, 5].max() - lex[:, 5], lex[:, 6],
        lex[:, 7], np.full(n, math.log1p(len(q))), lex[:, 8],
    ]).astype(float)
    return np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0)
