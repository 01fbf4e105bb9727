"""Indicator reports by form and CSV: every bad row named, nothing half-imported."""

from __future__ import annotations

from datetime import date

import httpx

from servicedesk.incubators import service as incubators
from servicedesk.incubators.models import IndicatorValue
from tests.factories import login, make_catalogue, make_incubator, make_uscc, make_user

CSV_HEADER = "period,mentors_per_100_firms,firms_incubated,high_tech_firms,financing_raised\n"


async def _operator(client: httpx.AsyncClient) -> dict[str, str]:
    await make_catalogue()
    await make_incubator()
    await make_user(username="inc", role="incubator")
    return await login(client, "inc")


async def test_csv_with_bad_rows_is_rejected_whole(client: httpx.AsyncClient) -> None:
    headers = await _operator(client)
    before = await IndicatorValue.all().count()
    text = CSV_HEADER + ("2026-Q1,8,40,3,12.5\n2026-Q5,8,40,3,1\n2026-Q2,eight,-3,3,1\n")
    r = await client.post(
        "/api/v1/incubators/INC-HD-001/indicators.csv",
        content=text.encode(),
        headers={**headers, "Content-Type": "text/csv"},
    )
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "InvalidInput"
    assert {e["row"] for e in body["rows"]} == {3, 4}
    assert "eight" in body["detail"]
    assert "row 4" in body["detail"]
    assert await IndicatorValue.all().count() == before


async def test_good_csv_and_form_are_stored(client: httpx.AsyncClient) -> None:
    headers = await _operator(client)
    text = CSV_HEADER + "2026-Q1,8,40,3,12.5\n2026-Q2,9,42,,13\n"
    r = await client.post(
        "/api/v1/incubators/INC-HD-001/indicators.csv",
        content=text.encode(),
        headers={**headers, "Content-Type": "text/csv"},
    )
    assert r.status_code == 201
    assert r.json() == {"stored": 7}
    r = await client.post(
        "/api/v1/incubators/INC-HD-001/indicators",
        headers=headers,
        json={"rows": [{"period": "2026-Q3", "firms_incubated": 45}]},
    )
    assert r.status_code == 201
    history = (await client.get("/api/v1/incubators/INC-HD-001/indicators", headers=headers)).json()
    assert [h["period"] for h in history][-3:] == ["2026-Q1", "2026-Q2", "2026-Q3"]
    assert history[-1]["values"] == {"firms_incubated": 45.0}


async def test_unknown_column_and_other_incubator_are_refused(client: httpx.AsyncClient) -> None:
    headers = await _operator(client)
    await make_incubator(code="INC-DX-001")
    r = await client.post(
        "/api/v1/incubators/INC-HD-001/indicators.csv",
        headers=headers,
        content=b"period,violations\n2026-Q1,0\n",
    )
    assert r.status_code == 422
    assert "violations" in r.json()["detail"]
    r = await client.post(
        "/api/v1/incubators/INC-DX-001/indicators",
        headers=headers,
        json={"rows": [{"period": "2026-Q3", "firms_incubated": 45}]},
    )
    assert r.status_code == 403
    assert r.json()["error"] == "Forbidden"
    assert not await IndicatorValue.exists(period="2026-Q3", name="firms_incubated")


async def test_firms_are_shown_to_that_incubator_and_officials(client: httpx.AsyncClient) -> None:
    headers = await _operator(client)
    inc = await incubators.get("INC-HD-001")
    await incubators.register_firm(inc, uscc=make_uscc(3), name="甲公司", since=date(2024, 1, 2))
    await incubators.register_firm(
        inc,
        uscc=make_uscc(4),
        name="乙公司",
        since=date(2022, 5, 1),
        graduated_on=date(2025, 12, 31),
    )
    r = await client.get("/api/v1/incubators/INC-HD-001/firms", headers=headers)
    assert r.status_code == 200
    assert {(f["name"], f["status"], f["since"]) for f in r.json()} == {
        ("甲公司", "incubated", "2024-01-02"),
        ("乙公司", "graduated", "2022-05-01"),
    }
    await make_incubator(code="INC-DX-001")
    denied = await client.get("/api/v1/incubators/INC-DX-001/firms", headers=headers)
    assert denied.status_code == 403
    assert denied.json()["error"] == "Forbidden"
    await make_user(username="li", role="official")
    official = await login(client, "li")
    assert (
        await client.get("/api/v1/incubators/INC-DX-001/firms", headers=official)
    ).status_code == 200
    assert (await client.get("/api/v1/incubators/INC-HD-001/firms")).status_code == 401
