"""Cross-validated calibration of the card's log-odds, fitted on training data only.

Out-of-fold log-odds come from cards refitted on the other folds, so the calibrator
sees the over-confidence a card has on rows it did not see.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from credit._binning import FloatArray, IntArray


def out_of_fold_logits(
    card: Any, X: pd.DataFrame, y: IntArray, *, cv: int, random_state: int
) -> FloatArray:
    """Log-odds of each row from a copy of ``card`` fitted without that row's fold."""
    if cv < 2:
        raise ValueError(f"cv must be at least 2 for calibration, got {cv}")
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=random_state)
    logits = np.empty(len(y), dtype=np.float64)
    for train, test in folds.split(X, y):
        fitted = card.fit(X.iloc[train], y[train])
        logits[test] = fitted.decision_function(X.iloc[test])
    return logits


def platt(logits: FloatArray, y: IntArray) -> tuple[float, float]:
    """Slope and shift of the calibrated log-odds ``slope * logit + shift``."""
    model = LogisticRegression(C=1e6, max_iter=1000)
    model.fit(logits.reshape(-1, 1), y)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def isotonic(logits: FloatArray, y: IntArray) -> dict[str, Any]:
    """Monotone step function from log-odds to bad probability, as readable lists."""
    model = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0, increasing=True)
    model.fit(logits, y)
    return {"x": model.X_thresholds_.tolist(), "y": model.y_thresholds_.tolist()}


def apply_isotonic(logits: FloatArray, table: dict[str, Any]) -> FloatArray:
    xs = np.asarray(table["x"], dtype=np.float64)
    ys = np.asarray(table["y"], dtype=np.float64)
    return np.interp(logits, xs, ys).astype(np.float64)
