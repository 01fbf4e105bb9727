"""Grade risks learned from outcomes, and the two-sided per-grade check."""

from __future__ import annotations

from typing import Any

import pytest

from credit import grade_risk_table, grade_risks
from credit.incubator import generate_histories, incubator_rubric_v2
from credit.metrics import grade_check

PRIOR = {"A": 0.03, "B": 0.07, "C": 0.20, "D": 0.50}


def _row(table: list[dict[str, Any]], grade: str) -> dict[str, Any]:
    return next(r for r in table if r["grade"] == grade)


def test_grade_risks_move_toward_the_observed_rate_as_outcomes_arrive() -> None:
    observed = 0.12  # grade B states 7 %
    posteriors, widths = [], []
    for n in (0, 25, 100, 400, 1600):
        table = grade_risk_table({"B": (n, round(n * observed))}, PRIOR, strength=20)
        row = _row(table, "B")
        low, high = row["interval"]
        assert low < row["posterior"] < high
        posteriors.append(row["posterior"])
        widths.append(high - low)
    assert posteriors[0] == pytest.approx(0.07)
    assert posteriors == sorted(posteriors)  # every batch of outcomes pulls it up
    assert posteriors[-1] == pytest.approx(observed, abs=0.002)
    assert widths == sorted(widths, reverse=True)


def test_the_table_reports_prior_outcomes_and_update_per_grade() -> None:
    table = grade_risk_table({"A": (100, 3), "C": (50, 10)}, PRIOR, strength=20)
    assert [r["grade"] for r in table] == ["A", "B", "C", "D"]
    a = _row(table, "A")
    assert a["prior"] == 0.03
    assert (a["n"], a["bad"], a["observed"]) == (100, 3, 0.03)
    assert a["posterior"] == pytest.approx((0.03 * 20 + 3) / 120)
    assert a["flag"] is None
    b = _row(table, "B")  # no outcomes yet: the prior stands
    assert (b["n"], b["observed"], b["flag"]) == (0, None, None)
    assert b["posterior"] == pytest.approx(0.07)
    assert set(a) == {
        "grade",
        "prior",
        "n",
        "bad",
        "observed",
        "posterior",
        "interval",
        "observed_interval",
        "p_value",
        "flag",
    }


def test_a_grade_safer_than_stated_is_flagged() -> None:
    table = grade_risk_table({"C": (300, 30), "D": (40, 33), "B": (200, 15)}, PRIOR)
    assert _row(table, "C")["flag"] == "safer"  # 10 % observed, 20 % stated
    assert _row(table, "D")["flag"] == "riskier"  # 82 % observed, 50 % stated
    assert _row(table, "B")["flag"] is None  # 7.5 % observed, 7 % stated
    low, high = _row(table, "C")["observed_interval"]
    assert 0.0 < low < high < 0.20


def test_grade_risks_from_rows_and_from_a_rubric() -> None:
    grades = ["A"] * 50 + ["D"] * 10
    y = [0] * 49 + [1] + [1] * 4 + [0] * 6
    table = grade_risks(grades, y, PRIOR)
    assert (_row(table, "A")["n"], _row(table, "A")["bad"]) == (50, 1)
    assert (_row(table, "D")["n"], _row(table, "D")["bad"]) == (10, 4)
    frame = generate_histories(200, 3, seed=6)
    card = incubator_rubric_v2()
    rows = card.grade_risks(frame, frame["bad"])
    assert card.grade_pd is not None
    assert [r["prior"] for r in rows] == list(card.grade_pd.values())
    assert sum(r["n"] for r in rows) == len(frame)
    with pytest.raises(ValueError, match="does not state"):
        grade_risks(["E"], [1], PRIOR)


def test_the_per_grade_check_is_two_sided_with_its_interval() -> None:
    y = [1] * 2 + [0] * 198 + [1] * 30 + [0] * 70
    grades = ["A"] * 200 + ["D"] * 100
    p = [0.08] * 200 + [0.1] * 100
    rows = {row["grade"]: row for row in grade_check(y, grades, p)}
    assert rows["A"]["flag"] == "safer"  # 1 % observed where 8 % was predicted
    assert not rows["A"]["ok"]
    low, high = rows["A"]["interval"]
    assert low < 0.01 < high < 0.08
    assert rows["D"]["flag"] == "riskier"
