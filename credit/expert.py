"""The expert scorecard: points from a versioned rubric file, for the cold start.

A rubric gives, per indicator, bins and the points of each bin; the score is the
sum of the points, graded by the rubric's cut-offs. It answers ``points``,
``score``, ``explain`` and ``grade`` exactly like a learned :class:`Scorecard`.
The file format is described in docs/credit.md and shown by ``rubrics/*.json``.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from credit._binning import Binning, FloatArray
from credit._points import GRADES, FeaturePoints, PointsCard, check_cutoffs

FORMAT = "credit.rubric"


class ExpertScorecard(PointsCard):
    """A card whose bins and points come from a rubric instead of data."""

    def __init__(self, rubric: Mapping[str, Any]) -> None:
        if rubric.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} rubric (format={rubric.get('format')!r})")
        self.rubric = dict(rubric)
        self.name: str = str(rubric["name"])
        self.version: str = str(rubric["version"])
        self.points_ = [_indicator(item) for item in rubric["indicators"]]
        self.features_ = [fp.name for fp in self.points_]
        if len(set(self.features_)) != len(self.features_):
            raise ValueError(f"rubric {self.name} lists an indicator twice: {self.features_}")
        self.cutoffs_ = check_cutoffs(rubric["grade_cutoffs"])
        self.grade_pd: dict[str, float] | None = _grade_pd(rubric.get("grade_pd"))

    @classmethod
    def from_dict(cls, rubric: Mapping[str, Any]) -> ExpertScorecard:
        return cls(rubric)

    @classmethod
    def from_file(cls, path: str | Path) -> ExpertScorecard:
        """Read a rubric from a ``.json`` or ``.toml`` file."""
        path = Path(path)
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".toml":
            return cls(tomllib.loads(text))
        return cls(json.loads(text))

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.rubric, indent=indent, ensure_ascii=False)

    def _feature_points(self) -> list[FeaturePoints]:
        return self.points_

    def _grade_cutoffs(self) -> dict[str, float]:
        return self.cutoffs_

    @property
    def max_score(self) -> float:
        return sum(fp.best() for fp in self.points_)

    def predict_proba(self, X: pd.DataFrame) -> FloatArray:
        """Bad probability of each row's grade, from the rubric's ``grade_pd`` table."""
        if self.grade_pd is None:
            raise ValueError(f"rubric {self.name} v{self.version} has no grade_pd table")
        bad = self.grade(X).map(self.grade_pd).to_numpy(dtype=np.float64)
        return np.column_stack([1.0 - bad, bad])


def load_rubric(name: str = "incubator_v1") -> ExpertScorecard:
    """A rubric shipped inside the package, by name (e.g. ``"incubator_v1"``)."""
    files = resources.files("credit") / "rubrics"
    shipped = sorted(
        p.name.removesuffix(".json") for p in files.iterdir() if p.name.endswith(".json")
    )
    if name not in shipped:
        raise ValueError(f"no shipped rubric {name!r}; shipped: {shipped}")
    return ExpertScorecard(json.loads((files / f"{name}.json").read_text(encoding="utf-8")))


def _grade_pd(table: Mapping[str, float] | None) -> dict[str, float] | None:
    if table is None:
        return None
    if sorted(table) != list(GRADES):
        raise ValueError(f"grade_pd needs grades {list(GRADES)}, got {sorted(table)}")
    return {g: float(table[g]) for g in GRADES}


def _indicator(item: Mapping[str, Any]) -> FeaturePoints:
    name = str(item["feature"])
    bins = list(item["bins"])
    if not bins:
        raise ValueError(f"indicator {name!r} has no bins")
    points = [float(b["points"]) for b in bins]
    lowest = min(points)
    missing = float(item.get("missing_points", lowest))
    if item.get("kind", "numeric") == "numeric":
        binning = Binning(name=name, kind="numeric", edges=_edges(name, bins), has_missing_bin=True)
        return FeaturePoints(binning, points, missing, None)
    groups = [[str(c) for c in b["categories"]] for b in bins]
    binning = Binning(name=name, kind="categorical", groups=groups, has_missing_bin=True)
    return FeaturePoints(binning, points, missing, float(item.get("other_points", lowest)))


def _edges(name: str, bins: list[Mapping[str, Any]]) -> list[float]:
    """Bin i holds values up to and including ``upper``; the last bin has no upper."""
    uppers = [b.get("upper") for b in bins]
    if uppers[-1] is not None or any(u is None for u in uppers[:-1]):
        raise ValueError(f"indicator {name!r}: only the last bin may (and must) omit 'upper'")
    edges = [float(u) for u in uppers[:-1] if u is not None]
    if any(not math.isfinite(e) for e in edges) or edges != sorted(set(edges)):
        raise ValueError(f"indicator {name!r}: bin uppers must be finite and increasing: {edges}")
    return edges
