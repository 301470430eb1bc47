"""Probabilities from a margin classifier: one softmax temperature fitted on out-of-fold margins.

LinearSVC (the default) has no probabilities. Dividing its margins by one temperature before a
softmax leaves the argmax unchanged and makes the scores usable probabilities for the staff UI.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def margins(model: Any, X: Any) -> Any:
    """The model's decision margins as an (n, classes) float64 array, also for a binary model."""
    import numpy as np

    d = np.asarray(model.decision_function(X), dtype=np.float64)
    if d.ndim == 1:  # binary: one margin, positive means classes_[1]
        d = np.column_stack([-d / 2, d / 2])
    return d


def softmax(z: Any) -> Any:
    """Row-wise softmax, shifted by the row maximum so large margins do not overflow."""
    import numpy as np

    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature(make_model: Callable[[], Any], X: Any, y: Any, classes: Any, folds: int = 3) -> float:
    """The temperature T minimising the log-loss of softmax(margin / T) on out-of-fold margins.

    Folds are plain shuffled k-fold; a class absent from a fold's training part gets a very low
    margin there, so rare classes cannot break the fit.
    """
    import numpy as np

    n = X.shape[0]
    if n < 2 * folds:
        return 1.0
    idx = np.random.default_rng(0).permutation(n)
    col = {c: j for j, c in enumerate(classes)}
    fold_margins, gold = [], []
    for k in range(folds):
        te = idx[k::folds]
        tr = np.setdiff1d(idx, te)
        if len(set(y[tr])) < 2:
            continue
        m = make_model().fit(X[tr], y[tr])
        d = margins(m, X[te])
        full = np.full((len(te), len(classes)), -1e3)
        for j, c in enumerate(m.classes_):
            full[:, col[c]] = d[:, j]
        fold_margins.append(full)
        gold.append(np.array([col[c] for c in y[te]]))
    if not fold_margins:
        return 1.0
    D, g = np.vstack(fold_margins), np.concatenate(gold)

    def nll(t: float) -> float:
        z = D / t
        z = z - z.max(axis=1, keepdims=True)
        return float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(g)), g]))

    grid = np.geomspace(0.01, 10.0, 61)
    best = grid[int(np.argmin([nll(t) for t in grid]))]
    fine = np.geomspace(best / 1.15, best * 1.15, 21)  # refine within one grid step
    return float(fine[int(np.argmin([nll(t) for t in fine]))])
