"""Recommendation codes: short, random, case-insensitive; a wrong one never says whose."""

from __future__ import annotations

import httpx

from tests.factories import case_body, kiosk_headers, make_uscc, make_world


async def test_a_case_carries_its_recommendation_by_code(client: httpx.AsyncClient) -> None:
    world = await make_world(client)
    await world.publish()
    r = await client.post(
        "/api/v1/recommendations",
        headers=world.incubator,
        json={"firm_uscc": world.firm_uscc, "matter_code": "HTE-CERT"},
    )
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    assert len(code) == 8
    kiosk = await kiosk_headers()
    body = case_body(uscc=world.firm_uscc, recommendation_code=code.lower())
    body["firm"]["name"] = ""  # the registry knows the firm: nobody types its name
    r = await client.post("/api/v1/cases", json=body, headers=kiosk)
    assert r.status_code == 201, r.text
    assert r.json()["firm"]["name"] == "北京推荐科技有限公司"
    assert r.json()["recommendation_id"] is not None
    accepted = await client.post(
        f"/api/v1/cases/{r.json()['case_no']}/accept", headers=world.clerk, json={}
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["inspection"] == "waived"


async def test_a_wrong_code_or_someone_elses_is_422_without_naming_anyone(
    client: httpx.AsyncClient,
) -> None:
    world = await make_world(client)
    rec_id = await world.recommend()
    other = make_uscc(555)
    for extra in ({"recommendation_code": "ZZZZZZZZ"}, {"recommendation_id": rec_id}):
        r = await client.post(
            "/api/v1/cases", json=case_body(uscc=other, **extra), headers=world.clerk
        )
        assert r.status_code == 422, r.text
        assert world.firm_uscc not in r.text
        assert "INC-HD-001" not in r.text
    unknown = await client.post(
        "/api/v1/cases", json=case_body(uscc=make_uscc(556), name=""), headers=world.clerk
    )
    assert unknown.status_code == 422
    assert unknown.json()["field"] == "firm.name"
