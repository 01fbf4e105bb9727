"""Window satisfaction reaches the incubator's derived indicator and its rating run;
too few ratings leave it missing, never zero."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from servicedesk.catalogue.models import ServicePoint
from servicedesk.evaluations import satisfaction
from servicedesk.evaluations.models import Evaluation
from servicedesk.incubators.models import Incubator, IndicatorValue
from servicedesk.seed import history
from servicedesk.settings import get_settings
from servicedesk.timeutil import beijing, frozen
from tests.factories import login, make_catalogue, make_incubator, make_user

API = "/api/v1"


async def _rated_quarter() -> float:
    """Ratings at HD-AI (INC-HD-001's point) through 2026-Q3; its share of 4s and 5s."""
    await history.generate(
        await history.load_points(["HD-AI"]),
        start=date(2026, 7, 1),
        days=92,
        tickets_per_day=3,
        cases_per_day=1,
        seed=5,
    )
    point = await ServicePoint.get(code="HD-AI")
    levels = [
        e.level
        for e in await Evaluation.filter(service_point=point)
        if date(2026, 7, 1) <= e.day <= date(2026, 9, 30)
    ]
    assert len(levels) >= get_settings().satisfaction_min_ratings
    return round(100 * sum(v >= 4 for v in levels) / len(levels), 1)


async def test_window_satisfaction_reaches_the_rating(client: httpx.AsyncClient) -> None:
    await make_catalogue()
    incubator = await make_incubator(code="INC-HD-001")  # 2026-Q2 values, satisfaction 96
    expected = await _rated_quarter()
    await make_user(username="li", role="official")
    with frozen(beijing(2026, 10, 12)):
        run = await client.post(
            f"{API}/rating-runs", json={"period": "2026-Q3"}, headers=await login(client, "li")
        )
    assert run.status_code == 201, run.text
    stored = await IndicatorValue.get(
        incubator=incubator, period="2026-Q3", name="window_satisfaction"
    )
    assert (stored.value, stored.source) == (expected, "derived")
    assert expected != 96
    rating = next(r for r in run.json()["ratings"] if r["incubator_code"] == "INC-HD-001")
    assert rating["indicator_period"] == "2026-Q3"  # the new figure is what was scored


async def test_too_few_ratings_leave_it_missing(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    del client
    await make_catalogue()
    await _rated_quarter()
    # the demo catalogue file brings the incubator hosting HD-AI
    hd, _ = await Incubator.get_or_create(
        code="INC-HD-001", defaults={"name": "孵化器", "level": "national", "district": "海淀区"}
    )
    quiet = await Incubator.create(
        code="INC-QUIET", name="安静", level="district", district="海淀区"
    )
    assert await satisfaction.window_satisfaction(quiet, "2026-Q3") is None  # no window at all
    assert await satisfaction.window_satisfaction(hd, "2026-Q2") is None  # not one rating
    monkeypatch.setattr(get_settings(), "satisfaction_min_ratings", 10_000)
    assert await satisfaction.window_satisfaction(hd, "2026-Q3") is None
    assert await satisfaction.window_satisfaction(hd, "2026") is None


def test_periods_span_their_days() -> None:
    assert satisfaction.period_days("2026-Q3") == (date(2026, 7, 1), date(2026, 9, 30))
    assert satisfaction.period_days("2026-Q4") == (date(2026, 10, 1), date(2026, 12, 31))
    assert satisfaction.period_days("2026") == (date(2026, 1, 1), date(2026, 12, 31))
