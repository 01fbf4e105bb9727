"""The learned scorecard: binning trends, points, consistency, model files, reasons."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from credit import Scorecard
from credit.incubator import INDICATORS


def _bad_rates(card: Scorecard, name: str) -> np.ndarray:
    binning = card.binnings_[name]
    return np.asarray(binning.n_bad, dtype=float) / np.asarray(binning.n, dtype=float)


@pytest.mark.parametrize("card_fixture", ["german_card", "incubator_card"])
def test_every_monotonic_feature_has_monotonic_bad_rates(
    card_fixture: str, request: pytest.FixtureRequest
) -> None:
    card: Scorecard = request.getfixturevalue(card_fixture)
    trended = [n for n, b in card.binnings_.items() if b.trend is not None]
    assert len(trended) >= 3
    for name in trended:
        steps = np.diff(_bad_rates(card, name))
        if card.binnings_[name].trend == "ascending":
            assert (steps > 0).all(), name
        else:
            assert (steps < 0).all(), name


def test_declared_trend_is_kept(german: tuple[pd.DataFrame, pd.Series]) -> None:
    X, y = german
    card = Scorecard(monotonic={"duration_in_month": "ascending", "age_in_years": "descending"})
    card.fit(X, y)
    assert card.binnings_["duration_in_month"].trend == "ascending"
    assert card.binnings_["age_in_years"].trend == "descending"
    assert (np.diff(_bad_rates(card, "age_in_years")) < 0).all()


def test_no_trend_keeps_the_prebins(german: tuple[pd.DataFrame, pd.Series]) -> None:
    X, y = german
    free = Scorecard(monotonic=None).fit(X, y)
    assert all(b.trend is None for b in free.binnings_.values())
    mono = Scorecard(monotonic="auto").fit(X, y)
    assert len(free.binnings_["credit_amount"].edges) > len(mono.binnings_["credit_amount"].edges)


def test_points_sum_exactly_to_the_score(german_card: Scorecard, german: tuple) -> None:
    X, _ = german
    points = german_card.points(X)
    assert list(points.columns) == german_card.features_
    assert np.array_equal(points.sum(axis=1).to_numpy(), german_card.score(X).to_numpy())


def test_score_is_a_linear_transform_of_the_regression_log_odds(
    german_card: Scorecard, german: tuple
) -> None:
    X, y = german
    card = german_card
    woe = np.column_stack([card.woe_[n][card.binnings_[n].codes(X[n])] for n in card.features_])
    model = LogisticRegression(C=card.C, max_iter=1000).fit(woe, y)
    log_odds = model.decision_function(woe)
    expected = card.offset_ - card.factor_ * log_odds
    assert np.allclose(card.score(X).to_numpy(), expected, atol=1e-6)
    p = card.predict_proba(X)[:, 1]
    assert np.allclose(np.log(p / (1 - p)), log_odds, atol=1e-6)


def test_pdo_doubles_the_odds(german: tuple) -> None:
    X, y = german
    card = Scorecard(pdo=40, base_score=500, base_odds=20).fit(X, y)
    p = card.predict_proba(X)[:, 1]
    odds_good = (1 - p) / p
    scores = card.score(X).to_numpy()
    assert np.allclose(scores, 500 + 40 * np.log2(odds_good / 20))


@pytest.mark.parametrize("calibration", [None, "sigmoid", "isotonic"])
def test_json_round_trip_scores_identically(german: tuple, calibration: str | None) -> None:
    X, y = german
    card = Scorecard(calibration=calibration, cv=3).fit(X, y)
    loaded = Scorecard.from_json(card.to_json())
    assert np.array_equal(loaded.score(X).to_numpy(), card.score(X).to_numpy())
    assert np.array_equal(loaded.predict_proba(X), card.predict_proba(X))
    assert loaded.grade(X).equals(card.grade(X))
    assert loaded.explain(X.head(20)) == card.explain(X.head(20))
    assert loaded.to_json() == card.to_json()


def test_json_is_readable_and_complete(german_card: Scorecard) -> None:
    data = json.loads(german_card.to_json())
    feature = next(f for f in data["features"] if f["name"] == "duration_in_month")
    assert len(feature["points"]) == len(feature["labels"]) == len(feature["edges"]) + 1
    assert feature["labels"][0].startswith("(-inf, ")
    assert set(data["grade_cutoffs"]) == {"A", "B", "C"}
    assert data["params"]["pdo"] == 20.0
    assert len(data["training"]["fingerprint"]) == 64
    assert 0.7 < data["metrics"]["training"]["auc"] < 1.0
    assert data["dropped"]["foreign_worker"].startswith("IV")


def test_identical_data_and_seed_give_an_identical_card(german: tuple) -> None:
    X, y = german
    first = Scorecard(calibration="sigmoid", cv=3).fit(X, y).to_json()
    second = Scorecard(calibration="sigmoid", cv=3).fit(X.copy(), y.copy()).to_json()
    assert first == second


def test_fingerprint_changes_with_the_data(german: tuple, german_card: Scorecard) -> None:
    X, y = german
    flipped = y.copy()
    flipped.iloc[0] = 1 - flipped.iloc[0]
    assert Scorecard().fit(X, flipped).fingerprint_ != german_card.fingerprint_


def test_sigmoid_calibration_keeps_score_and_probability_consistent(german: tuple) -> None:
    X, y = german
    card = Scorecard(calibration="sigmoid", cv=3).fit(X, y)
    assert card.calibration_["method"] == "sigmoid"
    assert 0 < card.calibration_["slope"] < 1  # in-sample WoE fits are over-confident
    p = card.predict_proba(X)[:, 1]
    scores = card.score(X).to_numpy()
    assert np.allclose(np.log(p / (1 - p)), (card.offset_ - scores) / card.factor_)


def test_isotonic_probability_never_rises_with_the_score(german: tuple) -> None:
    X, y = german
    card = Scorecard(calibration="isotonic", cv=3).fit(X, y)
    order = np.argsort(card.score(X).to_numpy())
    assert (np.diff(card.predict_proba(X)[order, 1]) <= 1e-12).all()


def test_get_params_and_clone() -> None:
    card = Scorecard(monotonic={"age_in_years": "descending"}, pdo=30)
    assert card.get_params()["pdo"] == 30
    assert clone(card).get_params() == card.get_params()


def test_learned_card_recovers_the_generators_directions(incubator_card: Scorecard) -> None:
    directions = {i.name: i.direction for i in INDICATORS}
    selected = [n for n in incubator_card.features_ if n in directions]
    assert len(selected) >= 8
    for name in selected:
        expected = "descending" if directions[name] == "higher_is_better" else "ascending"
        assert incubator_card.binnings_[name].trend == expected, name
        points = next(fp.points for fp in incubator_card.points_ if fp.name == name)
        best_last = directions[name] == "higher_is_better"
        assert np.argmax(points) == (len(points) - 1 if best_last else 0), name


def _constructed() -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(7)
    n = 3000
    X = pd.DataFrame(
        {
            "debt_ratio": rng.uniform(0, 1, n),
            "tenure": rng.uniform(0, 20, n),
            "region": rng.choice(["north", "south", "east"], n),
        }
    )
    log_odds = -1.5 + 4.0 * (X["debt_ratio"] - 0.5) - 0.15 * (X["tenure"] - 10)
    y = pd.Series((rng.random(n) < 1 / (1 + np.exp(-log_odds))).astype(int))
    return X, y


def test_reason_codes_point_at_the_feature_that_cost_points() -> None:
    X, y = _constructed()
    card = Scorecard().fit(X, y)
    row = pd.DataFrame({"debt_ratio": [0.99], "tenure": [19.5], "region": ["north"]})
    reasons = card.explain(row, top=3)[0]
    assert reasons[0]["feature"] == "debt_ratio"
    debt = next(fp for fp in card.points_ if fp.name == "debt_ratio")
    expected_loss = debt.best() - card.points(row)["debt_ratio"].iloc[0]
    assert reasons[0]["points_lost"] == pytest.approx(expected_loss)
    assert set(reasons[0]) == {"feature", "points_lost"}
    assert all(r["feature"] != "tenure" for r in reasons)  # best tenure bin: nothing lost


def test_explain_orders_reasons_and_respects_top(german_card: Scorecard, german: tuple) -> None:
    X, _ = german
    for reasons in german_card.explain(X.head(50), top=2):
        assert len(reasons) <= 2
        losses = [r["points_lost"] for r in reasons]
        assert losses == sorted(losses, reverse=True)
        assert all(v > 0 for v in losses)
    with pytest.raises(ValueError, match="top"):
        german_card.explain(X.head(1), top=0)


def test_grades_follow_the_cutoffs(german: tuple) -> None:
    X, y = german
    card = Scorecard(grade_cutoffs={"A": 560, "B": 540, "C": 500}).fit(X, y)
    scores, grades = card.score(X), card.grade(X)
    assert (grades[scores >= 560] == "A").all()
    assert (grades[(scores >= 540) & (scores < 560)] == "B").all()
    assert (grades[scores < 500] == "D").all()
    default = Scorecard().fit(X, y)
    expected_a = default.offset_ + default.factor_ * math.log(0.95 / 0.05)
    assert default.cutoffs_["A"] == pytest.approx(expected_a, abs=0.05)


def test_bad_cutoffs_are_refused(german: tuple) -> None:
    X, y = german
    with pytest.raises(ValueError, match="fall from A to C"):
        Scorecard(grade_cutoffs={"A": 500, "B": 540, "C": 520}).fit(X, y)


def test_model_selection_with_roc_auc_scoring(german: tuple) -> None:
    from sklearn.model_selection import cross_val_score

    X, y = german
    aucs = cross_val_score(Scorecard(), X, y, scoring="roc_auc", cv=3)
    assert 0.7 < aucs.mean() < 0.9
