"""The expert scorecard: points from a versioned rubric file, for the cold start.

A rubric gives, per indicator, bins and the points of each bin; the score is the
sum of the points, graded by the rubric's cut-offs. It answers ``points``,
``score``, ``explain`` and ``grade`` exactly like a learned :class:`Scorecard`.
The file format is described in docs/credit.md and shown by ``rubrics/*.json``.
A format-2 rubric declares each indicator's unit and range: an impossible value
(``violations = -5``) is a ``ValueError`` naming the row and the indicator, and a
missing value follows the indicator's :class:`MissingRule`.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from credit._binning import FloatArray
from credit._points import GRADES, FeaturePoints, PointsCard, check_columns, check_cutoffs
from credit._rubric import Domain, MissingRule, parse_indicator, value_problems
from credit.grades import grade_risks

FORMAT = "credit.rubric"
FORMAT_VERSIONS = (1, 2)
DEFAULT_PRIOR_STRENGTH = 20.0
"""Rows of evidence the rubric's ``grade_pd`` counts as, unless it says otherwise."""
_SHOWN_PROBLEMS = 5


class ExpertScorecard(PointsCard):
    """A card whose bins and points come from a rubric instead of data."""

    def __init__(self, rubric: Mapping[str, Any]) -> None:
        if rubric.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} rubric (format={rubric.get('format')!r})")
        self.rubric = dict(rubric)
        self.name: str = str(rubric["name"])
        self.version: str = str(rubric["version"])
        self.format_version = int(rubric.get("format_version", 1))
        if self.format_version not in FORMAT_VERSIONS:
            raise ValueError(f"rubric format_version must be one of {FORMAT_VERSIONS}")
        parsed = [parse_indicator(i, version=self.format_version) for i in rubric["indicators"]]
        self.points_ = [p.points for p in parsed]
        self.features_ = [fp.name for fp in self.points_]
        if len(set(self.features_)) != len(self.features_):
            raise ValueError(f"rubric {self.name} lists an indicator twice: {self.features_}")
        self._indicators = dict(zip(self.features_, parsed, strict=True))
        self.cutoffs_ = check_cutoffs(rubric["grade_cutoffs"])
        self.grade_pd: dict[str, float] | None = _grade_pd(rubric.get("grade_pd"))
        self.prior_strength = float(rubric.get("grade_pd_strength", DEFAULT_PRIOR_STRENGTH))

    @property
    def missing_rules(self) -> dict[str, MissingRule]:
        """Per indicator, what a missing value scores (``rule``, ``points``, ``text()``)."""
        return {name: ind.missing for name, ind in self._indicators.items()}

    @property
    def domains(self) -> dict[str, Domain | None]:
        """Per indicator, its declared unit and range (``None``: a format-1 indicator)."""
        return {name: ind.domain for name, ind in self._indicators.items()}

    def check_values(self, X: pd.DataFrame) -> list[str]:
        """Every impossible or refused value of ``X``, each naming its row and indicator."""
        check_columns(X, self.features_)
        return value_problems(X, self._indicators)

    def points(self, X: pd.DataFrame) -> pd.DataFrame:
        """Points per indicator; an impossible value is a ``ValueError`` naming it."""
        problems = self.check_values(X)
        if problems:
            shown = "; ".join(problems[:_SHOWN_PROBLEMS])
            extra = len(problems) - _SHOWN_PROBLEMS
            more = f" (and {extra} more)" if extra > 0 else ""
            raise ValueError(f"rubric {self.name} v{self.version}: {shown}{more}")
        return super().points(X)

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

    def grade_risks(self, X: pd.DataFrame, y: Any, *, level: float = 0.95) -> list[dict[str, Any]]:
        """The rubric's ``grade_pd`` beside the bad rates the outcomes ``y`` show per grade.

        See :func:`credit.grades.grade_risk_table`; the prior counts as the rubric's
        ``grade_pd_strength`` rows (default 20).
        """
        if self.grade_pd is None:
            raise ValueError(f"rubric {self.name} v{self.version} has no grade_pd table")
        return grade_risks(
            self.grade(X).tolist(), y, self.grade_pd, strength=self.prior_strength, level=level
        )

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
