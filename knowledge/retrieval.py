"""Hybrid retrieval: dense (vector store) + BM25 over jieba tokens, fused with reciprocal rank fusion.

A third ranked list comes from the catalogue: when the question names a one-thing or one of its
aliases, that bundle's passages are promoted. Metadata filters (region, audience, one_thing_id)
apply to every list. Traditional Chinese is folded to Simplified before both retrievers.

A question is prepared once (`HybridRetriever.prepare` → `Query`: folded, typo-repaired, tokenised,
embedded) and the same `Query` is handed to every stage that reads it, so answering a question embeds
it once. Results are the store's own `Record`s with their scores filled in.

A question's vector is of its first `max_embed_chars` characters (256 by default): the embedder's cost
grows faster than the text (e5 attends over every pair of tokens in a 512-token window, and a longer
text runs several windows), so a pasted 2,000-character question took seconds where a short one takes
a tenth of a second. Every other stage (BM25, catalogue names, aspects, the decision model's word
features) still reads the whole question, in time linear in its length.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

from knowledge.documents import Record
from knowledge.embedders import Embedder
from knowledge.store import VectorStore, Where
from knowledge.text import (
    SegmentationCache,
    fold_question,
    segment,
    tokenize,
    tokenize_normalized,
)
from knowledge.typos import HomophoneCorrector

log = logging.getLogger(__name__)

Mode = Literal["hybrid", "dense", "bm25"]
# Characters of a question that are embedded (see the module docstring). Every eval and training
# question is shorter (the longest is 162), so this changes no measured answer; about 200 e5 tokens.
MAX_EMBED_CHARS = 256
Fusion = Literal["convex", "rrf"]


@dataclass(frozen=True, eq=False)
class Query:
    """A question prepared once for every stage that reads it: retrieval, routing, the aspects asked.

    Built by `HybridRetriever.prepare`, which owns the typo corrector and the embedder."""

    text: str  # as asked
    normalized: str  # width and script folded (knowledge.text.normalize)
    search_text: str  # `normalized` with pinyin-IME typos repaired: what dense and BM25 retrieval see
    tokens: tuple[str, ...]  # tokens of `normalized`: the words as asked (aspects, content words)
    search_tokens: tuple[str, ...]  # tokens of `search_text`: what BM25 matches
    vector: np.ndarray | None = None  # embedding of `search_text`'s head; None when prepared for BM25 only

    @property
    def english(self) -> bool:
        """Written mostly in Latin letters: such a question may match the guides' English text."""
        letters = [c for c in self.text if c.isalpha()]
        return bool(letters) and sum(c.isascii() for c in letters) > len(letters) / 2

    def prefixed(self, words: Query) -> Query:
        """This question with `words` (a bundle's name) in front, keeping this question's vector.

        Equal, field by field, to preparing "words question" afresh, except the vector: folding,
        typo repair and jieba all treat the space as a boundary. Retrieval inside a chosen bundle
        uses it, so that search adds the bundle's name without embedding the question again."""
        return Query(f"{words.text} {self.text}", f"{words.normalized} {self.normalized}",
                     f"{words.search_text} {self.search_text}", words.tokens + self.tokens,
                     words.search_tokens + self.search_tokens, self.vector)


@dataclass(frozen=True)
class RetrievalResult:
    query: Query
    passages: list[Record] = field(default_factory=list)  # the store's records, with their scores
    mentioned_one_things: list[str] = field(default_factory=list)
    # Best dense cosine per one-thing among all dense candidates (not only the fused top k): the
    # router's passage signal and its in-scope test use it.
    dense_by_one_thing: dict[str, float] = field(default_factory=dict)
    # Each one-thing's share of the reciprocal-rank-fused top k of both lists: how much dense and
    # BM25 agree on it, on a scale that does not depend on the fusion used for the passages.
    agreement_by_one_thing: dict[str, float] = field(default_factory=dict)


