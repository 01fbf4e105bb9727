"""No score is gained by an odd value: unseen categories, rare categories, rare missing bins."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import train_test_split

from credit import Scorecard
from credit._binning import OTHER, Binning
from credit._points import UnseenPolicy
from credit.scorecard import FORMAT_VERSION

ODD = "zz-never-seen"


def _categorical(X: pd.DataFrame) -> list[str]:
    return [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]


def _assert_no_unseen_value_raises_a_score(card: Scorecard, X: pd.DataFrame) -> None:
    before = card.score(X).to_numpy()
    columns = _categorical(X)
    assert columns
    for name in columns:
        for odd in (ODD, None):
            after = card.score(X.assign(**{name: odd})).to_numpy()
            raised = np.flatnonzero(after > before + 1e-9)
            assert len(raised) == 0, f"{name}={odd!r} raised {len(raised)} row(s)"


def _rare_categories(n: int = 3000, seed: int = 5) -> tuple[pd.DataFrame, pd.Series]:
    """Three common branches and twelve rare ones, each with 4 bads in 6 rows."""
    rng = np.random.default_rng(seed)
    common = rng.choice(["safe", "middling", "risky"], size=n, p=[0.35, 0.35, 0.30])
    effect = pd.Series(common).map({"safe": -1.2, "middling": 0.0, "risky": 1.0}).to_numpy()
    income = rng.normal(50, 15, n)
    log_odds = -1.0 + effect - 0.03 * (income - 50)
    y = (rng.random(n) < 1 / (1 + np.exp(-log_odds))).astype(int)
    branch = common.astype(object)
    bad_rows = rng.choice(np.flatnonzero(y == 1), size=12 * 4, replace=False)
    good_rows = rng.choice(np.flatnonzero(y == 0), size=12 * 2, replace=False)
    for k in range(12):
        branch[bad_rows[4 * k : 4 * k + 4]] = branch[good_rows[2 * k : 2 * k + 2]] = f"rare{k:02d}"
    X = pd.DataFrame({"income": income, "branch": branch, "region": rng.choice(list("abc"), n)})
    return X, pd.Series(y, name="bad")


def test_no_unseen_value_raises_a_german_score(german: tuple[pd.DataFrame, pd.Series]) -> None:
    X, y = german
    X_train, X_test, y_train, _ = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    card = Scorecard().fit(X_train, y_train)
    _assert_no_unseen_value_raises_a_score(card, X_test)


def test_no_unseen_value_raises_a_score_with_rare_categories() -> None:
    X, y = _rare_categories()
    card = Scorecard().fit(X, y)
    assert "branch" in card.features_
    _assert_no_unseen_value_raises_a_score(card, X)


def test_an_unseen_value_scores_the_worst_supported_bin(
    german: tuple[pd.DataFrame, pd.Series],
) -> None:
    X, y = german
    card = Scorecard().fit(X, y)
    savings = next(fp for fp in card.points_ if fp.name == "savings_account_and_bonds")
    odd = card.points(X.head(1).assign(savings_account_and_bonds=ODD))
    assert odd["savings_account_and_bonds"].iloc[0] == min(savings.points)


def test_rare_categories_join_their_neighbours_in_bad_rate() -> None:
    X, y = _rare_categories()
    card = Scorecard().fit(X, y)
    groups = card.binnings_["branch"].groups
    group_of = {category: i for i, group in enumerate(groups) for category in group}
    # each rare branch is too small for a bin of its own; its bad rate is the risky one's
    assert {group_of[f"rare{k:02d}"] for k in range(12)} == {group_of["risky"]}
    assert len({group_of["safe"], group_of["middling"], group_of["risky"]}) == 3
    assert all(OTHER not in group for group in groups)


def test_a_rare_missing_bin_scores_no_better_than_the_worst_bin() -> None:
    X, y = _rare_categories()
    good_rows = np.flatnonzero(y.to_numpy() == 0)[:20]  # 0.7 % of the rows, all good
    X.loc[good_rows, "income"] = np.nan
    card = Scorecard().fit(X, y)
    income = next(fp for fp in card.points_ if fp.name == "income")
    assert card.binnings_["income"].missing_n == 20
    assert income.missing_points == min(income.points)


def test_a_common_missing_bin_keeps_its_own_evidence() -> None:
    X, y = _rare_categories()
    good_rows = np.flatnonzero(y.to_numpy() == 0)[:400]  # 13 %, all good: a safe sign here
    X.loc[good_rows, "income"] = np.nan
    card = Scorecard().fit(X, y)
    income = next(fp for fp in card.points_ if fp.name == "income")
    assert income.missing_points is not None
    assert income.missing_points > max(income.points)


def test_a_stored_card_keeps_its_other_group() -> None:
    """Cards written before format 2 may hold __other__: their unseen values still join it."""
    assert FORMAT_VERSION == 2
    legacy = Binning(name="city", kind="categorical", groups=[["a"], [OTHER, "b"]], n=[5, 5])
    codes = legacy.codes(pd.Series(["a", "b", ODD]))
    assert codes.tolist() == [0, 1, 1]
    current = Binning(name="city", kind="categorical", groups=[["a"], ["b"]], n=[5, 5])
    assert current.codes(pd.Series([ODD])).tolist() == [-1]


@pytest.mark.parametrize("policy", ["worst", "neutral"])
def test_unseen_values_never_beat_the_policy_points(policy: UnseenPolicy) -> None:
    X, y = _rare_categories()
    card = Scorecard(unseen=policy).fit(X, y)
    branch = next(fp for fp in card.points_ if fp.name == "branch")
    odd = card.points(X.head(3).assign(branch=ODD))["branch"]
    assert (odd == branch.unseen_points).all()
