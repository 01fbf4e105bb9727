"""Deficiency deadlines: a passed supplement_due ends the pause, marks the case, and
leaves the clerk a denial or one extension; officials see it on the overdue list."""

from __future__ import annotations

import httpx

from servicedesk.timeutil import beijing, frozen
from tests.factories import HTE_CORE, clerk_headers, login, make_catalogue, make_user, submit_case


async def test_supplement_overdue_resumes_the_clock_and_allows_one_extension(
    client: httpx.AsyncClient,
) -> None:
    await make_catalogue()
    with frozen(beijing(2026, 3, 2)):
        clerk = await clerk_headers(client)
        case = await submit_case(client, clerk, materials=HTE_CORE)
        no = case["case_no"]
        r = await client.post(
            f"/api/v1/cases/{no}/accept",
            json={"with_deficiency": True, "supplement_due": "2026-03-06"},
            headers=clerk,
        )
        assert r.status_code == 200, r.text
        paused_deadline = r.json()["deadline"]
        early = await client.post(
            f"/api/v1/cases/{no}/extend-supplement",
            json={"supplement_due": "2026-03-20"},
            headers=clerk,
        )
        assert early.status_code == 409
    with frozen(beijing(2026, 3, 12)):
        clerk = await login(client, "clerk1")
        await make_user(username="off", role="official")
        official = await login(client, "off")
        r = await client.get(f"/api/v1/cases/{no}", params={"query_code": case["query_code"]})
        late = r.json()
        assert late["supplement_overdue"] is True
        assert late["clock_paused"] is False
        assert late["deadline"] != paused_deadline  # the pause ended on 6 March
        assert "supplement_overdue" in [e["action"] for e in late["timeline"]]
        listed = await client.get(
            "/api/v1/cases/overdue", params={"kind": "supplement"}, headers=official
        )
        assert [c["case_no"] for c in listed.json()] == [no]
        client.cookies.set("sd_session", official["Authorization"][7:])
        page = await client.get("/officials/overdue.csv", params={"kind": "supplement"})
        client.cookies.clear()
        assert no in page.text
        too_late = await client.post(
            f"/api/v1/cases/{no}/extend-supplement",
            json={"supplement_due": "2026-12-31"},
            headers=clerk,
        )
        assert too_late.status_code == 422
        r = await client.post(
            f"/api/v1/cases/{no}/extend-supplement",
            json={"supplement_due": "2026-03-20"},
            headers=clerk,
        )
        assert r.status_code == 200, r.text
        assert r.json()["supplement_overdue"] is False
        assert r.json()["clock_paused"] is True
    with frozen(beijing(2026, 3, 23)):
        clerk = await login(client, "clerk1")
        again = await client.get(f"/api/v1/cases/{no}", params={"query_code": case["query_code"]})
        assert again.json()["supplement_overdue"] is True
        second = await client.post(
            f"/api/v1/cases/{no}/extend-supplement",
            json={"supplement_due": "2026-03-30"},
            headers=clerk,
        )
        assert second.status_code == 409  # one extension only
        denied = await client.post(
            f"/api/v1/cases/{no}/deny",
            json={"reason": "promised materials never arrived"},
            headers=clerk,
        )
        assert denied.status_code == 200, denied.text
        assert denied.json()["status"] == "denied"


async def test_a_deficient_case_cannot_be_denied_before_its_supplement_is_due(
    client: httpx.AsyncClient,
) -> None:
    await make_catalogue()
    clerk = await clerk_headers(client)
    case = await submit_case(client, clerk, materials=HTE_CORE)
    await client.post(f"/api/v1/cases/{case['case_no']}/accept", json={}, headers=clerk)
    r = await client.post(
        f"/api/v1/cases/{case['case_no']}/deny", json={"reason": "x"}, headers=clerk
    )
    assert r.status_code == 409


async def test_a_supervisor_sees_the_overdue_cases_of_their_own_point_only(
    client: httpx.AsyncClient,
) -> None:
    await make_catalogue()
    with frozen(beijing(2026, 3, 2)):
        clerk = await clerk_headers(client)
        case = await submit_case(client, clerk, materials=HTE_CORE)
        r = await client.post(
            f"/api/v1/cases/{case['case_no']}/accept",
            json={"with_deficiency": True, "supplement_due": "2026-03-06"},
            headers=clerk,
        )
        assert r.status_code == 200, r.text
    await make_user(username="boss", role="supervisor")
    await make_user(username="boss-dx", role="supervisor", service_point="DX-BIO")
    with frozen(beijing(2026, 3, 12)):
        own = await client.get("/api/v1/cases/overdue", headers=await login(client, "boss"))
        assert own.status_code == 200, own.text
        assert [c["case_no"] for c in own.json()] == [case["case_no"]]
        other = await login(client, "boss-dx")
        for params in ({}, {"service_point": "HD-AI"}):
            r = await client.get("/api/v1/cases/overdue", params=params, headers=other)
            assert r.status_code == 200, r.text
            assert r.json() == []
