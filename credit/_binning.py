"""Supervised binning of one feature: numeric cut points or categorical groups.

A fitted :class:`Binning` maps a column to bin codes. Regular bins are numbered
``0 .. n_bins - 1``; a missing value gets the code ``n_bins`` when the training data
had missing values (the missing bin) and ``-1`` otherwise; an unseen category also
gets ``-1``. Code ``-1`` is the "unseen" slot that the points table fills according
to the card's ``unseen`` policy.

Rare categories are not pooled into a group of their own: each category is placed
by its bad rate (shrunk toward the overall rate, so little evidence means "about
average") and binned with its neighbours in that order. Cards written before this
rule may hold an ``__other__`` group; unseen categories of those cards still join it,
so a stored card keeps scoring exactly as it did.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.stats import chi2
from sklearn.tree import DecisionTreeClassifier

Trend = Literal["ascending", "descending"]
TrendSpec = Literal["ascending", "descending", "auto"] | None
Kind = Literal["numeric", "categorical"]

OTHER = "__other__"
"""Group label of rare categories in cards written before rare categories were placed by
bad rate; unseen categories at scoring join it in those cards only."""

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class TrendWarning(UserWarning):
    """A declared monotonic trend the training data contradicts (the feature is left out)."""


@dataclass
class Binning:
    """Bins of one feature with the training counts behind them."""

    name: str
    kind: Kind
    edges: list[float] = field(default_factory=list)
    groups: list[list[str]] = field(default_factory=list)
    trend: Trend | None = None
    n: list[int] = field(default_factory=list)
    n_bad: list[int] = field(default_factory=list)
    missing_n: int = 0
    missing_bad: int = 0
    has_missing_bin: bool = False

    @property
    def n_bins(self) -> int:
        return len(self.edges) + 1 if self.kind == "numeric" else len(self.groups)

    def codes(self, column: pd.Series) -> IntArray:
        """Bin code of each value (see the module docstring for the special codes)."""
        if self.kind == "numeric":
            return self._numeric_codes(column)
        return self._categorical_codes(column)

    def labels(self) -> list[str]:
        """Readable label of each regular bin, e.g. ``(-inf, 12.5]`` or ``a, b``."""
        if self.kind == "categorical":
            return [", ".join(group) for group in self.groups]
        bounds = [-math.inf, *self.edges, math.inf]
        return [f"({_fmt(lo)}, {_fmt(hi)}]" for lo, hi in zip(bounds, bounds[1:], strict=False)]

    def _numeric_codes(self, column: pd.Series) -> IntArray:
        try:
            values = pd.to_numeric(column).to_numpy(dtype=np.float64, na_value=np.nan)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"column {self.name!r} must be numeric: {exc}") from exc
        codes = np.searchsorted(np.asarray(self.edges, dtype=np.float64), values, side="left")
        return np.where(np.isnan(values), self._missing_code(), codes).astype(np.int64)

    def _categorical_codes(self, column: pd.Series) -> IntArray:
        mapping = {cat: i for i, group in enumerate(self.groups) for cat in group}
        unseen = mapping.get(OTHER, -1)
        index, uniques = pd.factorize(column, use_na_sentinel=True)
        lookup = np.asarray([mapping.get(str(u), unseen) for u in uniques] + [0], dtype=np.int64)
        return np.where(index < 0, self._missing_code(), lookup[index]).astype(np.int64)

    def _missing_code(self) -> int:
        return self.n_bins if self.has_missing_bin else -1

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "edges": self.edges,
            "groups": self.groups,
            "trend": self.trend,
            "n": self.n,
            "n_bad": self.n_bad,
            "missing_n": self.missing_n,
            "missing_bad": self.missing_bad,
            "has_missing_bin": self.has_missing_bin,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Binning:
        return cls(**data)


def _fmt(value: float) -> str:
    return (
        "inf" if math.isinf(value) and value > 0 else "-inf" if math.isinf(value) else f"{value:g}"
    )


@dataclass(frozen=True)
class BinningConfig:
    max_prebins: int = 20
    min_bin_share: float = 0.05
    random_state: int = 0


def is_numeric(column: pd.Series) -> bool:
    """Numeric (or boolean) columns get cut points; everything else gets groups."""
    return bool(pd.api.types.is_numeric_dtype(column.dtype))


@dataclass(frozen=True)
class FittedBinning:
    """A binning, and the trend the data shows when the declared one could not be kept.

    ``contradicted`` is set when an explicitly declared trend cannot be honoured: what
    the data shows instead (``"descending bad rates"``, ``"no significant trend"``).
    """

    binning: Binning
    contradicted: str | None = None


def fit_binning(
    column: pd.Series, y: IntArray, *, trend: TrendSpec, config: BinningConfig
) -> FittedBinning:
    """Fit the bins of one column against the 0/1 target ``y`` (1 = bad)."""
    name = str(column.name)
    missing = column.isna().to_numpy()
    base = Binning(
        name=name,
        kind="numeric" if is_numeric(column) else "categorical",
        missing_n=int(missing.sum()),
        missing_bad=int(y[missing].sum()),
        has_missing_bin=bool(missing.any()),
    )
    if missing.all():
        return FittedBinning(base)
    min_leaf = min_rows(config, len(y))
    if base.kind == "numeric":
        values = pd.to_numeric(column[~missing]).to_numpy(dtype=np.float64)
        return _fit_numeric(
            base, values, y[~missing], trend=trend, min_leaf=min_leaf, config=config
        )
    if trend not in (None, "auto"):
        raise ValueError(f"column {name!r} is categorical: a monotonic trend applies to numbers")
    binning = _fit_categorical(
        base, column[~missing], y[~missing], min_leaf=min_leaf, config=config
    )
    return FittedBinning(binning)


def min_rows(config: BinningConfig, n_rows: int) -> int:
    """Fewest training rows a bin must hold to count as evidence."""
    return max(1, math.ceil(config.min_bin_share * n_rows))


def _fit_numeric(
    base: Binning,
    values: FloatArray,
    y: IntArray,
    *,
    trend: TrendSpec,
    min_leaf: int,
    config: BinningConfig,
) -> FittedBinning:
    edges = _tree_edges(values, y, min_leaf=min_leaf, config=config)
    codes = np.searchsorted(edges, values, side="left")
    n, bad = _counts(codes, y, len(edges) + 1)
    contradicted: str | None = None
    if trend is None:
        kept, chosen = list(range(len(edges))), None
    elif trend == "auto":
        kept, chosen = _best_trend(n, bad)
    else:
        kept, chosen = _monotone_edges(n, bad, trend), trend
        contradicted = _contradiction(n, bad, kept, trend) if len(edges) else None
    new_edges = [float(edges[i]) for i in kept]
    codes = np.searchsorted(np.asarray(new_edges), values, side="left")
    n, bad = _counts(codes, y, len(new_edges) + 1)
    base.edges, base.trend, base.n, base.n_bad = new_edges, chosen, n.tolist(), bad.tolist()
    return FittedBinning(base, contradicted)


_OPPOSITE: dict[Trend, Trend] = {"ascending": "descending", "descending": "ascending"}
TREND_ALPHA = 0.05
"""Significance at which bins' bad rates count as different (chi-square, homogeneity)."""


