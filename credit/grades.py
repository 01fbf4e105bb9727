"""Grade risks learned from outcomes: each grade's stated bad rate, updated by what happened.

A rubric states a bad rate per grade (``grade_pd``) before any outcome exists. Here that
rate is a Beta prior worth ``strength`` rows of evidence, ``Beta(strength * p,
strength * (1 - p))``; a grade with ``n`` outcomes of which ``bad`` were bad has the
posterior ``Beta(strength * p + bad, strength * (1 - p) + n - bad)``. Its mean is the
grade's estimated bad rate, reported beside the prior; with more outcomes it moves from
the prior to the observed rate. The check is two-sided: a grade is flagged ``riskier``
or ``safer`` when its outcomes alone reject the stated rate (exact binomial test).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.stats import beta

from credit.metrics import binomial_check, exact_interval


def grade_risk_table(
    counts: Mapping[str, tuple[int, int]],
    prior: Mapping[str, float],
    *,
    strength: float = 20.0,
    level: float = 0.95,
) -> list[dict[str, Any]]:
    """One row per grade of ``prior``: the stated rate, the outcomes and the update.

    ``counts`` maps a grade to ``(n, bad)``; grades without outcomes keep their prior.
    Each row: ``grade``, ``prior``, ``n``, ``bad``, ``observed`` (``None`` without
    outcomes), ``posterior`` (the estimated bad rate), ``interval`` (its central
    ``level`` credible interval), ``observed_interval`` (exact interval of the
    observed rate), ``p_value`` (two-sided, outcomes against the prior) and ``flag``
    (``"riskier"``, ``"safer"`` or ``None``).
    """
    unknown = sorted(set(counts) - set(prior))
    if unknown:
        raise ValueError(f"outcomes for grade(s) {unknown} that the prior does not state")
    if strength <= 0:
        raise ValueError(f"strength must be positive, got {strength}")
    return [
        _row(grade, float(rate), *counts.get(grade, (0, 0)), strength=strength, level=level)
        for grade, rate in prior.items()
    ]


def grade_risks(
    grades: Sequence[str],
    y: npt.ArrayLike,
    prior: Mapping[str, float],
    *,
    strength: float = 20.0,
    level: float = 0.95,
) -> list[dict[str, Any]]:
    """:func:`grade_risk_table` from one grade and one 0/1 outcome (1 = bad) per row."""
    outcomes = np.asarray(y, dtype=np.int64)
    if len(outcomes) != len(grades):
        raise ValueError(f"{len(grades)} grades but {len(outcomes)} outcomes")
    counts: dict[str, tuple[int, int]] = {}
    for grade in dict.fromkeys(map(str, grades)):
        mask = np.asarray([g == grade for g in grades])
        counts[grade] = (int(mask.sum()), int(outcomes[mask].sum()))
    return grade_risk_table(counts, prior, strength=strength, level=level)


def _row(
    grade: str, rate: float, n: int, bad: int, *, strength: float, level: float
) -> dict[str, Any]:
    if not 0.0 < rate < 1.0:
        raise ValueError(f"grade {grade}: the stated bad rate must lie in (0, 1), got {rate}")
    if not 0 <= bad <= n:
        raise ValueError(f"grade {grade}: bad outcomes must be 0..n, got {bad} of {n}")
    a, b = strength * rate + bad, strength * (1.0 - rate) + n - bad
    tail = (1.0 - level) / 2.0
    p_value, flag = binomial_check(n, bad, rate, alpha=1.0 - level)
    return {
        "grade": grade,
        "prior": rate,
        "n": n,
        "bad": bad,
        "observed": bad / n if n else None,
        "posterior": a / (a + b),
        "interval": [float(beta.ppf(tail, a, b)), float(beta.ppf(1.0 - tail, a, b))],
        "observed_interval": exact_interval(n, bad, level=level) if n else None,
        "p_value": p_value,
        "flag": flag,
    }
