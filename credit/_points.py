"""Points tables and the scoring methods shared by the learned and the expert card.

Both cards reduce to the same thing: for each feature a :class:`Binning` and the
points of each of its bins. ``points``, ``score``, ``explain`` and ``grade`` are
defined once here, so the two kinds of card cannot disagree on what they mean.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from credit._binning import Binning, FloatArray

UnseenPolicy = Literal["worst", "neutral", "error"]
GRADES = ("A", "B", "C", "D")
Reason = dict[str, Any]


@dataclass
class FeaturePoints:
    """The points of each bin of one feature.

    ``missing_points`` is used when the training data had missing values (the missing
    bin); ``unseen_points`` for a value the bins have no place for: an unseen category
    with no rare-category group, or a missing value when training had none. ``None``
    there means such a value raises ``ValueError``.
    """

    binning: Binning
    points: list[float]
    missing_points: float | None
    unseen_points: float | None

    @property
    def name(self) -> str:
        return self.binning.name

    def best(self) -> float:
        """Points of the feature's best bin (the missing bin counts as a bin)."""
        extra = [self.missing_points] if self.missing_points is not None else []
        return max([*self.points, *extra])

    def lookup(self, column: pd.Series) -> FloatArray:
        codes = self.binning.codes(column)
        if self.unseen_points is None and bool((codes == -1).any()):
            bad = column[codes == -1].unique()[:5].tolist()
            raise ValueError(f"column {self.name!r} has values not seen in training: {bad}")
        table = list(self.points)
        if self.binning.has_missing_bin:
            table.append(_required(self.missing_points))
        table.append(math.nan if self.unseen_points is None else self.unseen_points)
        return np.asarray(table, dtype=np.float64)[codes]

    def to_dict(self) -> dict[str, Any]:
        labels = self.binning.labels()
        return {
            **self.binning.to_dict(),
            "labels": labels,
            "points": self.points,
            "missing_points": self.missing_points,
            "unseen_points": self.unseen_points,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeaturePoints:
        fields = dict(data)
        own = {k: fields.pop(k) for k in ("points", "missing_points", "unseen_points")}
        fields.pop("labels", None)
        for key in [k for k in fields if k not in Binning.__dataclass_fields__]:
            fields.pop(key)
        return cls(binning=Binning.from_dict(fields), **own)


def _required(value: float | None) -> float:
    if value is None:
        raise ValueError("a missing bin needs missing_points")
    return value


def check_cutoffs(cutoffs: Mapping[str, float]) -> dict[str, float]:
    """Cut-offs are the minimum score of grades A, B and C; below C is D."""
    if sorted(cutoffs) != ["A", "B", "C"]:
        raise ValueError(f"grade cut-offs need exactly A, B and C, got {sorted(cutoffs)}")
    values = [float(cutoffs[g]) for g in GRADES[:3]]
    if not values[0] > values[1] > values[2]:
        raise ValueError(f"grade cut-offs must fall from A to C, got {values}")
    return dict(zip(GRADES[:3], values, strict=True))


def grade_scores(scores: Sequence[float] | FloatArray, cutoffs: Mapping[str, float]) -> list[str]:
    """Grade of each score: the best grade whose cut-off the score reaches."""
    bounds = np.asarray([cutoffs["C"], cutoffs["B"], cutoffs["A"]], dtype=np.float64)
    index = np.searchsorted(bounds, np.asarray(scores, dtype=np.float64), side="right")
    return [GRADES[3 - int(i)] for i in index]


class PointsCard:
    """Scoring methods for any card that holds a list of :class:`FeaturePoints`."""

    def _feature_points(self) -> list[FeaturePoints]:
        raise NotImplementedError

    def _grade_cutoffs(self) -> dict[str, float]:
        raise NotImplementedError

    def points(self, X: pd.DataFrame) -> pd.DataFrame:
        """Points of each feature for each row; the row sums are the scores."""
        tables = self._feature_points()
        check_columns(X, [t.name for t in tables])
        data = {t.name: t.lookup(X[t.name]) for t in tables}
        return pd.DataFrame(data, index=X.index, columns=[t.name for t in tables])

    def score(self, X: pd.DataFrame) -> pd.Series:
        """Score of each row, higher is better: exactly ``points(X).sum(axis=1)``."""
        return self.points(X).sum(axis=1).rename("score")

    def grade(self, X: pd.DataFrame) -> pd.Series:
        """Grade A/B/C/D of each row by the card's score cut-offs."""
        scores = self.score(X)
        return pd.Series(
            grade_scores(scores.to_numpy(), self._grade_cutoffs()), index=X.index, name="grade"
        )

    def explain(self, X: pd.DataFrame, *, top: int = 3) -> list[list[Reason]]:
        """Reason codes: per row, up to ``top`` features that lost the most points.

        Points lost are the feature's best-bin points minus the row's points for it;
        features that lost nothing are left out, ties keep the card's feature order.
        Each reason is ``{"feature": name, "points_lost": float}``.
        """
        if top < 1:
            raise ValueError(f"top must be at least 1, got {top}")
        pts = self.points(X)
        best = np.asarray([t.best() for t in self._feature_points()])
        lost = np.maximum(best[np.newaxis, :] - pts.to_numpy(), 0.0)
        order = np.argsort(-lost, axis=1, kind="stable")[:, :top]
        names = list(pts.columns)
        return [
            [{"feature": names[j], "points_lost": float(row[j])} for j in idx if row[j] > 0]
            for row, idx in zip(lost, order, strict=True)
        ]


def check_columns(X: pd.DataFrame, required: Sequence[str]) -> None:
    """Missing columns are an error that names them; extra columns are ignored."""
    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"X must be a pandas DataFrame, got {type(X).__name__}")
    missing = [c for c in required if c not in X.columns]
    if missing:
        raise ValueError(f"X is missing column(s) the card needs: {missing}")
