"""A park set up through the administration API alone serves a full working day.

From an empty database: a point with two windows serving overlapping queues, three
matters with materials, an incubator and its firms (``tests.admin.park``); a year of
the incubator's reports and a published rating. Then, on Monday 2 March 2026: tickets
taken and called by window, a case returned with one notice and accepted after it is
answered, a case accepted with deficiency whose supplement falls overdue, and a
recommended case whose on-site inspection is waived.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from servicedesk.timeutil import beijing, frozen
from tests.admin.park import API, Park, set_up_park
from tests.factories import GOOD, make_uscc

REPORTED = {
    k: GOOD[k]
    for k in ("mentors_per_100_firms", "firms_incubated", "high_tech_firms", "financing_raised")
}
REPORTS = (
    ("2025-Q1", date(2025, 4, 8)),
    ("2025-Q2", date(2025, 7, 9)),
    ("2025-Q3", date(2025, 10, 10)),
    ("2025-Q4", date(2026, 1, 12)),
)


async def _a_year_of_good_records(park: Park) -> None:
    """Ten firms, four punctual quarterly reports, three graduations."""
    with frozen(beijing(2025, 3, 1)):
        for serial in range(4, 11):
            firm = {
                "uscc": make_uscc(900 + serial),
                "name": f"企业{serial}",
                "joined_on": "2025-02-01",
            }
            await park.post("/incubators/INC-NEW/firms", firm, who="op-new")
    for period, day in REPORTS:
        with frozen(beijing(day.year, day.month, day.day)):
            await park.relogin("op-new")
            rows = {"rows": [{"period": period, **REPORTED}]}
            await park.post("/incubators/INC-NEW/indicators", rows, who="op-new")
    with frozen(beijing(2025, 11, 2)):
        await park.relogin("op-new")
        for uscc in park.firms:
            graduated = {"on": "2025-11-01"}
            path = f"/incubators/INC-NEW/firms/{uscc}/graduate"
            await park.post(path, graduated, who="op-new", status=200)


async def _publish_rating(park: Park) -> None:
    """Two officials: one reviews the run, the other confirms, the first publishes."""
    with frozen(beijing(2026, 1, 20)):
        await park.relogin("off-1", "off-2")
        run = await park.post("/rating-runs", {"period": "2025-Q4"}, who="off-1")
        (rating,) = run["ratings"]
        assert rating["grade"] == "A", rating
        review = {"decision": "approve"}
        await park.post(f"/ratings/{rating['id']}/review", review, who="off-1", status=200)
        await park.post(f"/ratings/{rating['id']}/confirm", {}, who="off-2", status=200)
        await park.post(f"/rating-runs/{run['id']}/publish", {}, who="off-1", status=200)
        policy = {
            "waiver_grades": ["A"],
            "spot_check_rates": {"A": 0.0, "B": 0.2, "C": 0.6, "D": 1.0},
            "quota_per_period": 20,
            "waivable_matters": ["HTE"],
        }
        await park.post("/policy", policy, who="off-1")


async def _call(park: Park, window: str) -> dict[str, Any]:
    r = await park.client.post(
        f"{API}/windows/{window}/call-next", headers=park.headers["clerk-new"]
    )
    assert r.status_code == 200, r.text
    ticket: dict[str, Any] = r.json()
    for step in ("start", "complete"):
        await park.post(f"/tickets/{ticket['id']}/{step}", {}, who="clerk-new", status=200)
    return ticket


async def _tickets(park: Park) -> None:
    """Windows call from the queues they serve, oldest first; the board names them."""
    taken = []
    for matter in ("REG", "HTE", "TALENT", "HTE"):
        taken.append(
            await park.post("/service-points/NEW/tickets", {"matter_code": matter}, who="kiosk")
        )
    assert [t["ticket_no"][0] for t in taken] == ["A", "B", "A", "B"]
    talent_window = await _call(park, "NEW-2")  # serves B only: skips the older A ticket
    assert talent_window["ticket_no"] == taken[1]["ticket_no"]
    assert (await _call(park, "NEW-1"))["ticket_no"] == taken[0]["ticket_no"]
    assert (await _call(park, "NEW-1"))["ticket_no"] == taken[2]["ticket_no"]
    assert (await _call(park, "NEW-2"))["ticket_no"] == taken[3]["ticket_no"]
    empty = await park.client.post(
        f"{API}/windows/NEW-2/call-next", headers=park.headers["clerk-new"]
    )
    assert empty.status_code == 204
    board = (await park.client.get(f"{API}/service-points/NEW/board")).json()
    assert {c["window_name"] for c in board["recent_calls"]} == {"1号窗口", "人才窗口"}


async def _case(park: Park, matter: str, materials: list[str], **extra: Any) -> dict[str, Any]:
    firm = {"uscc": extra.pop("uscc"), "name": ""}  # the registry knows the firm's name
    body = {"service_point": "NEW", "matter_code": matter, "firm": firm, "materials": materials}
    case: dict[str, Any] = await park.post("/cases", {**body, **extra}, who="kiosk")
    assert "企业" in case["firm"]["name"]
    return case


async def _returned_then_accepted(park: Park) -> str:
    case = await _case(park, "REG", ["license"], uscc=park.firms[0])
    no = case["case_no"]
    notice = {"items": [{"material_code": "license", "problem": "复印件不清晰"}]}
    returned = await park.post(f"/cases/{no}/return", notice, who="clerk-new", status=200)
    assert returned["status"] == "returned"
    assert {i["material_code"] for i in returned["notice"]["items"]} == {"license", "change_form"}
    again = {"materials": ["license", "change_form"]}
    await park.post(f"/cases/{no}/resubmit", again, who="clerk-new", status=200)
    accepted = await park.post(f"/cases/{no}/accept", {}, who="clerk-new", status=200)
    assert accepted["status"] == "accepted"
    return no


async def _accepted_with_deficiency(park: Park) -> str:
    case = await _case(park, "HTE", ["application", "license"], uscc=park.firms[1])
    accept = {"with_deficiency": True, "supplement_due": "2026-03-06"}
    no = case["case_no"]
    accepted = await park.post(f"/cases/{no}/accept", accept, who="clerk-new", status=200)
    assert accepted["status"] == "accepted_with_deficiency"
    assert accepted["owed_materials"] == ["roster"]
    assert accepted["clock_paused"] is True
    return no


async def _waived(park: Park) -> str:
    firm = make_uscc(904)
    rec = {"firm_uscc": firm, "matter_code": "HTE"}
    code = (await park.post("/recommendations", rec, who="op-new"))["code"]
    materials = ["application", "license", "roster"]
    case = await _case(park, "HTE", materials, uscc=firm, recommendation_code=code.lower())
    no = case["case_no"]
    accepted = await park.post(f"/cases/{no}/accept", {}, who="clerk-new", status=200)
    assert accepted["inspection"] == "waived"
    reasons = accepted["inspection_reasons"]
    assert reasons
    assert all(r["ok"] for r in reasons)
    return no


async def test_a_park_set_up_through_the_api_serves_a_full_day(client: httpx.AsyncClient) -> None:
    with frozen(beijing(2025, 3, 1)):
        park = await set_up_park(client)
    await _a_year_of_good_records(park)
    await _publish_rating(park)
    with frozen(beijing(2026, 3, 2, 9)):
        await park.relogin("admin", "clerk-new", "op-new", "off-1")
        await _tickets(park)
        returned = await _returned_then_accepted(park)
        deficient = await _accepted_with_deficiency(park)
        waived = await _waived(park)
    with frozen(beijing(2026, 3, 12, 9)):
        await park.relogin("clerk-new", "off-1")
        overdue = await park.client.get(
            f"{API}/cases/overdue", params={"kind": "supplement"}, headers=park.headers["off-1"]
        )
        assert [c["case_no"] for c in overdue.json()] == [deficient]
        (late,) = overdue.json()
        assert late["supplement_overdue"] is True
        assert late["clock_paused"] is False
        mine = await park.client.get(f"{API}/cases", headers=park.headers["clerk-new"])
        statuses = {c["case_no"]: c["status"] for c in mine.json()}
        assert statuses == {
            returned: "accepted",
            deficient: "accepted_with_deficiency",
            waived: "accepted",
        }
