"""Bad or unusual input: clear errors or the documented handling."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit import Scorecard


def _data(n: int = 2000, seed: int = 3) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "income": rng.normal(50, 15, n),
            "city": rng.choice(["a", "b", "c", "d"], n, p=[0.4, 0.3, 0.28, 0.02]),
        }
    )
    city_effect = X["city"].map({"a": -0.5, "b": 0.0, "c": 0.6, "d": 1.0})
    log_odds = -1.0 - 0.05 * (X["income"] - 50) + city_effect
    y = pd.Series((rng.random(n) < 1 / (1 + np.exp(-log_odds))).astype(int), name="bad")
    return X, y


def test_nan_in_y_is_refused_by_name() -> None:
    X, y = _data()
    y = y.astype(float)
    y.iloc[[5, 9]] = np.nan
    with pytest.raises(ValueError, match=r"y has NaN at 2 row\(s\), first positions \[5, 9\]"):
        Scorecard().fit(X, y)


def test_single_class_is_refused() -> None:
    X, y = _data()
    with pytest.raises(ValueError, match="single class"):
        Scorecard().fit(X, np.zeros(len(X), dtype=int))


def test_non_binary_or_text_y_is_refused() -> None:
    X, y = _data()
    with pytest.raises(ValueError, match="only 0 and 1"):
        Scorecard().fit(X, y * 2)
    with pytest.raises(ValueError, match="numeric 0/1"):
        Scorecard().fit(X, y.map({0: "good", 1: "bad"}))


def test_boolean_y_is_accepted() -> None:
    X, y = _data()
    as_int = Scorecard().fit(X, y)
    as_bool = Scorecard().fit(X, y.astype(bool))
    assert np.array_equal(as_int.score(X), as_bool.score(X))


def test_constant_and_all_missing_columns_are_dropped_with_a_reason() -> None:
    X, y = _data()
    X = X.assign(constant=7.0, empty=np.nan, empty_text=pd.Series([None] * len(X), dtype=object))
    card = Scorecard().fit(X, y)
    assert card.dropped_["constant"] == "constant"
    assert card.dropped_["empty"] == "all values missing"
    assert card.dropped_["empty_text"] == "all values missing"
    assert set(card.features_) == {"income", "city"}
    # dropped columns are not needed at scoring time
    card.score(X[["income", "city"]])


def test_missing_column_at_scoring_is_named() -> None:
    X, y = _data()
    card = Scorecard().fit(X, y)
    with pytest.raises(ValueError, match=r"missing column\(s\).*'city'"):
        card.score(X.drop(columns=["city"]))
    with pytest.raises(ValueError, match="city"):
        card.predict_proba(X.drop(columns=["city"]))


def test_extra_columns_at_scoring_are_ignored() -> None:
    X, y = _data()
    card = Scorecard().fit(X, y)
    wider = X.assign(unrelated="zzz", other=1.0)[["other", "city", "unrelated", "income"]]
    assert np.array_equal(card.score(wider).to_numpy(), card.score(X).to_numpy())


def test_missing_values_in_training_get_their_own_bin() -> None:
    X, y = _data()
    X.loc[y.index[y == 1][:150], "income"] = np.nan  # missing income flags risk here
    card = Scorecard().fit(X, y)
    binning = card.binnings_["income"]
    assert binning.has_missing_bin
    assert binning.missing_n == 150
    income = next(fp for fp in card.points_ if fp.name == "income")
    assert income.missing_points is not None
    assert income.missing_points < min(income.points)
    scored = card.points(pd.DataFrame({"income": [np.nan], "city": ["a"]}))
    assert scored["income"].iloc[0] == income.missing_points


@pytest.mark.parametrize("policy", ["worst", "neutral"])
def test_unseen_category_and_unseen_missing_follow_the_policy(policy: str) -> None:
    X, y = _data()
    X["city"] = X["city"].replace({"d": "c"})  # no rare group, so "zz" is truly unseen
    card = Scorecard(unseen=policy).fit(X, y)
    city = next(fp for fp in card.points_ if fp.name == "city")
    income = next(fp for fp in card.points_ if fp.name == "income")
    row = pd.DataFrame({"income": [np.nan], "city": ["zz"]})
    points = card.points(row)
    if policy == "worst":
        assert points["city"].iloc[0] == min(city.points)
        assert points["income"].iloc[0] == min(income.points)
    else:
        neutral = (card.offset_ - card.factor_ * card.intercept_) / len(card.features_)
        assert points["city"].iloc[0] == pytest.approx(neutral)
        assert min(city.points) < points["city"].iloc[0] < max(city.points)


def test_unseen_error_policy_names_the_column() -> None:
    X, y = _data()
    X["city"] = X["city"].replace({"d": "c"})
    card = Scorecard(unseen="error").fit(X, y)
    with pytest.raises(ValueError, match=r"'city' has values not seen in training: \['zz'\]"):
        card.score(pd.DataFrame({"income": [40.0], "city": ["zz"]}))


def test_a_rare_category_joins_its_neighbours_in_bad_rate_not_unseen_values() -> None:
    X, y = _data()
    card = Scorecard(min_bin_share=0.05).fit(X, y)
    groups = card.binnings_["city"].groups
    # "d" holds 2 % of the rows and is the riskiest city: it joins "c", the next riskiest
    assert next(g for g in groups if "d" in g) == next(g for g in groups if "c" in g)
    assert all("__other__" not in g for g in groups)
    city = next(fp for fp in card.points_ if fp.name == "city")
    scored = card.points(pd.DataFrame({"income": [50.0, 50.0], "city": ["d", "never-seen"]}))
    assert scored["city"].iloc[1] == min(city.points)


def test_text_in_a_numeric_column_at_scoring_is_named() -> None:
    X, y = _data()
    card = Scorecard().fit(X, y)
    with pytest.raises(ValueError, match="'income' must be numeric"):
        card.score(pd.DataFrame({"income": ["high"], "city": ["a"]}))


def test_trend_on_a_categorical_column_is_refused() -> None:
    X, y = _data()
    with pytest.raises(ValueError, match="'city' is categorical"):
        Scorecard(monotonic={"city": "ascending"}).fit(X, y)


def test_unknown_monotonic_names_and_values_are_refused() -> None:
    X, y = _data()
    with pytest.raises(ValueError, match="not in X"):
        Scorecard(monotonic={"salary": "ascending"}).fit(X, y)
    with pytest.raises(ValueError, match="monotonic trends"):
        Scorecard(monotonic="up").fit(X, y)  # type: ignore[arg-type]


def test_no_informative_feature_is_an_error() -> None:
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"noise": rng.normal(size=500)})
    y = rng.integers(0, 2, 500)
    with pytest.raises(ValueError, match="no feature has IV"):
        Scorecard(min_iv=0.5).fit(X, y)


def test_category_dtype_and_object_columns_score_alike() -> None:
    X, y = _data()
    card = Scorecard().fit(X.assign(city=X["city"].astype("category")), y)
    as_object = X.assign(city=X["city"].astype(object))
    assert np.array_equal(card.score(as_object).to_numpy(), card.score(X).to_numpy())
