"""Shared data for the credit tests: German credit and synthetic incubator histories.

``tests/data/german_credit.csv`` is the UCI Statlog German Credit data (1000 rows,
``creditability`` good/bad), public and shipped with the repository.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from credit import Scorecard
from credit.incubator import generate_histories

GERMAN = Path(__file__).resolve().parents[1] / "data" / "german_credit.csv"
ID_COLUMNS = ["incubator_id", "period", "bad"]


@pytest.fixture(scope="session")
def german() -> tuple[pd.DataFrame, pd.Series]:
    if not GERMAN.exists():  # shipped with the repository: its absence is a failure
        pytest.fail(f"German credit data missing: expected {GERMAN}")
    frame = pd.read_csv(GERMAN)
    y = (frame.pop("creditability") == "bad").astype(int)
    return frame, y


@pytest.fixture(scope="session")
def histories() -> pd.DataFrame:
    return generate_histories(400, 5, seed=1)


@pytest.fixture(scope="session")
def incubator_xy(histories: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    return histories.drop(columns=ID_COLUMNS), histories["bad"]


@pytest.fixture(scope="session")
def german_card(german: tuple[pd.DataFrame, pd.Series]) -> Scorecard:
    X, y = german
    return Scorecard().fit(X, y)


@pytest.fixture(scope="session")
def incubator_card(incubator_xy: tuple[pd.DataFrame, pd.Series]) -> Scorecard:
    X, y = incubator_xy
    return Scorecard().fit(X, y)
