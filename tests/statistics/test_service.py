"""Statistics over a generated month equal the figures computed here, independently,
from the raw rows (DESIGN §6.1 fields), for all points and for one."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import httpx
import numpy as np
import pytest_asyncio

from servicedesk.calendar.service import WorkCalendar
from servicedesk.cases.models import Case
from servicedesk.catalogue.models import ServicePoint
from servicedesk.evaluations.models import Evaluation, FollowUp
from servicedesk.queue.models import Ticket
from servicedesk.seed import history
from servicedesk.timeutil import BEIJING, beijing, frozen
from tests.factories import login, make_catalogue, make_user

API = "/api/v1"
START, END = date(2026, 10, 1), date(2026, 10, 31)
TODAY = beijing(2026, 11, 20, 9)


@pytest_asyncio.fixture
async def month(client: httpx.AsyncClient) -> dict[str, Any]:
    await make_catalogue()
    for name, point in (("c-hd", "HD-AI"), ("c-hd2", "HD-AI"), ("c-dx", "DX-BIO")):
        await make_user(username=name, service_point=point)
    await make_user(username="li", role="official")
    await make_user(username="boss-dx", role="supervisor", service_point="DX-BIO")
    points = await history.load_points(["HD-AI", "DX-BIO"])
    # September and November around October, so the range filter has work to do.
    await history.generate(
        points, start=date(2026, 9, 20), days=55, tickets_per_day=14, cases_per_day=3, seed=11
    )
    return {"official": await login(client, "li"), "supervisor": await login(client, "boss-dx")}


def nearest_rank(values: list[int], q: float) -> float | None:
    if not values:
        return None
    return float(np.percentile(np.array(values), q, method="inverted_cdf"))


def whole_minutes(seconds: float) -> int:
    """The statistics' resolution: seconds to the nearest whole minute, half up."""
    return (max(int(seconds), 0) + 30) // 60


def minute_rank(values: list[int], q: float) -> float | None:
    """The nearest-rank percentile of times counted in whole minutes, in minutes."""
    found = nearest_rank([whole_minutes(v) for v in values], q)
    return None if found is None else float(found)


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def bj_day(moment: datetime) -> date:
    return moment.astimezone(BEIJING).date()


async def expected(point_id: int | None) -> dict[str, Any]:
    """Every figure from the rows themselves, without the statistics module."""

    def ours(row: Any) -> bool:
        return point_id is None or row.service_point_id == point_id

    tickets = [t for t in await Ticket.all() if START <= t.day <= END and ours(t)]
    cases = [c for c in await Case.all() if START <= bj_day(c.received_at) <= END and ours(c)]
    decided = [
        c for c in await Case.all()
        if c.decided_on and START <= c.decided_on <= END and c.deadline_on and ours(c)
        and c.status.value != "withdrawn"
    ]  # fmt: skip
    waits = [
        round((t.called_at - t.taken_at).total_seconds())
        for t in tickets
        if t.called_at and t.transferred_from_id is None
    ]
    services = [
        round((t.finished_at - t.called_at).total_seconds())
        for t in tickets
        if t.status.value == "done" and t.called_at and t.finished_at
    ]
    called = [t for t in tickets if t.called_at]
    rated = [e for e in await Evaluation.all() if START <= e.day <= END and ours(e)]
    follow = [f for f in await FollowUp.all() if START <= f.opened_on <= END and ours(f)]
    closed = [f for f in follow if f.status.value == "closed"]
    explained = sum(f.reply_kind is not None and f.reply_kind.value == "explained" for f in closed)
    rectified = sum(f.reply_kind is not None and f.reply_kind.value == "rectified" for f in closed)
    return {
        "tickets": sum(t.transferred_from_id is None for t in tickets),
        "cases": len(cases),
        "on_time_rate": share(sum(c.decided_on <= c.deadline_on for c in decided), len(decided)),
        "wait_minutes_p50": minute_rank(waits, 50),
        "wait_minutes_p90": minute_rank(waits, 90),
        "service_minutes_p50": minute_rank(services, 50),
        "service_minutes_p90": minute_rank(services, 90),
        "no_show_rate": share(sum(t.status.value == "no_show" for t in called), len(called)),
        "satisfaction_rate": share(sum(e.level >= 4 for e in rated), len(rated)),
        "evaluations": len(rated),
        "bad_ratings": sum(e.level <= 2 for e in rated),
        "rectification_rate": share(rectified, len(follow) - explained),
    }


