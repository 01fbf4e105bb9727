from __future__ import annotations

import httpx

from tests.factories import clerk_headers, make_catalogue, submit_case


async def test_submit_and_accept(client: httpx.AsyncClient) -> None:
    await make_catalogue()
    headers = await clerk_headers(client)
    case = await submit_case(client, headers)
    assert case["status"] == "submitted"
    r = await client.post(f"/api/v1/cases/{case['case_no']}/accept", headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "accepted"
    assert r.json()["deadline"]