class BM25Index:
    """bm25s over jieba search-mode tokens; rebuilt from the store's records."""

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self._bm25 = None
        self._ids: list[str] = []
        self._meta: list[dict[str, Any]] = []

    def build(self, records: list[Record], segments: SegmentationCache) -> None:
        """Index the title and text of `records`, tokenised (`tokenize`) or read from `segments`."""
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG
        self._ids = [r.chunk_id for r in records]
        self._meta = [r.metadata for r in records]
        corpus = [segments.get("search", f"{r.title}\n{r.text}", tokenize) or ["∅"] for r in records]
        self._bm25 = bm25s.BM25(k1=self.k1, b=self.b)
        if corpus:
            self._bm25.index(corpus, show_progress=False)

    def __len__(self) -> int:
        return len(self._ids)

    def search(self, tokens: Sequence[str], k: int, where: Where | None = None) -> list[tuple[str, float]]:
        """The best `k` chunks for a query's tokens (`Query.search_tokens`)."""
        if not self._ids or self._bm25 is None:
            return []
        toks = [t for t in tokens if t in self._bm25.vocab_dict]
        if not toks:
            return []
        scores = np.asarray(self._bm25.get_scores(toks), dtype=np.float32)
        if where:
            mask = np.array([all(m.get(a) == v for a, v in where.items()) for m in self._meta])
            scores = np.where(mask, scores, 0.0)
        top = np.argsort(-scores)[:k]
        return [(self._ids[i], float(scores[i])) for i in top if scores[i] > 0]


