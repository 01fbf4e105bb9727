"""The incubator domain: indicator definitions, the v1 expert rubric, synthetic histories.

The synthetic generator exists so tests (and demos) can check that a learned card
recovers directions that are known because they were written down here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from credit._binning import FloatArray
from credit.expert import ExpertScorecard, load_rubric

Direction = Literal["higher_is_better", "lower_is_better"]
Source = Literal["reported", "derived"]


@dataclass(frozen=True)
class Indicator:
    """One periodic figure of an incubator.

    ``source`` is ``reported`` when the incubator reports it, ``derived`` when the
    service desk computes it from its own records (cases, evaluations, spot checks).
    Its possible values are ``low <= x <= high`` (``high`` ``None``: unbounded), whole
    numbers when ``integer``.
    """

    name: str
    name_zh: str
    name_en: str
    unit: str
    direction: Direction
    source: Source
    group: str
    low: float = 0.0
    high: float | None = None
    integer: bool = False


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        name="mentors_per_100_firms",
        name_zh="每百家在孵企业创业导师数",
        name_en="Mentors per 100 incubated firms",
        unit="per 100 firms",
        direction="higher_is_better",
        source="reported",
        group="service_capacity",
    ),
    Indicator(
        name="firms_incubated",
        name_zh="在孵企业数",
        name_en="Firms incubated",
        unit="firms",
        direction="higher_is_better",
        source="reported",
        group="incubation_performance",
        integer=True,
    ),
    Indicator(
        name="graduation_rate",
        name_zh="毕业企业占比",
        name_en="Graduation rate",
        unit="%",
        direction="higher_is_better",
        source="derived",
        group="incubation_performance",
        high=100.0,
    ),
    Indicator(
        name="high_tech_firms",
        name_zh="培育高新技术企业数",
        name_en="High-tech firms cultivated",
        unit="firms",
        direction="higher_is_better",
        source="reported",
        group="incubation_performance",
        integer=True,
    ),
    Indicator(
        name="financing_raised",
        name_zh="在孵企业获得融资额",
        name_en="Financing raised by incubated firms",
        unit="million CNY",
        direction="higher_is_better",
        source="reported",
        group="incubation_performance",
    ),
    Indicator(
        name="violations",
        name_zh="违规记录数",
        name_en="Violations on record",
        unit="count",
        direction="lower_is_better",
        source="derived",
        group="compliance",
        integer=True,
    ),
    Indicator(
        name="false_reports",
        name_zh="虚假报送次数",
        name_en="False reports",
        unit="count",
        direction="lower_is_better",
        source="derived",
        group="compliance",
        integer=True,
    ),
    Indicator(
        name="window_satisfaction",
        name_zh="服务窗口满意率",
        name_en="Satisfaction at its service window",
        unit="%",
        direction="higher_is_better",
        source="derived",
        group="satisfaction",
        high=100.0,
    ),
    Indicator(
        name="report_timeliness",
        name_zh="监测报告按时报送率",
        name_en="Monitoring reports on time",
        unit="%",
        direction="higher_is_better",
        source="derived",
        group="timeliness",
        high=100.0,
    ),
    Indicator(
        name="spot_check_pass_rate",
        name_zh="推荐企业抽查合格率",
        name_en="Spot-check pass rate of recommended firms",
        unit="%",
        direction="higher_is_better",
        source="derived",
        group="spot_checks",
        high=100.0,
    ),
)
"""The v1 indicator set. ``spot_check_pass_rate`` is missing when no firm it recommended
was spot-checked in the period."""

INDICATOR_NAMES = tuple(ind.name for ind in INDICATORS)
LEVELS = ("national", "municipal", "district")

GENERATOR_EFFECTS: dict[str, tuple[float, float, float]] = {
    "mentors_per_100_firms": (8.0, 3.0, -0.20),
    "firms_incubated": (28.0, 10.0, -0.10),
    "graduation_rate": (20.0, 8.0, -0.35),
    "high_tech_firms": (3.0, 2.0, -0.20),
    "financing_raised": (2.3, 0.9, -0.20),
    "violations": (0.4, 0.7, 0.40),
    "false_reports": (0.05, 0.25, 0.60),
    "window_satisfaction": (88.0, 5.0, -0.35),
    "report_timeliness": (80.0, 12.0, -0.30),
    "spot_check_pass_rate": (88.0, 12.0, -0.45),
}
"""(center, scale, beta) per indicator: its term in the bad log-odds is
``beta * (x - center) / scale`` (``financing_raised`` enters as ``ln(1 + x)``)."""
GENERATOR_INTERCEPT = -2.0
GENERATOR_MISSING_SPOT_CHECK = 0.2
"""Log-odds added when no spot check happened (nothing vouches for the incubator)."""


def incubator_rubric_v1() -> ExpertScorecard:
    """The shipped expert rubric v1 over :data:`INDICATORS` (``rubrics/incubator_v1.json``).

    Kept unchanged so model versions built on it score as they did. It declares no
    ranges and gives a missing spot-check pass rate 5 points: use v2 for new ratings.
    """
    return load_rubric("incubator_v1")


def incubator_rubric_v2() -> ExpertScorecard:
    """The shipped expert rubric v2 (``rubrics/incubator_v2.json``): v1's bins and points,
    every indicator's unit and range declared, a missing value scored as the lowest bin."""
    return load_rubric("incubator_v2")


