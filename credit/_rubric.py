"""Rubric indicators: bins and points, the values they can take, the missing-value rule.

Rubric format 2 (``"format_version": 2``) requires every numeric indicator to declare
its ``unit`` and ``range``, and holds every indicator to one missing-value rule that
never scores better than the indicator's poorest bin. Rubrics without a format
version (format 1) load as they were written, so a stored model version keeps
scoring exactly as it did; they are checked only where they declare a range.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from credit._binning import Binning
from credit._points import FeaturePoints

RuleName = Literal["worst", "points", "error"]
PERCENT_UNITS = ("%", "percent")
SHARE_UNITS = ("share", "rate", "ratio")


@dataclass(frozen=True)
class Domain:
    """The values an indicator can take: ``low <= x <= high`` (``None`` = unbounded)."""

    unit: str
    low: float | None = None
    high: float | None = None
    integer: bool = False

    def text(self) -> str:
        low = "-inf" if self.low is None else f"{self.low:g}"
        high = "inf" if self.high is None else f"{self.high:g}"
        whole = ", whole numbers" if self.integer else ""
        return f"{self.unit}, {low}..{high}{whole}"

    def impossible(self, values: pd.Series) -> pd.Series:
        """True where a present value cannot be a value of this indicator."""
        x = values.to_numpy(dtype=np.float64, na_value=np.nan)
        present = ~np.isnan(x)
        bad = present & ~np.isfinite(x)
        with np.errstate(invalid="ignore"):
            if self.low is not None:
                bad |= present & (x < self.low)
            if self.high is not None:
                bad |= present & (x > self.high)
            if self.integer:
                bad |= present & np.isfinite(x) & (x != np.round(x))
        return pd.Series(bad, index=values.index)


@dataclass(frozen=True)
class MissingRule:
    """What a missing value of one indicator scores.

    ``worst``: the indicator's lowest points; ``points``: a fixed number of points
    (in format 2, at most the lowest); ``error``: a missing value is a ``ValueError``.
    """

    rule: RuleName
    points: float | None

    def text(self) -> str:
        if self.rule == "error":
            return "a missing value is refused"
        if self.rule == "worst":
            return f"a missing value scores the lowest points ({self.points:g})"
        return f"a missing value scores {self.points:g} points"

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "points": self.points, "text": self.text()}


@dataclass(frozen=True)
class Indicator:
    """One parsed rubric indicator."""

    points: FeaturePoints
    domain: Domain | None
    missing: MissingRule


def parse_indicator(item: Mapping[str, Any], *, version: int) -> Indicator:
    name = str(item["feature"])
    bins = list(item["bins"])
    if not bins:
        raise ValueError(f"indicator {name!r} has no bins")
    points = [float(b["points"]) for b in bins]
    missing = _missing_rule(name, item, lowest=min(points), version=version)
    stored = min(points) if missing.points is None else missing.points
    if item.get("kind", "numeric") == "numeric":
        binning = Binning(name=name, kind="numeric", edges=_edges(name, bins), has_missing_bin=True)
        table = FeaturePoints(binning, points, stored, None)
        return Indicator(table, _domain(name, item, version=version), missing)
    groups = [[str(c) for c in b["categories"]] for b in bins]
    binning = Binning(name=name, kind="categorical", groups=groups, has_missing_bin=True)
    other = _other_points(name, item, lowest=min(points), version=version)
    return Indicator(FeaturePoints(binning, points, stored, other), None, missing)


def _missing_rule(
    name: str, item: Mapping[str, Any], *, lowest: float, version: int
) -> MissingRule:
    rule = item.get("missing")
    if "missing_points" in item:
        if rule is not None:
            raise ValueError(f"indicator {name!r}: give 'missing' or 'missing_points', not both")
        rule = {"points": item["missing_points"]}
    if rule is None or rule == "worst":
        return MissingRule("worst", lowest)
    if rule == "error":
        return MissingRule("error", None)
    if not isinstance(rule, Mapping) or "points" not in rule:
        raise ValueError(
            f'indicator {name!r}: \'missing\' must be "worst", "error" or '
            f'{{"points": n}}, got {rule!r}'
        )
    value = float(rule["points"])
    if version >= 2 and value > lowest:
        raise ValueError(
            f"indicator {name!r}: a missing value may not score better than the poorest "
            f"bin ({value:g} > {lowest:g} points)"
        )
    return MissingRule("points", value)


def _other_points(name: str, item: Mapping[str, Any], *, lowest: float, version: int) -> float:
    value = float(item.get("other_points", lowest))
    if version >= 2 and value > lowest:
        raise ValueError(
            f"indicator {name!r}: an unlisted category may not score better than the "
            f"poorest bin ({value:g} > {lowest:g} points)"
        )
    return value


def _domain(name: str, item: Mapping[str, Any], *, version: int) -> Domain | None:
    if "unit" not in item and "range" not in item:
        if version >= 2:
            raise ValueError(f"indicator {name!r}: rubric format 2 needs its 'unit' and 'range'")
        return None
    if "unit" not in item or "range" not in item:
        raise ValueError(f"indicator {name!r}: declare both 'unit' and 'range'")
    span = list(item["range"])
    if len(span) != 2:
        raise ValueError(f"indicator {name!r}: 'range' is [low, high], got {span}")
    low, high = (None if v is None else float(v) for v in span)
    domain = Domain(str(item["unit"]), low, high, bool(item.get("integer", False)))
    _check_domain(name, domain)
    return domain


def _check_domain(name: str, domain: Domain) -> None:
    bounds = [v for v in (domain.low, domain.high) if v is not None]
    if any(not math.isfinite(v) for v in bounds):
        raise ValueError(f"indicator {name!r}: range bounds must be finite or null")
    if domain.low is not None and domain.high is not None and domain.low > domain.high:
        raise ValueError(f"indicator {name!r}: range low {domain.low} exceeds high {domain.high}")
    limits = (0.0, 100.0) if domain.unit in PERCENT_UNITS else None
    limits = (0.0, 1.0) if domain.unit in SHARE_UNITS else limits
    if limits is not None and not (
        domain.low is not None
        and domain.high is not None
        and limits[0] <= domain.low
        and domain.high <= limits[1]
    ):
        raise ValueError(
            f"indicator {name!r}: unit {domain.unit!r} needs a range within "
            f"[{limits[0]:g}, {limits[1]:g}]"
        )


def _edges(name: str, bins: list[Mapping[str, Any]]) -> list[float]:
    """Bin i holds values up to and including ``upper``; the last bin has no upper."""
    uppers = [b.get("upper") for b in bins]
    if uppers[-1] is not None or any(u is None for u in uppers[:-1]):
        raise ValueError(f"indicator {name!r}: only the last bin may (and must) omit 'upper'")
    edges = [float(u) for u in uppers[:-1] if u is not None]
    if any(not math.isfinite(e) for e in edges) or edges != sorted(set(edges)):
        raise ValueError(f"indicator {name!r}: bin uppers must be finite and increasing: {edges}")
    return edges


def value_problems(X: pd.DataFrame, indicators: Mapping[str, Indicator]) -> list[str]:
    """Impossible values, and missing values a rubric refuses, naming row and indicator."""
    problems: list[str] = []
    for name, indicator in indicators.items():
        column = X[name]
        if indicator.domain is not None:
            try:
                values = pd.to_numeric(column)
            except (ValueError, TypeError) as exc:
                raise ValueError(f"column {name!r} must be numeric: {exc}") from exc
            why = f"impossible ({indicator.domain.text()})"
            problems += _named(column, indicator.domain.impossible(values).to_numpy(), why)
        if indicator.missing.rule == "error":
            problems += _named(column, column.isna().to_numpy(), "missing, and required")
    return problems


def _named(column: pd.Series, mask: np.ndarray[Any, Any], why: str) -> list[str]:
    return [
        f"row {column.index[i]!r}: {column.name} = {_plain(column.iloc[i])!r} is {why}"
        for i in np.flatnonzero(mask).tolist()
    ]


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