def rrf(rankings: list[list[str]], k: int = 60, weights: list[float] | None = None) -> dict[str, float]:
    """Reciprocal rank fusion: Σ w / (k + rank). Robust to the different score scales of the lists."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[str, float] = defaultdict(float)
    for ranking, w in zip(rankings, weights, strict=True):
        for rank, cid in enumerate(ranking, 1):
            fused[cid] += w / (k + rank)
    return fused


def convex(dense: list[tuple[str, float]], sparse: list[tuple[str, float]], dense_weight: float) -> dict[str, float]:
    """Convex combination of min-max normalised scores: w·dense + (1-w)·bm25 (absent = 0).

    Unlike RRF it keeps how far ahead a candidate is, so a confident dense match is not dragged down
    by a weak BM25 list (on MSGABench RRF fell below dense alone; this beats both)."""

    def minmax(hits: list[tuple[str, float]]) -> dict[str, float]:
        if not hits:
            return {}
        lo, hi = min(s for _, s in hits), max(s for _, s in hits)
        return {c: (s - lo) / (hi - lo) if hi > lo else 1.0 for c, s in hits}

    d, s = minmax(dense), minmax(sparse)
    return {c: dense_weight * d.get(c, 0.0) + (1 - dense_weight) * s.get(c, 0.0) for c in {*d, *s}}


class HybridRetriever:
    """Dense + BM25 (+ catalogue mentions) retriever. `mode` lets evals run each baseline alone."""

    def __init__(
        self,
        store: VectorStore,
        embedder: Embedder,
        *,
        catalog_terms: dict[str, list[str]] | None = None,
        top_k: int = 8,
        candidates: int = 40,
        rrf_k: int = 60,
        fusion: Fusion = "convex",
        dense_weight: float = 0.8,
        mention_weight: float = 0.3,
        mode: Mode = "hybrid",
        max_embed_chars: int = MAX_EMBED_CHARS,
        cache_dir: Path | None = None,
    ) -> None:
        if top_k < 1 or candidates < top_k:
            raise ValueError("need 1 <= top_k <= candidates")
        if max_embed_chars < 1:
            raise ValueError(f"max_embed_chars must be at least 1, got {max_embed_chars}")
        self.max_embed_chars = max_embed_chars
        self.cache_dir = cache_dir  # where the segmentations of the indexed texts are kept (None: not kept)
        self.store = store
        self.embedder = embedder
        self.catalog_terms = catalog_terms or {}
        self.top_k = top_k
        self.candidates = candidates
        if not 0 <= dense_weight <= 1:
            raise ValueError(f"dense_weight must be in [0, 1], got {dense_weight}")
        self.rrf_k = rrf_k
        self.fusion = fusion
        self.dense_weight = dense_weight
        self.mention_weight = mention_weight
        self.mode = mode
        self.bm25 = BM25Index()
        self.typos = HomophoneCorrector()
        self._records: dict[str, Record] = {}
        self._by_one_thing: dict[str, list[str]] = defaultdict(list)
        self._by_source: dict[str, list[Record]] = defaultdict(list)
        self._english: set[str] = set()  # chunk ids of English text (a guide's English twin sections)
        self._warm = False

    def warm_up(self) -> None:
        if self._warm:
            return
        self.store.warm_up()
        self.embedder.warm_up()
        if self.catalog_terms:
            from knowledge.text import add_words

            add_words([t for terms in self.catalog_terms.values() for t in terms])
        self.refresh()
        self._warm = True

    def refresh(self) -> None:
        """Re-read the store (after an ingest) and rebuild BM25."""
        records = self.store.all_records()
        self._records = {r.chunk_id: r for r in records}
        self._english = {r.chunk_id for r in records if r.metadata.get("lang") == "en"}
        self._by_one_thing = defaultdict(list)
        self._by_source = defaultdict(list)
        for r in records:
            if r.metadata.get("one_thing_id"):
                self._by_one_thing[r.metadata["one_thing_id"]].append(r.chunk_id)
            self._by_source[str(r.metadata.get("source_id", r.chunk_id))].append(r)
        for recs in self._by_source.values():  # "~10" sorts before "~2" as text; chunk_index is numeric
            recs.sort(key=lambda r: int(r.metadata.get("chunk_index", 0)))
        segments = SegmentationCache(self.cache_dir)
        self.bm25.build(records, segments)
        terms = [t for ts in self.catalog_terms.values() for t in ts]
        # Typo repair knows Chinese words only, so the English twins of the guides (half the chunks) are not
        # segmented for it: that halved the build, which every process pays at start.
        chinese = (segments.get("words", r.text, segment) for r in records if r.chunk_id not in self._english)
        self.typos.build(chinese, [*terms, *(t.removesuffix("一件事") for t in terms)])
        segments.save()
        log.info("retriever ready: %d chunks, %d terms for typo repair", len(records), len(self.typos))

    def fingerprint(self) -> str:
        """A short hash of the indexed chunk ids: what a model trained on this index's scores depends on."""
        import hashlib

        return hashlib.sha256("\n".join(sorted(self._records)).encode()).hexdigest()[:16]

    def record(self, chunk_id: str) -> Record | None:
        return self._records.get(chunk_id)

    def records_for_source(self, source_id: str) -> list[Record]:
        """The chunks of one section, in order (a long section may have been split)."""
        return self._by_source.get(source_id, [])

    def mentioned(self, normalized_query: str) -> list[str]:
        """One-things whose name or alias appears in the question (longest match first)."""
        q = normalized_query.lower()
        hits = []
        for oid, terms in self.catalog_terms.items():
            best = max((len(t) for t in terms if t and t.lower() in q), default=0)
            if best:
                hits.append((best, oid))
        return [oid for _, oid in sorted(hits, reverse=True)]

    def prepare(self, text: str, *, embed: bool = True) -> Query:
        """The question as every stage sees it: width and script folded (繁→简, spoken Cantonese → Mandarin, a
        relative who 走了 as 去世了), pinyin-IME typos repaired, tokenised, and (with `embed`) embedded — each once.
        Only the first `max_embed_chars` characters are embedded, so the cost of a long question stays bounded."""
        self.warm_up()
        normalized = fold_question(text)
        search_text = self.typos.correct(normalized)
        tokens = tuple(tokenize_normalized(normalized))
        # A repaired word may come from an office's own (unfolded) text, so repaired text is folded again.
        search_tokens = tokens if search_text == normalized else tuple(tokenize(search_text))
        vector = self.embedder.embed_query(search_text[: self.max_embed_chars]) if embed else None
        return Query(text, normalized, search_text, tokens, search_tokens, vector)

    def run(
        self,
        query: Query | str,
        *,
        top_k: int | None = None,
        where: Where | None = None,
        mode: Mode | None = None,
    ) -> RetrievalResult:
        """Rank chunks for a prepared `Query` (or a question, prepared here for this one search)."""
        self.warm_up()
        mode = mode or self.mode
        k = top_k or self.top_k
        if isinstance(query, str):
            query = self.prepare(query, embed=mode != "bm25")
        dense: list[tuple[str, float]] = []
        sparse: list[tuple[str, float]] = []
        # A Chinese question is matched against Chinese text only: the guides' English twins would
        # otherwise take places in its list. An English one may match either.
        n = self.candidates * 2 if self._english else self.candidates
        keep = (lambda hits: hits[:self.candidates]) if query.english else (
            lambda hits: [h for h in hits if h[0] not in self._english][:self.candidates])
        if mode in ("hybrid", "dense"):
            if query.vector is None:
                raise ValueError(f"{mode} retrieval needs the query's vector: prepare(text) with embed=True")
            dense = keep(self.store.query(query.vector, n, where))
        if mode in ("hybrid", "bm25"):
            sparse = keep(self.bm25.search(query.search_tokens, n, where))
        mentioned = self.mentioned(query.search_text) if mode == "hybrid" else []
        dense_s, sparse_s = dict(dense), dict(sparse)
        agreement: dict[str, float] = {}
        if mode == "dense":
            fused = {cid: s for cid, s in dense}
        elif mode == "bm25":
            fused = {cid: s for cid, s in sparse}
        else:
            # The bundle the question names ("户口迁移一件事…") gets its passages promoted.
            allowed = set(self._by_one_thing.get(mentioned[0], [])) if mentioned else set()
            if not query.english:
                allowed -= self._english
            named = [c for c, _ in dense if c in allowed] or sorted(allowed)
            rankings = [[c for c, _ in dense], [c for c, _ in sparse]] + ([named] if named else [])
            by_rank = rrf(rankings, self.rrf_k)
            if self.fusion == "rrf":
                fused = by_rank
            else:
                fused = convex(dense, sparse, self.dense_weight)
                for rank, cid in enumerate(named):
                    fused[cid] = fused.get(cid, 0.0) + self.mention_weight / (1 + 0.1 * rank)
            agreement = self._share_per_one_thing(sorted(by_rank.items(), key=lambda kv: -kv[1])[:k])
        best_dense: dict[str, float] = {}
        for cid, cos in dense:
            oid = self._one_thing_of(cid)
            if oid and cos > best_dense.get(oid, -1.0):
                best_dense[oid] = cos
        ranked = sorted(fused.items(), key=lambda kv: -kv[1])[:k]
        passages = []
        for cid, score in ranked:
            rec = self._records.get(cid)
            if rec is None:  # deleted since the last refresh
                continue
            passages.append(replace(rec, score=score, dense=dense_s.get(cid), bm25=sparse_s.get(cid)))
        return RetrievalResult(query, passages, mentioned, best_dense, agreement)

    def _one_thing_of(self, chunk_id: str) -> str | None:
        rec = self._records.get(chunk_id)
        return rec.metadata.get("one_thing_id") if rec else None

    def _share_per_one_thing(self, scored: list[tuple[str, float]]) -> dict[str, float]:
        total = sum(s for _, s in scored) or 1.0
        share: dict[str, float] = defaultdict(float)
        for cid, s in scored:
            oid = self._one_thing_of(cid)
            if oid:
                share[oid] += s / total
        return dict(share)
