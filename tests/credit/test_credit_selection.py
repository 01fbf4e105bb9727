"""Feature selection by out-of-fold evidence, and declared trends the data contradicts."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from credit import Scorecard, TrendWarning
from credit._selection import IV_GRID, fit_logit


def _with_noise(X: pd.DataFrame, n_noise: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    noise = {f"noise{k:02d}": rng.normal(size=len(X)) for k in range(n_noise)}
    return X.assign(**noise)


def test_default_chooses_min_iv_by_cross_validation(german_card: Scorecard) -> None:
    selection = german_card.selection_
    assert selection is not None
    assert selection["method"] == "min_iv by cross-validation"
    assert selection["min_iv"] in IV_GRID
    assert [step["min_iv"] for step in selection["log_loss"]] == list(IV_GRID)
    chosen = next(s for s in selection["log_loss"] if s["min_iv"] == selection["min_iv"])
    assert chosen["log_loss"] < 0.6109  # better than the base rate alone, out of fold
    assert json.loads(german_card.to_json())["selection"] == selection


def test_a_higher_threshold_needs_out_of_fold_evidence(
    german: tuple[pd.DataFrame, pd.Series],
) -> None:
    X, y = german
    noisy = Scorecard().fit(_with_noise(X, 30), y)
    selection = noisy.selection_
    assert selection is not None
    losses = {s["min_iv"]: s for s in selection["log_loss"]}
    best = min(losses.values(), key=lambda s: s["log_loss"])
    chosen = losses[selection["min_iv"]]
    if chosen["min_iv"] > 0:  # chosen over 0 only by more than one standard error
        assert losses[0.0]["log_loss"] - chosen["log_loss"] > chosen["se"]
        assert chosen is best
    kept_noise = [n for n in noisy.features_ if n.startswith("noise")]
    plain = Scorecard(min_iv=0.0).fit(_with_noise(X, 30), y)
    assert len(kept_noise) < len([n for n in plain.features_ if n.startswith("noise")])


def test_min_iv_stays_available(german: tuple[pd.DataFrame, pd.Series]) -> None:
    X, y = german
    card = Scorecard(min_iv=0.05).fit(X, y)
    assert card.selection_ == {"method": "min_iv", "min_iv": 0.05}
    assert all(card.iv_[n] >= 0.05 for n in card.features_)
    assert any("below min_iv 0.05" in reason for reason in card.dropped_.values())


def test_few_bad_outcomes_fit_without_warnings() -> None:
    rng = np.random.default_rng(3)
    X = pd.DataFrame({"a": rng.normal(size=60), "b": rng.choice(["x", "y"], 60)})
    y = np.zeros(60, dtype=int)
    y[np.argsort(X["a"].to_numpy())[-4:]] = 1  # four bads: four folds, not five
    card = Scorecard().fit(X, y)
    assert card.selection_ is not None
    assert card.selection_.get("folds") == 4


def test_newton_solver_matches_scikit_learn() -> None:
    rng = np.random.default_rng(1)
    W = rng.normal(size=(400, 5))
    y = (rng.random(400) < 1 / (1 + np.exp(-(W @ [1.0, -0.5, 0.2, 0.0, 0.8] - 1)))).astype(int)
    coef, intercept = fit_logit(W, y, C=0.7)
    model = LogisticRegression(C=0.7, tol=1e-10, max_iter=10_000).fit(W, y)
    assert coef == pytest.approx(model.coef_[0], abs=1e-5)
    assert intercept == pytest.approx(model.intercept_[0], abs=1e-5)


def test_a_contradicted_trend_warns_with_the_data_trend(
    german: tuple[pd.DataFrame, pd.Series],
) -> None:
    X, y = german
    with pytest.warns(
        TrendWarning, match=r"'age_in_years'.*'ascending'.*the data shows descending bad rates"
    ):
        card = Scorecard(monotonic={"age_in_years": "ascending"}).fit(X, y)
    assert "age_in_years" not in card.features_
    assert card.dropped_["age_in_years"].startswith("declared trend ascending not honoured")


def test_a_contradicted_trend_is_an_error_when_strict(
    german: tuple[pd.DataFrame, pd.Series],
) -> None:
    X, y = german
    with pytest.raises(ValueError, match=r"'duration_in_month'.*ascending bad rates"):
        Scorecard(monotonic={"duration_in_month": "descending"}, strict=True).fit(X, y)


def test_a_trend_without_any_support_warns_too() -> None:
    rng = np.random.default_rng(2)
    x = rng.uniform(0, 1, 3000)
    y = (rng.random(3000) < 0.1 + 0.3 * x).astype(int)  # bad rate rises with x
    X = pd.DataFrame({"x": x, "other": rng.normal(size=3000) + y})
    with pytest.warns(TrendWarning, match=r"'x'.*'descending'.*ascending bad rates"):
        Scorecard(monotonic={"x": "descending"}).fit(X, y)
