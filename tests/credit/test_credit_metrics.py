"""Validation figures on small cases whose answers are known."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from credit import Scorecard
from credit.metrics import (
    auc,
    brier,
    calibration_table,
    csi,
    gini,
    grade_check,
    ks,
    psi,
    validation_report,
)


def test_ranking_figures_on_a_known_case() -> None:
    y = [0, 0, 1, 1]
    assert auc(y, [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    assert gini(y, [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.5)
    assert ks(y, [0.1, 0.2, 0.3, 0.4]) == pytest.approx(1.0)
    assert brier(y, [0.0, 0.0, 1.0, 0.5]) == pytest.approx(0.0625)


def test_calibration_table_bands_cover_every_row() -> None:
    rng = np.random.default_rng(0)
    p = rng.uniform(0, 1, 1000)
    y = (rng.random(1000) < p).astype(int)
    table = calibration_table(y, p, n_bands=5)
    assert [row["band"] for row in table] == [1, 2, 3, 4, 5]
    assert sum(row["n"] for row in table) == 1000
    assert sum(row["n_bad"] for row in table) == y.sum()
    for row in table:  # a calibrated predictor: observed close to predicted
        assert row["observed"] == pytest.approx(row["predicted"], abs=0.08)


def test_psi_is_zero_for_the_same_distribution_and_large_for_a_shift() -> None:
    rng = np.random.default_rng(1)
    base = rng.normal(size=5000)
    assert psi(base, base) == pytest.approx(0.0)
    assert psi(base, rng.normal(size=5000)) < 0.02
    assert psi(base, rng.normal(loc=1.0, size=5000)) > 0.25


def test_grade_check_flags_a_grade_riskier_than_predicted() -> None:
    y = [1] * 30 + [0] * 70 + [1] * 5 + [0] * 95
    grades = ["D"] * 100 + ["A"] * 100
    p = [0.1] * 100 + [0.05] * 100
    rows = {row["grade"]: row for row in grade_check(y, grades, p)}
    assert rows["D"]["observed"] == 0.3
    assert not rows["D"]["ok"]
    assert rows["A"]["ok"]
    assert rows["A"]["expected_bad"] == pytest.approx(5.0)


def test_csi_notices_a_shifted_feature(german: tuple[pd.DataFrame, pd.Series]) -> None:
    X, y = german
    card = Scorecard().fit(X, y)
    shifted = X.assign(duration_in_month=X["duration_in_month"] * 3)
    values = csi(card, X, shifted)
    assert values["duration_in_month"] > 0.25
    assert values["credit_history"] == pytest.approx(0.0)


def test_validation_report_is_plain_json(german: tuple[pd.DataFrame, pd.Series]) -> None:
    X, y = german
    card = Scorecard().fit(X.iloc[:700], y.iloc[:700])
    report = validation_report(card, X.iloc[700:], y.iloc[700:], reference=X.iloc[:700])
    decoded = json.loads(json.dumps(report))
    assert decoded["n"] == 300
    assert 0.65 < decoded["auc"] < 0.9
    assert decoded["gini"] == pytest.approx(2 * decoded["auc"] - 1)
    assert {row["grade"] for row in decoded["grade_check"]} <= {"A", "B", "C", "D"}
    assert set(decoded["csi"]) == set(card.features_)
    assert decoded["psi"] < 0.25