async def test_the_month_matches_the_raw_rows(
    client: httpx.AsyncClient, month: dict[str, Any]
) -> None:
    params = {"from": START.isoformat(), "to": END.isoformat()}
    with frozen(TODAY):
        r = await client.get(f"{API}/statistics/service", params=params, headers=month["official"])
    assert r.status_code == 200, r.text
    got, want = r.json(), await expected(None)
    assert want["tickets"] > 300
    assert want["evaluations"] > 50
    assert want["bad_ratings"] > 0
    assert {k: got[k] for k in want} == want
    for key in ("on_time_rate", "no_show_rate", "satisfaction_rate", "rectification_rate"):
        assert 0 <= got[key] <= 1


async def test_one_point_and_the_supervisors_own(
    client: httpx.AsyncClient, month: dict[str, Any]
) -> None:
    dx = await ServicePoint.get(code="DX-BIO")
    params = {"from": START.isoformat(), "to": END.isoformat()}
    with frozen(TODAY):
        official = await client.get(
            f"{API}/statistics/service",
            params={**params, "service_point": "DX-BIO"},
            headers=month["official"],
        )
        own = await client.get(
            f"{API}/statistics/service", params=params, headers=month["supervisor"]
        )
        other = await client.get(
            f"{API}/statistics/service",
            params={**params, "service_point": "HD-AI"},
            headers=month["supervisor"],
        )
    want = await expected(dx.id)
    assert {k: official.json()[k] for k in want} == want
    assert own.json() == official.json()
    assert other.status_code == 403


async def test_nothing_to_divide_is_null_and_bad_ranges_are_422(
    client: httpx.AsyncClient, month: dict[str, Any]
) -> None:
    empty = await client.get(
        f"{API}/statistics/service",
        params={"from": "2020-01-01", "to": "2020-01-31"},
        headers=month["official"],
    )
    body = empty.json()
    assert (body["tickets"], body["evaluations"]) == (0, 0)
    assert body["on_time_rate"] is None
    assert body["satisfaction_rate"] is None
    assert body["wait_minutes_p50"] is None
    for params in (
        {"from": "2026-10-31", "to": "2026-10-01"},
        {"from": "2026-13-01"},
        {"from": "2020-01-01", "to": "2026-01-01"},
    ):
        r = await client.get(f"{API}/statistics/service", params=params, headers=month["official"])
        assert r.status_code == 422, (params, r.text)
    unknown = await client.get(
        f"{API}/statistics/service", params={"service_point": "NOPE"}, headers=month["official"]
    )
    assert unknown.status_code == 404
    clerk = await login(client, "c-hd")
    assert (await client.get(f"{API}/statistics/service", headers=clerk)).status_code == 403


async def test_details_and_exports(client: httpx.AsyncClient, month: dict[str, Any]) -> None:
    params = {"from": START.isoformat(), "to": END.isoformat()}
    with frozen(TODAY):
        details = await client.get(
            f"{API}/statistics/service/details", params=params, headers=month["official"]
        )
    body = details.json()
    assert set(body["tables"]) >= {
        "points",
        "matters",
        "days",
        "hours",
        "windows",
        "clerks",
        "cases",
    }
    days = body["tables"]["days"]["rows"]
    assert len(days) == 31
    assert days[0]["day"] == "2026-10-01"
    assert sum(d["tickets"] for d in days) == body["summary"]["tickets"]
    assert sum(p["tickets"] for p in body["tables"]["points"]["rows"]) == body["summary"]["tickets"]
    assert body["previous"]["tickets"] > 0  # September's last days
    clerks = {row["clerk"] for row in body["tables"]["clerks"]["rows"]}
    assert clerks == {"c-hd", "c-hd2", "c-dx", "boss-dx"}  # a supervisor serves too
    xlsx = await client.get(
        f"{API}/statistics/service/export.xlsx", params=params, headers=month["official"]
    )
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"
    csv = await client.get(
        f"{API}/statistics/service/export.csv",
        params={**params, "table": "points"},
        headers=month["official"],
    )
    assert csv.text.lstrip("\ufeff").startswith("服务点,取号量")
    assert (
        await client.get(f"{API}/statistics/service/export.pdf", headers=month["official"])
    ).status_code == 404


def test_nearest_rank_is_what_the_tests_compare_with() -> None:
    assert nearest_rank([1, 2, 3, 4], 50) == 2
    assert nearest_rank([1, 2, 3, 4, 5], 90) == 5
    assert math.isclose(nearest_rank(list(range(1, 11)), 90) or 0, 9)
    assert WorkCalendar().is_working(date(2026, 10, 10))