def generate_histories(
    n_incubators: int = 200, n_periods: int = 4, *, seed: int = 0
) -> pd.DataFrame:
    """Synthetic incubator histories: one row per incubator and period, with an outcome.

    The generating process (also in docs/credit.md):

    1. Each incubator has a latent quality ``q ~ N(0, 1)`` and a level (national if
       ``q + e > 0.8``, municipal if ``> -0.3``, else district; ``e ~ N(0, 0.5)``).
    2. Each period the quality drifts: ``q_t = q + N(0, 0.3)``; every indicator is
       drawn around a function of ``q_t`` that rises (higher-is-better indicators)
       or falls (violations, false reports) with it, plus noise. The spot-check pass
       rate is missing with probability 0.3.
    3. The outcome ``bad`` (a serious credit event in the next period: a failed spot
       check for falsified material, a revoked status, a confirmed serious violation)
       is Bernoulli with log-odds ``GENERATOR_INTERCEPT + sum(beta * z)`` where ``z``
       is each indicator centred and scaled by :data:`GENERATOR_EFFECTS`, plus
       :data:`GENERATOR_MISSING_SPOT_CHECK` when the spot-check rate is missing.
       The level has no direct effect. The sign of ``beta`` is the indicator's
       direction, so a learned card must find the bad rate falling along every
       higher-is-better indicator and rising along the others.
    """
    rng = np.random.default_rng(seed)
    quality = rng.normal(size=n_incubators)
    level = _levels(quality + rng.normal(scale=0.5, size=n_incubators))
    frames = [
        _period(rng, quality + rng.normal(scale=0.3, size=n_incubators), period, level)
        for period in range(1, n_periods + 1)
    ]
    return pd.concat(frames, ignore_index=True)


def _levels(signal: FloatArray) -> npt.NDArray[np.str_]:
    return np.where(signal > 0.8, "national", np.where(signal > -0.3, "municipal", "district"))


def _period(
    rng: np.random.Generator, q: FloatArray, period: int, level: npt.NDArray[np.str_]
) -> pd.DataFrame:
    n = len(q)
    firms = rng.poisson(np.exp(3.3 + 0.35 * q))
    checked = rng.poisson(4.0, size=n) + 1
    passed = rng.binomial(checked, _sigmoid(2.0 + 0.8 * q))
    data = {
        "incubator_id": [f"INC{i:04d}" for i in range(n)],
        "period": period,
        "level": level,
        "mentors_per_100_firms": np.maximum(
            0.0, 8.0 + 3.0 * q + rng.normal(scale=2.5, size=n)
        ).round(1),
        "firms_incubated": firms,
        "graduation_rate": (100 * _sigmoid(-1.5 + 0.6 * q + rng.normal(scale=0.5, size=n))).round(
            1
        ),
        "high_tech_firms": rng.binomial(firms, _sigmoid(-2.2 + 0.5 * q)),
        "financing_raised": np.exp(2.3 + 0.6 * q + rng.normal(scale=0.8, size=n)).round(2),
        "violations": rng.poisson(np.exp(-1.2 - 0.7 * q)),
        "false_reports": rng.poisson(np.exp(-3.2 - 0.8 * q)),
        "window_satisfaction": (
            100 * _sigmoid(2.0 + 0.5 * q + rng.normal(scale=0.4, size=n))
        ).round(1),
        "report_timeliness": (100 * _sigmoid(1.5 + 0.7 * q + rng.normal(scale=0.6, size=n))).round(
            1
        ),
        "spot_check_pass_rate": np.where(
            rng.random(n) < 0.3, np.nan, (100 * passed / checked).round(1)
        ),
    }
    frame = pd.DataFrame(data)
    frame["bad"] = (rng.random(n) < _sigmoid(_log_odds(frame))).astype(np.int64)
    return frame


def _log_odds(frame: pd.DataFrame) -> FloatArray:
    eta = np.full(len(frame), GENERATOR_INTERCEPT)
    for name, (center, scale, beta) in GENERATOR_EFFECTS.items():
        x = frame[name].to_numpy(dtype=np.float64)
        x = np.log1p(x) if name == "financing_raised" else x
        eta += np.nan_to_num(beta * (x - center) / scale)
    missing = frame["spot_check_pass_rate"].isna().to_numpy()
    return np.asarray(eta + GENERATOR_MISSING_SPOT_CHECK * missing, dtype=np.float64)


def _sigmoid(x: FloatArray) -> FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float64)
