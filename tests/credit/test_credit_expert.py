"""The expert scorecard: rubric files, points, grades and reasons without outcomes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from credit import ExpertScorecard, load_rubric
from credit.incubator import INDICATOR_NAMES, INDICATORS, generate_histories, incubator_rubric_v1

RUBRIC = {
    "format": "credit.rubric",
    "name": "toy",
    "version": "0.1",
    "grade_cutoffs": {"A": 18, "B": 12, "C": 6},
    "indicators": [
        {
            "feature": "violations",
            "bins": [{"upper": 0, "points": 10}, {"upper": 2, "points": 4}, {"points": 0}],
            "missing_points": 2,
        },
        {
            "feature": "level",
            "kind": "categorical",
            "bins": [
                {"categories": ["national"], "points": 10},
                {"categories": ["municipal", "district"], "points": 5},
            ],
            "other_points": 1,
        },
    ],
}


def _rows(**columns: list[object]) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_points_follow_the_rubric_bins() -> None:
    card = ExpertScorecard.from_dict(RUBRIC)
    X = _rows(
        violations=[0, 1, 2, 3, np.nan], level=["national", "district", None, "space", "municipal"]
    )
    points = card.points(X)
    assert points["violations"].tolist() == [10, 4, 4, 0, 2]
    # missing category without missing_points gets the lowest bin; unknown gets other_points
    assert points["level"].tolist() == [10, 5, 5, 1, 5]
    assert card.score(X).tolist() == [20, 9, 9, 1, 7]
    assert card.grade(X).tolist() == ["A", "C", "C", "D", "C"]


def test_reasons_name_the_indicators_that_lost_points() -> None:
    card = ExpertScorecard.from_dict(RUBRIC)
    reasons = card.explain(_rows(violations=[3, 0], level=["municipal", "national"]), top=3)
    assert reasons[0] == [
        {"feature": "violations", "points_lost": 10.0},
        {"feature": "level", "points_lost": 5.0},
    ]
    assert reasons[1] == []


def test_rubric_from_json_and_toml_files(tmp_path: Path) -> None:
    json_path = tmp_path / "toy.json"
    json_path.write_text(json.dumps(RUBRIC), encoding="utf-8")
    toml_path = tmp_path / "toy.toml"
    toml_path.write_text(
        """
format = "credit.rubric"
name = "toy"
version = "0.1"
grade_cutoffs = { A = 18, B = 12, C = 6 }

[[indicators]]
feature = "violations"
missing_points = 2
bins = [{ upper = 0, points = 10 }, { upper = 2, points = 4 }, { points = 0 }]

[[indicators]]
feature = "level"
kind = "categorical"
other_points = 1
bins = [
    { categories = ["national"], points = 10 },
    { categories = ["municipal", "district"], points = 5 },
]
""",
        encoding="utf-8",
    )
    X = _rows(violations=[0, 5], level=["national", "nowhere"])
    from_json = ExpertScorecard.from_file(json_path).score(X)
    from_toml = ExpertScorecard.from_file(toml_path).score(X)
    assert from_json.tolist() == from_toml.tolist() == [20, 1]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "other"}, "not a credit.rubric"),
        ({"grade_cutoffs": {"A": 1, "B": 2, "C": 0}}, "fall from A to C"),
        ({"grade_cutoffs": {"A": 3, "B": 2}}, "exactly A, B and C"),
    ],
)
def test_invalid_rubrics_are_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ExpertScorecard.from_dict({**RUBRIC, **change})


def test_bins_must_have_increasing_uppers_and_an_open_last_bin() -> None:
    broken = json.loads(json.dumps(RUBRIC))
    broken["indicators"][0]["bins"] = [
        {"upper": 2, "points": 1},
        {"upper": 1, "points": 0},
        {"points": 0},
    ]
    with pytest.raises(ValueError, match="increasing"):
        ExpertScorecard.from_dict(broken)
    broken["indicators"][0]["bins"] = [{"upper": 1, "points": 1}, {"upper": 2, "points": 0}]
    with pytest.raises(ValueError, match="last bin"):
        ExpertScorecard.from_dict(broken)


def test_missing_indicator_column_is_named() -> None:
    card = ExpertScorecard.from_dict(RUBRIC)
    with pytest.raises(ValueError, match="'level'"):
        card.score(_rows(violations=[1]))


def test_shipped_incubator_rubric_covers_every_indicator() -> None:
    card = incubator_rubric_v1()
    assert card.name == "incubator"
    assert card.version == "1"
    assert set(card.features_) == set(INDICATOR_NAMES)
    assert card.max_score == 100
    with pytest.raises(ValueError, match="no shipped rubric"):
        load_rubric("nope")


def test_incubator_rubric_ranks_synthetic_histories() -> None:
    frame = generate_histories(300, 2, seed=11)
    card = load_rubric("incubator_v1")
    from credit.metrics import auc

    assert auc(frame["bad"], -card.score(frame)) > 0.75
    p = card.predict_proba(frame)[:, 1]
    assert set(np.unique(p)) <= set(card.grade_pd.values())  # type: ignore[union-attr]


def test_rubric_points_agree_with_indicator_directions() -> None:
    card = incubator_rubric_v1()
    directions = {i.name: i.direction for i in INDICATORS}
    for fp in card.points_:
        steps = np.diff(fp.points)
        if directions[fp.name] == "higher_is_better":
            assert (steps >= 0).all(), fp.name
        else:
            assert (steps <= 0).all(), fp.name


def test_indicator_definitions_are_complete() -> None:
    groups = {i.group for i in INDICATORS}
    assert groups == {
        "service_capacity",
        "incubation_performance",
        "compliance",
        "satisfaction",
        "timeliness",
        "spot_checks",
    }
    for indicator in INDICATORS:
        assert indicator.name_zh
        assert indicator.name_en
        assert indicator.source in ("reported", "derived")


def test_generator_is_reproducible_and_documented_shape() -> None:
    first = generate_histories(20, 3, seed=4)
    assert first.equals(generate_histories(20, 3, seed=4))
    assert not first.equals(generate_histories(20, 3, seed=5))
    assert len(first) == 60
    assert set(INDICATOR_NAMES) <= set(first.columns)
    assert first["spot_check_pass_rate"].isna().any()
    assert set(first["bad"].unique()) == {0, 1}
