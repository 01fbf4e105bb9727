"""Validation figures an official can read: ranking, calibration, stability, grade checks.

Everything returns plain floats, lists and dicts so a report can be stored as JSON.
``y`` is 1 for the bad outcome; ``p`` is the predicted probability of the bad outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.stats import beta, binom
from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve

ArrayLike = npt.ArrayLike
_EPS = 1e-4


def auc(y: ArrayLike, p: ArrayLike) -> float:
    """Area under the ROC curve: chance that a bad row is ranked riskier than a good one."""
    return float(roc_auc_score(np.asarray(y), np.asarray(p)))


def gini(y: ArrayLike, p: ArrayLike) -> float:
    """Gini (accuracy ratio) = 2 AUC - 1."""
    return 2.0 * auc(y, p) - 1.0


def ks(y: ArrayLike, p: ArrayLike) -> float:
    """Kolmogorov-Smirnov: largest gap between the bad and good cumulative distributions."""
    fpr, tpr, _ = roc_curve(np.asarray(y), np.asarray(p))
    return float(np.max(tpr - fpr))


def brier(y: ArrayLike, p: ArrayLike) -> float:
    """Mean squared error of the probability: lower is better."""
    return float(brier_score_loss(np.asarray(y), np.asarray(p)))


def summary_metrics(y: ArrayLike, p: ArrayLike) -> dict[str, float]:
    return {"auc": auc(y, p), "ks": ks(y, p), "gini": gini(y, p), "brier": brier(y, p)}


def calibration_table(
    y: ArrayLike, p: ArrayLike, *, scores: ArrayLike | None = None, n_bands: int = 10
) -> list[dict[str, Any]]:
    """Predicted against observed bad rate per score band (equal-count bands).

    Bands are cut on ``scores`` when given (band 1 = lowest scores), else on ``p``.
    """
    key = np.asarray(scores if scores is not None else p, dtype=np.float64)
    frame = pd.DataFrame({"y": np.asarray(y, dtype=np.float64), "p": np.asarray(p), "key": key})
    frame["band"] = pd.qcut(frame["key"].rank(method="first"), n_bands, labels=False)
    rows = []
    for band, (_, group) in enumerate(frame.groupby("band", sort=True), start=1):
        rows.append(
            {
                "band": band,
                "n": len(group),
                "low": float(group["key"].min()),
                "high": float(group["key"].max()),
                "predicted": float(group["p"].mean()),
                "observed": float(group["y"].mean()),
                "n_bad": int(group["y"].sum()),
            }
        )
    return rows


def psi(expected: ArrayLike, actual: ArrayLike, *, n_bins: int = 10) -> float:
    """Population stability index of a score between a reference and a new data set.

    Bins are the deciles of ``expected``. Rule of thumb: < 0.1 stable, 0.1-0.25
    watch, > 0.25 shifted.
    """
    ref = np.asarray(expected, dtype=np.float64)
    new = np.asarray(actual, dtype=np.float64)
    edges = np.unique(np.quantile(ref, np.linspace(0, 1, n_bins + 1)[1:-1]))
    ref_share = _shares(np.searchsorted(edges, ref, side="right"), len(edges) + 1)
    new_share = _shares(np.searchsorted(edges, new, side="right"), len(edges) + 1)
    return _stability(ref_share, new_share)


def _shares(codes: npt.NDArray[np.intp], n: int) -> npt.NDArray[np.float64]:
    counts = np.bincount(codes, minlength=n).astype(np.float64)
    return np.asarray(np.maximum(counts / max(counts.sum(), 1.0), _EPS), dtype=np.float64)


def _stability(ref: npt.NDArray[np.float64], new: npt.NDArray[np.float64]) -> float:
    return float(np.sum((new - ref) * np.log(new / ref)))


class _BinnedCard(Protocol):
    def _feature_points(self) -> Sequence[Any]: ...


def csi(card: _BinnedCard, reference: pd.DataFrame, current: pd.DataFrame) -> dict[str, float]:
    """Characteristic stability index: the PSI of each feature's bins."""
    result = {}
    for fp in card._feature_points():
        ref_codes = fp.binning.codes(reference[fp.name])
        new_codes = fp.binning.codes(current[fp.name])
        n = fp.binning.n_bins + 2  # regular bins, missing bin, unseen (-1 -> last)
        ref = _shares(np.where(ref_codes < 0, n - 1, ref_codes), n)
        new = _shares(np.where(new_codes < 0, n - 1, new_codes), n)
        result[fp.name] = _stability(ref, new)
    return result