def _contradiction(n: IntArray, bad: IntArray, kept: list[int], trend: Trend) -> str | None:
    """What the data shows when it does not support the declared ``trend``, else ``None``.

    The declared trend stands when its monotone bins differ significantly. It cannot be
    honoured when it merged everything into one bin, or when its bins do not differ
    while the opposite trend's do.
    """
    opposite = _OPPOSITE[trend]
    opposite_shown = _homogeneity_p(n, bad, _monotone_edges(n, bad, opposite)) <= TREND_ALPHA
    if not kept:
        return f"{opposite} bad rates" if opposite_shown else "no significant trend"
    if opposite_shown and _homogeneity_p(n, bad, kept) > TREND_ALPHA:
        return f"{opposite} bad rates"
    return None


def _homogeneity_p(n: IntArray, bad: IntArray, kept: list[int]) -> float:
    """p-value of "every merged bin has the same bad rate" (chi-square, k - 1 df)."""
    merged_n, merged_bad = _merge_counts(n, bad, kept)
    rate = float(merged_bad.sum() / merged_n.sum())
    if len(merged_n) < 2 or rate in (0.0, 1.0):
        return 1.0
    expected = merged_n * rate
    stat = float(np.sum((merged_bad - expected) ** 2 / (expected * (1.0 - rate))))
    return float(chi2.sf(stat, len(merged_n) - 1))


def _fit_categorical(
    base: Binning, column: pd.Series, y: IntArray, *, min_leaf: int, config: BinningConfig
) -> Binning:
    """Order categories by shrunk bad rate, then bin the rank like a number.

    Each category's bad rate is shrunk toward the overall rate by ``min_leaf``
    pseudo-rows: a category with little evidence ranks near the average and joins the
    categories next to it in bad rate, never a group picked for being rare.
    """
    index, uniques = pd.factorize(column.astype(object).map(str))
    names = [str(u) for u in uniques]
    n = np.bincount(index, minlength=len(names))
    bad = np.bincount(index, weights=y, minlength=len(names))
    rate = (bad + min_leaf * float(y.mean())) / (n + min_leaf)
    order = sorted(range(len(names)), key=lambda k: (float(rate[k]), names[k]))
    rank_of = np.empty(len(names), dtype=np.float64)
    rank_of[order] = np.arange(len(names))
    ranked = _fit_numeric(
        base, rank_of[index], y, trend="ascending", min_leaf=min_leaf, config=config
    ).binning
    bounds = [-1, *[math.floor(e) for e in ranked.edges], len(order) - 1]
    ordered = [names[k] for k in order]
    ranked.groups = [ordered[lo + 1 : hi + 1] for lo, hi in zip(bounds, bounds[1:], strict=False)]
    ranked.edges, ranked.trend = [], None
    return ranked


