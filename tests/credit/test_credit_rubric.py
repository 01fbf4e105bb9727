"""Rubric format 2: declared units and ranges, impossible values refused, one missing rule."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import pytest

from credit import ExpertScorecard, MissingRule, load_rubric
from credit.incubator import (
    INDICATOR_NAMES,
    INDICATORS,
    generate_histories,
    incubator_rubric_v1,
    incubator_rubric_v2,
)


def _rubric(**indicator: Any) -> dict[str, Any]:
    base = {
        "feature": "violations",
        "unit": "count",
        "range": [0, None],
        "integer": True,
        "bins": [{"upper": 0, "points": 10}, {"upper": 2, "points": 4}, {"points": 1}],
    }
    return {
        "format": "credit.rubric",
        "format_version": 2,
        "name": "toy",
        "version": "2",
        "grade_cutoffs": {"A": 9, "B": 5, "C": 2},
        "indicators": [{**base, **indicator}],
    }


def _row(**values: object) -> pd.DataFrame:
    return pd.DataFrame({k: [v] for k, v in values.items()})


def _histories() -> pd.DataFrame:
    return generate_histories(40, 2, seed=8)


def test_negative_violations_are_refused_by_row_and_indicator() -> None:
    frame = _histories()
    frame.loc[7, "violations"] = -5
    card = incubator_rubric_v2()
    with pytest.raises(ValueError, match=r"row 7: violations = -5 is impossible \(count, 0\.\.inf"):
        card.score(frame)
    with pytest.raises(ValueError, match="row 7: violations"):
        card.explain(frame)


@pytest.mark.parametrize(
    ("column", "value", "why"),
    [
        ("spot_check_pass_rate", 130.0, r"%, 0\.\.100"),
        ("graduation_rate", -1.0, r"%, 0\.\.100"),
        ("firms_incubated", 12.5, "whole numbers"),
        ("financing_raised", np.inf, "million CNY"),
        ("false_reports", -1, "count"),
    ],
)
def test_impossible_values_are_refused(column: str, value: float, why: str) -> None:
    frame = _histories()
    frame[column] = frame[column].astype(float)
    frame.loc[3, column] = value
    problems = incubator_rubric_v2().check_values(frame)
    assert len(problems) == 1
    assert problems[0].startswith(f"row 3: {column} = ")
    assert pd.Series(problems).str.contains(why).all()


def test_every_problem_is_listed_and_the_message_stays_short() -> None:
    frame = _histories()
    frame.loc[:9, "violations"] = -1
    card = incubator_rubric_v2()
    assert len(card.check_values(frame)) == 10
    with pytest.raises(ValueError, match=r"\(and 5 more\)"):
        card.score(frame)


def test_a_missing_value_never_beats_a_poor_observed_one() -> None:
    card = incubator_rubric_v2()
    rules = card.missing_rules
    assert set(rules) == set(INDICATOR_NAMES)
    for fp in card.points_:
        assert fp.missing_points is not None
        assert fp.missing_points <= min(fp.points), fp.name
        assert rules[fp.name] == MissingRule("worst", min(fp.points))
    frame = _histories().head(2).copy()
    frame["spot_check_pass_rate"] = [np.nan, 70.0]
    points = card.points(frame)["spot_check_pass_rate"]
    assert points.tolist() == [0.0, 0.0]
    assert rules["spot_check_pass_rate"].as_dict() == {
        "rule": "worst",
        "points": 0.0,
        "text": "a missing value scores the lowest points (0)",
    }


def test_rubric_v1_still_scores_as_it_did() -> None:
    """Stored model versions built on v1 keep their scores, odd as its missing rule is."""
    v1 = incubator_rubric_v1()
    frame = _histories().head(1).assign(spot_check_pass_rate=np.nan, violations=-5)
    assert v1.points(frame)["spot_check_pass_rate"].iloc[0] == 5.0
    assert v1.format_version == 1
    assert all(domain is None for domain in v1.domains.values())


def test_v2_declares_the_units_and_ranges_of_the_indicators() -> None:
    card = load_rubric("incubator_v2")
    assert card.version == "2"
    assert card.format_version == 2
    assert card.max_score == 100
    assert card.cutoffs_ == incubator_rubric_v1().cutoffs_
    for indicator in INDICATORS:
        domain = card.domains[indicator.name]
        assert domain is not None
        assert domain.unit == indicator.unit, indicator.name
        assert (domain.low, domain.high) == (indicator.low, indicator.high), indicator.name
        assert domain.integer == indicator.integer, indicator.name


def test_generated_histories_are_possible_values() -> None:
    frame = generate_histories(200, 4, seed=3)
    assert incubator_rubric_v2().check_values(frame) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"missing": {"points": 5}}, "may not score better than the poorest bin"),
        ({"missing_points": 2}, "may not score better than the poorest bin"),
        ({"missing": "maybe"}, "'missing' must be"),
        ({"missing": "worst", "missing_points": 0}, "not both"),
        ({"unit": None}, "'unit' and 'range'"),
        ({"range": [5, 1]}, "exceeds high"),
        ({"unit": "%", "range": [0, 120]}, "within"),
        ({"unit": "share", "range": [0, None]}, "within"),
    ],
)
def test_format_2_refuses_a_rubric_that_could_reward_the_impossible(
    change: dict[str, Any], message: str
) -> None:
    rubric = _rubric(**change)
    indicator = rubric["indicators"][0]
    for key in [k for k, v in indicator.items() if v is None]:
        del indicator[key]
    with pytest.raises(ValueError, match=message):
        ExpertScorecard.from_dict(rubric)


def test_a_required_indicator_refuses_a_missing_value() -> None:
    card = ExpertScorecard.from_dict(_rubric(missing="error"))
    assert card.missing_rules["violations"].rule == "error"
    with pytest.raises(ValueError, match="row 1: violations = nan is missing, and required"):
        card.score(pd.DataFrame({"violations": [0, np.nan]}))


def test_a_categorical_indicator_gives_unlisted_categories_at_most_the_lowest_points() -> None:
    rubric = _rubric()
    rubric["indicators"].append(
        {
            "feature": "level",
            "kind": "categorical",
            "bins": [
                {"categories": ["national"], "points": 5},
                {"categories": ["local"], "points": 2},
            ],
            "other_points": 4,
        }
    )
    with pytest.raises(ValueError, match="unlisted category"):
        ExpertScorecard.from_dict(rubric)
    del rubric["indicators"][1]["other_points"]
    card = ExpertScorecard.from_dict(copy.deepcopy(rubric))
    scored = card.points(_row(violations=0, level="galactic"))
    assert scored["level"].iloc[0] == 2.0
