"""Feature selection by out-of-fold evidence: ``min_iv`` chosen by cross-validation.

Each fold bins the candidate features on its own training rows, so no feature can
look useful because its bins already saw the rows it is tested on. For each
threshold of :data:`IV_GRID` a fold keeps the features whose IV (on its training
rows) reaches the threshold, fits the logistic regression on their WoE and scores
its held-out rows. The lowest threshold, the most features, stands unless a higher
one lowers the out-of-fold log-loss by more than one standard error of the paired
per-row differences: a penalised regression tolerates a weak feature, so leaving
features out needs evidence.

Cost: one binning of the candidates per fold, plus one small regression per fold and
threshold (Newton's method on at most a few dozen WoE columns, about a millisecond),
so a fit takes about ``cv + 1`` times the binning time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from credit._binning import FloatArray, IntArray

Encode = Callable[[pd.Series], FloatArray]
"""Maps a column to the WoE of each value's bin."""
Encoder = Callable[[pd.Series, IntArray], tuple[Encode, float]]
"""Fits the bins of one column on training rows; returns its :data:`Encode` and IV."""

IV_GRID = (0.0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1)
"""Thresholds tried; 0 keeps every feature with more than one bin."""
_MAX_NEWTON_STEPS = 50


@dataclass(frozen=True)
class Fold:
    """WoE columns (one per candidate) of one fold's training and held-out rows."""

    train: FloatArray
    y_train: IntArray
    test: FloatArray
    y_test: IntArray
    iv: FloatArray


def n_folds(y: IntArray, cv: int) -> int:
    """Folds that each hold both outcomes: at most ``cv``, at most the rarer class's count."""
    rarer = int(min(y.sum(), len(y) - y.sum()))
    return min(cv, rarer)


def make_folds(
    X: pd.DataFrame,
    y: IntArray,
    names: Sequence[str],
    *,
    encoder: Encoder,
    n_splits: int,
    random_state: int,
) -> list[Fold]:
    """Bin each candidate on each fold's training rows and encode both parts as WoE."""
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    folds = []
    for train, test in splitter.split(np.zeros(len(y)), y):
        train_part, test_part = X.iloc[train], X.iloc[test]
        columns_train, columns_test, ivs = [], [], []
        for name in names:
            encode, iv = encoder(train_part[name], y[train])
            columns_train.append(encode(train_part[name]))
            columns_test.append(encode(test_part[name]))
            ivs.append(iv)
        folds.append(
            Fold(
                train=np.column_stack(columns_train),
                y_train=y[train],
                test=np.column_stack(columns_test),
                y_test=y[test],
                iv=np.asarray(ivs, dtype=np.float64),
            )
        )
    return folds


def select_min_iv(
    folds: Sequence[Fold], grid: Sequence[float], *, C: float, z: float = 1.0
) -> tuple[float, list[dict[str, Any]]]:
    """The ``min_iv`` of ``grid`` (rising) chosen by out-of-fold log-loss.

    The lowest threshold stands unless the best one lowers the mean log-loss per
    held-out row by more than ``z`` standard errors of the paired per-row
    differences. Returns the threshold and, per threshold, the loss and its error.
    """
    losses = [_row_losses(folds, threshold, C=C) for threshold in grid]
    base = losses[0]
    steps = []
    for threshold, loss in zip(grid, losses, strict=True):
        diff = loss - base
        se = float(diff.std(ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else 0.0
        steps.append({"min_iv": threshold, "log_loss": float(loss.mean()), "se": se})
    best = min(range(len(grid)), key=lambda i: steps[i]["log_loss"])
    margin = steps[0]["log_loss"] - steps[best]["log_loss"]
    chosen = best if margin > z * steps[best]["se"] else 0
    return float(grid[chosen]), steps


def _row_losses(folds: Sequence[Fold], threshold: float, *, C: float) -> FloatArray:
    parts = []
    for fold in folds:
        columns = np.flatnonzero(fold.iv >= threshold).tolist()
        coef, intercept = fit_logit(fold.train[:, columns], fold.y_train, C=C)
        logits = fold.test[:, columns] @ coef + intercept
        parts.append(np.logaddexp(0.0, logits) - fold.y_test * logits)
    return np.concatenate(parts).astype(np.float64)


def fit_logit(W: FloatArray, y: IntArray, *, C: float) -> tuple[FloatArray, float]:
    """L2-penalised logistic regression (scikit-learn's objective, unpenalised intercept).

    Minimises ``sum(log-loss) + |coef|^2 / (2 C)`` by Newton's method, which needs a
    handful of steps on a few WoE columns.
    """
    n, k = W.shape
    design = np.column_stack([W, np.ones(n)])
    penalty = np.full(k + 1, 1.0 / C)
    penalty[-1] = 0.0
    beta = np.zeros(k + 1)
    beta[-1] = _logit(float(y.mean()))
    for _ in range(_MAX_NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-(design @ beta)))
        gradient = design.T @ (p - y) + penalty * beta
        hessian = (design.T * (p * (1.0 - p))) @ design + np.diag(penalty)
        step = np.linalg.solve(hessian + 1e-10 * np.eye(k + 1), gradient)
        beta -= step
        if float(np.max(np.abs(step))) < 1e-9:
            break
    return beta[:k].astype(np.float64), float(beta[-1])


def _logit(rate: float) -> float:
    rate = min(max(rate, 1e-6), 1 - 1e-6)
    return float(np.log(rate / (1.0 - rate)))