def _tree_edges(
    values: FloatArray, y: IntArray, *, min_leaf: int, config: BinningConfig
) -> FloatArray:
    if len(np.unique(values)) < 2 or len(np.unique(y)) < 2:
        return np.empty(0)
    tree = DecisionTreeClassifier(
        max_leaf_nodes=config.max_prebins,
        min_samples_leaf=min(min_leaf, max(1, len(values) // 2)),
        random_state=config.random_state,
    )
    tree.fit(values.reshape(-1, 1), y)
    inner = tree.tree_.feature >= 0
    return _data_edges(values, np.unique(tree.tree_.threshold[inner]))


def _data_edges(values: FloatArray, thresholds: FloatArray) -> FloatArray:
    """Replace each split threshold by the largest training value at or below it.

    Trees split float32 midpoints (4.549999952...); the largest value in the bin is
    the same partition of the training data and reads as a plain number.
    """
    as32 = values.astype(np.float32)
    edges = [values[as32 <= t].max() for t in thresholds if bool((as32 <= t).any())]
    return np.unique(np.asarray(edges, dtype=np.float64))


def _counts(codes: npt.NDArray[np.intp], y: IntArray, n_bins: int) -> tuple[IntArray, IntArray]:
    n = np.bincount(codes, minlength=n_bins).astype(np.int64)
    bad = np.bincount(codes, weights=y, minlength=n_bins).astype(np.int64)
    return n, bad


def _best_trend(n: IntArray, bad: IntArray) -> tuple[list[int], Trend]:
    """Pick the trend whose monotone merge keeps the most information value."""
    options: list[tuple[float, int, list[int], Trend]] = []
    trends: tuple[Trend, Trend] = ("ascending", "descending")
    for priority, trend in enumerate(trends):
        kept = _monotone_edges(n, bad, trend)
        merged_n, merged_bad = _merge_counts(n, bad, kept)
        options.append((information_value(merged_n, merged_bad), -priority, kept, trend))
    best = max(options, key=lambda o: (o[0], o[1]))
    return best[2], best[3]


def _monotone_edges(n: IntArray, bad: IntArray, trend: Trend) -> list[int]:
    """Pool adjacent bins (PAVA) until bad rates strictly follow ``trend``.

    Returns the indices of the prebin edges that survive. Merging two neighbours of
    a monotone run keeps it monotone, so the result needs no second pass.
    """
    sign = 1.0 if trend == "ascending" else -1.0
    blocks: list[list[int]] = []  # [n, bad, last prebin index]
    for i in range(len(n)):
        block = [int(n[i]), int(bad[i]), i]
        while blocks and sign * (_rate(blocks[-1]) - _rate(block)) >= 0:
            top = blocks.pop()
            block = [top[0] + block[0], top[1] + block[1], block[2]]
        blocks.append(block)
    return [b[2] for b in blocks[:-1]]


def _rate(block: list[int]) -> float:
    return block[1] / block[0] if block[0] else 0.0


def _merge_counts(n: IntArray, bad: IntArray, kept: list[int]) -> tuple[IntArray, IntArray]:
    groups = np.searchsorted(np.asarray(kept, dtype=np.int64), np.arange(len(n)), side="left")
    merged_n = np.bincount(groups, weights=n).astype(np.int64)
    return merged_n, np.bincount(groups, weights=bad).astype(np.int64)


def woe(n: IntArray, bad: IntArray, *, total_bad: int, total_good: int) -> FloatArray:
    """Weight of evidence ln(%good / %bad) per bin, with 0.5 added to every count.

    Positive WoE means safer than average. The smoothing keeps a bin with no bads
    (or no goods) finite.
    """
    good = n - bad
    k = len(n)
    share_good = (good + 0.5) / (total_good + 0.5 * k)
    share_bad = (bad + 0.5) / (total_bad + 0.5 * k)
    return np.log(share_good / share_bad).astype(np.float64)


def information_value(n: IntArray, bad: IntArray) -> float:
    """IV = sum over bins of (%good - %bad) * WoE."""
    total_bad, total_good = int(bad.sum()), int((n - bad).sum())
    if total_bad == 0 or total_good == 0:
        return 0.0
    w = woe(n, bad, total_bad=total_bad, total_good=total_good)
    diff = (n - bad) / total_good - bad / total_bad
    return float(np.sum(diff * w))


def bin_counts(binning: Binning) -> tuple[IntArray, IntArray]:
    """Rows and bad rows per bin: the regular bins, then the missing bin if there is one."""
    n, bad = list(binning.n), list(binning.n_bad)
    if binning.has_missing_bin:
        n.append(binning.missing_n)
        bad.append(binning.missing_bad)
    return np.asarray(n, dtype=np.int64), np.asarray(bad, dtype=np.int64)


def woe_table(binning: Binning, *, total_bad: int, total_good: int, min_rows: int) -> FloatArray:
    """WoE of each bin, in :func:`bin_counts` order.

    A missing bin holding fewer than ``min_rows`` training rows is too small to be
    evidence: it takes the WoE of the worst regular bin, so leaving a value blank
    never scores better than the worst bin the data supports.
    """
    table = woe(*bin_counts(binning), total_bad=total_bad, total_good=total_good)
    if binning.has_missing_bin and binning.missing_n < min_rows and len(table) > 1:
        table[-1] = table[:-1].min()
    return table