def grade_check(
    y: ArrayLike, grades: Sequence[str], p: ArrayLike, *, alpha: float = 0.05
) -> list[dict[str, Any]]:
    """Per grade, is the observed bad count compatible with the predicted bad rate?

    Two-sided exact binomial test against the grade's mean predicted rate.
    ``interval`` is the exact (Clopper-Pearson) ``1 - alpha`` interval of the observed
    rate; ``ok`` is False, and ``flag`` says ``"riskier"`` or ``"safer"``, when the
    predicted rate lies outside it (equivalently ``p_value < alpha``).
    """
    frame = pd.DataFrame({"y": np.asarray(y), "grade": list(grades), "p": np.asarray(p)})
    rows = []
    for grade, group in frame.groupby("grade", sort=True):
        n, n_bad, rate = len(group), int(group["y"].sum()), float(group["p"].mean())
        p_value, flag = binomial_check(n, n_bad, rate, alpha=alpha)
        rows.append(
            {
                "grade": str(grade),
                "n": n,
                "n_bad": n_bad,
                "observed": n_bad / n,
                "predicted": rate,
                "expected_bad": n * rate,
                "interval": exact_interval(n, n_bad, level=1.0 - alpha),
                "p_value": p_value,
                "ok": flag is None,
                "flag": flag,
            }
        )
    return rows


def exact_interval(n: int, n_bad: int, *, level: float = 0.95) -> list[float]:
    """Clopper-Pearson interval of a bad rate observed as ``n_bad`` of ``n``."""
    if n == 0:
        return [0.0, 1.0]
    tail = (1.0 - level) / 2.0
    low = 0.0 if n_bad == 0 else float(beta.ppf(tail, n_bad, n - n_bad + 1))
    high = 1.0 if n_bad == n else float(beta.ppf(1.0 - tail, n_bad + 1, n - n_bad))
    return [low, high]


def binomial_check(n: int, n_bad: int, rate: float, *, alpha: float) -> tuple[float, str | None]:
    """Two-sided exact p-value of ``n_bad`` bads in ``n`` at ``rate``, and the flag.

    The p-value is twice the smaller tail (capped at 1), the test whose acceptance
    region is the Clopper-Pearson interval. The flag is ``"riskier"`` when the grade
    has significantly more bads than ``rate`` predicts, ``"safer"`` when fewer.
    """
    if n == 0:
        return 1.0, None
    upper_tail = float(binom.sf(n_bad - 1, n, rate))
    lower_tail = float(binom.cdf(n_bad, n, rate))
    p_value = min(1.0, 2.0 * min(upper_tail, lower_tail))
    if p_value >= alpha:
        return p_value, None
    return p_value, "riskier" if n_bad > n * rate else "safer"


def score_histogram(scores: ArrayLike, y: ArrayLike, *, n_bins: int = 20) -> dict[str, Any]:
    """Counts of good and bad rows per score interval, for the report's plot."""
    values = np.asarray(scores, dtype=np.float64)
    bad = np.asarray(y, dtype=bool)
    edges = np.histogram_bin_edges(values, bins=n_bins)
    good_counts = np.histogram(values[~bad], bins=edges)[0]
    bad_counts = np.histogram(values[bad], bins=edges)[0]
    return {"edges": edges.tolist(), "good": good_counts.tolist(), "bad": bad_counts.tolist()}


class _Card(Protocol):
    def score(self, X: pd.DataFrame) -> pd.Series: ...
    def grade(self, X: pd.DataFrame) -> pd.Series: ...
    def predict_proba(self, X: pd.DataFrame) -> npt.NDArray[np.float64]: ...


def validation_report(
    card: _Card, X: pd.DataFrame, y: ArrayLike, *, reference: pd.DataFrame | None = None
) -> dict[str, Any]:
    """Every figure for one card on one labelled data set, as a JSON-ready dict.

    With ``reference`` (e.g. the training data) the report adds the score PSI and
    the per-feature CSI of ``X`` against it.
    """
    target = np.asarray(y, dtype=np.int64)
    scores = card.score(X).to_numpy(dtype=np.float64)
    p = card.predict_proba(X)[:, 1]
    grades = card.grade(X).tolist()
    report: dict[str, Any] = {
        "n": len(target),
        "n_bad": int(target.sum()),
        **summary_metrics(target, p),
        "calibration_table": calibration_table(target, p, scores=scores),
        "grade_check": grade_check(target, grades, p),
        "score_histogram": score_histogram(scores, target),
    }
    if reference is not None:
        report["psi"] = psi(card.score(reference).to_numpy(), scores)
        report["csi"] = csi(card, reference, X)  # type: ignore[arg-type]
    return report
