"""Missing data is never a silent D: neutral points for a few missing indicators,
named on the rating; too many missing and the incubator is not rated."""

from __future__ import annotations

from datetime import date

import httpx

from servicedesk.timeutil import beijing, frozen
from tests.admin.park import API, Park, set_up_park
from tests.factories import GOOD, make_uscc, make_user

REPORTED_GOOD = {
    k: GOOD[k]
    for k in ("mentors_per_100_firms", "firms_incubated", "high_tech_firms", "financing_raised")
}


async def _report(
    park: Park, who: str, code: str, period: str, at: date, values: dict[str, float]
) -> None:
    with frozen(beijing(at.year, at.month, at.day)):
        await park.relogin(who)
        await park.post(
            f"/incubators/{code}/indicators", {"rows": [{"period": period, **values}]}, who=who
        )


async def _run(park: Park, period: str) -> dict[str, object]:
    with frozen(beijing(2026, 1, 20)):
        await park.relogin("off-1")
        r = await park.client.post(
            f"{API}/rating-runs", json={"period": period}, headers=park.headers["off-1"]
        )
    assert r.status_code == 201, r.text
    data: dict[str, object] = r.json()
    return data


async def test_a_park_set_up_through_admin_with_good_records_reaches_a(
    client: httpx.AsyncClient,
) -> None:
    with frozen(beijing(2025, 3, 1)):
        park = await set_up_park(client)
        for serial in range(4, 11):
            await park.post(
                "/incubators/INC-NEW/firms",
                {
                    "uscc": make_uscc(900 + serial),
                    "name": f"企业{serial}",
                    "joined_on": "2025-02-01",
                },
                who="op-new",
            )
    for period, day in (
        ("2025-Q1", date(2025, 4, 8)),
        ("2025-Q2", date(2025, 7, 9)),
        ("2025-Q3", date(2025, 10, 10)),
        ("2025-Q4", date(2026, 1, 12)),
    ):
        await _report(park, "op-new", "INC-NEW", period, day, REPORTED_GOOD)
    with frozen(beijing(2025, 11, 2)):
        await park.relogin("op-new")
        for uscc in park.firms:  # 3 of 10 graduate: 30 %
            await park.post(
                f"/incubators/INC-NEW/firms/{uscc}/graduate",
                {"on": "2025-11-01"},
                who="op-new",
                status=200,
            )
    run = await _run(park, "2025-Q4")
    (rating,) = run["ratings"]  # type: ignore[misc]
    assert rating["incubator_code"] == "INC-NEW"
    assert rating["missing"] == ["window_satisfaction", "spot_check_pass_rate"]
    assert rating["grade"] == "A"
    assert rating["score"] == 90.0


async def test_missing_indicators_are_named_and_too_many_leave_it_unrated(
    client: httpx.AsyncClient,
) -> None:
    with frozen(beijing(2025, 3, 1)):
        park = await set_up_park(client)
        for code in ("INC-B", "INC-C"):
            await park.post(
                "/admin/incubators",
                {"code": code, "name": code, "level": "district", "district": "昌平区"},
            )
    # B reports once, late, and has no firms: three indicators missing, one poor.
    await make_user(username="op-b", role="incubator", incubator="INC-B")
    await make_user(username="op-c", role="incubator", incubator="INC-C")
    await _report(park, "op-b", "INC-B", "2025-Q4", date(2026, 1, 18), REPORTED_GOOD)
    await _report(
        park, "op-c", "INC-C", "2025-Q4", date(2026, 1, 12), {"mentors_per_100_firms": 12}
    )
    run = await _run(park, "2025-Q4")
    ratings = {r["incubator_code"]: r for r in run["ratings"]}  # type: ignore[attr-defined]
    b = ratings["INC-B"]
    assert b["missing"] == ["graduation_rate", "window_satisfaction", "spot_check_pass_rate"]
    assert b["grade"] == "B"  # 74 points: neutral for the three, 0 for the late report
    assert b["score"] == 74.0
    skipped = {s["incubator_code"]: s["reason"] for s in run["skipped"]}  # type: ignore[attr-defined]
    assert "INC-C" not in ratings
    assert "not rated" in skipped["INC-C"]
    assert "high_tech_firms" in skipped["INC-C"]
