"""What a vague question could mean: the bundles of the labelled questions nearest to it.

When the decision model reads a question as too vague to route ("派出所要带啥", "幫爸爸辦手續"), it is sure of the
ambiguous class and its bundle probabilities are all near zero: their order is what the model learned to push
down, not which bundles the asker may mean. The clarifying question's options come from two orders instead,
fused by their ranks (`fuse`): the bundles whose profile phrases and passages come nearest (the router's
signals), and the votes of the labelled questions nearest in meaning — an in-scope question votes for its
bundle, a vague one for the bundles its writer listed as what it could mean (`options` in
assistant/decision/data/ambiguous*.jsonl), each by its cosine. The vectors are the ones the decision model was
fitted on, kept with it, so a deployer's own labelled questions vote too once trained.

Measured on the development questions that list the bundles they could mean (97: ambiguous_dev, dev, test),
the three options offered: the share of those bundles among them 0.745 → 0.837, the share of options that are one
of them 0.636 → 0.715; leave-one-out on the 450 vague training rows 0.762 → 0.792 and 0.589 → 0.612. The
neighbours' votes alone: 0.817 / 0.694 on the development questions, 0.759 / 0.587 leave-one-out; a one-vs-rest
logistic regression on the same vectors and labels scored 0.850 on the development questions but 0.730 on the
training rows' cross-validation, so the simpler vote was kept.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

# How many labelled questions vote (5, 10, 20 and 40 tried: 10 and 20 best, 10 with the fusion).
NEIGHBOURS = 10
# The reciprocal-rank constant of the fusion: 1 / (FUSE_K + rank). Small, so the first places of each order count
# most (three options are offered).
FUSE_K = 3


class Neighbours:
    """Unit vectors of labelled questions, and the bundles each one means."""

    def __init__(self, vectors: np.ndarray, meanings: list[tuple[str, ...]]) -> None:
        keep = [i for i, m in enumerate(meanings) if m]
        v = np.asarray(vectors, dtype=np.float32)[keep] if keep else np.zeros((0, vectors.shape[1]), np.float32)
        norms = np.linalg.norm(v, axis=1, keepdims=True)
        self.vectors = v / np.where(norms == 0, 1.0, norms)
        self.meanings = [meanings[i] for i in keep]

    def __len__(self) -> int:
        return len(self.meanings)

    def vote(self, vector: np.ndarray, k: int = NEIGHBOURS) -> dict[str, float]:
        """Each bundle's votes from the `k` labelled questions nearest to `vector`, weighted by their cosine."""
        if not self.meanings:
            return {}
        v = np.asarray(vector, dtype=np.float32)
        cos = self.vectors @ (v / (float(np.linalg.norm(v)) or 1.0))
        votes: Counter[str] = Counter()
        for i in np.argsort(-cos)[:k]:
            for bundle in self.meanings[i]:
                votes[bundle] += float(cos[i])
        return dict(votes)


def fuse(*orders: list[str]) -> list[str]:
    """Bundles ranked by their reciprocal ranks summed over `orders` (each best first); ties keep first-seen order."""
    score: Counter[str] = Counter()
    for order in orders:
        for rank, bundle in enumerate(order):
            score[bundle] += 1.0 / (FUSE_K + rank)
    return sorted(score, key=lambda b: -score[b])
