"""GET and POST /policy: officials read the policy in force and save new versions."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import login, make_catalogue, make_user

BODY: dict[str, Any] = {
    "waiver_grades": ["A", "B"],
    "spot_check_rates": {"A": 0.05, "B": 0.1},
    "quota_per_period": 10,
    "waivable_matters": ["HTE-CERT", "POLICY-MUNI"],
}


async def _official(client: httpx.AsyncClient, name: str = "li") -> dict[str, str]:
    await make_user(username=name, role="official")
    return await login(client, name)


async def test_a_version_is_in_force_once_a_second_official_confirms_it(
    client: httpx.AsyncClient,
) -> None:
    await make_catalogue()
    li, wang = await _official(client), await _official(client, "wang")
    r = await client.get("/api/v1/policy", headers=li)
    assert r.status_code == 200
    assert r.json()["version"] == 0
    r = await client.post("/api/v1/policy", json=BODY, headers=li)
    assert r.status_code == 201, r.text
    proposed = r.json()
    assert (proposed["version"], proposed["status"]) == (1, "proposed")
    assert proposed["spot_check_rates"] == {"A": 0.05, "B": 0.1, "C": 0.6, "D": 1.0}
    assert proposed["graduate_window_days"] == 365
    assert proposed["recommendation_valid_days"] == 90
    assert proposed["created_by"] == "official:li"
    assert "draw_seed" not in proposed
    assert (await client.get("/api/v1/policy", headers=li)).json()["version"] == 0  # not yet
    alone = await client.post("/api/v1/policy/1/confirm", headers=li)
    assert alone.status_code == 403
    assert alone.json()["error"] == "FourEyesRequired"
    confirmed = await client.post("/api/v1/policy/1/confirm", headers=wang)
    assert confirmed.status_code == 200, confirmed.text
    assert (confirmed.json()["status"], confirmed.json()["confirmed_by"]) == (
        "confirmed",
        "official:wang",
    )
    assert (await client.post("/api/v1/policy/1/confirm", headers=wang)).status_code == 409
    r = await client.post(
        "/api/v1/policy", json={**BODY, "waiver_grades": ["A"], "note": "A only"}, headers=wang
    )
    assert r.status_code == 201
    assert (await client.post("/api/v1/policy/2/withdraw", headers=wang)).status_code == 200
    assert (await client.post("/api/v1/policy/2/confirm", headers=li)).status_code == 409
    current = (await client.get("/api/v1/policy", headers=li)).json()
    assert (current["version"], current["waiver_grades"]) == (1, ["A", "B"])
    listed = (await client.get("/api/v1/policy/versions", headers=li)).json()
    assert [(v["version"], v["status"]) for v in listed] == [(2, "withdrawn"), (1, "confirmed")]


@pytest.mark.parametrize(("role", "status"), [("clerk", 403), ("incubator", 403), ("admin", 201)])
async def test_only_officials_and_admins_may_set_policy(
    client: httpx.AsyncClient, role: str, status: int
) -> None:
    await make_catalogue()
    await make_user(username="someone", role=role)
    headers = await login(client, "someone")
    r = await client.post("/api/v1/policy", json=BODY, headers=headers)
    assert r.status_code == status, r.text
    r = await client.get("/api/v1/policy", headers=headers)
    assert r.status_code == (200 if status == 201 else status)


async def test_anonymous_may_neither_read_nor_set_policy(client: httpx.AsyncClient) -> None:
    await make_catalogue()
    assert (await client.get("/api/v1/policy")).status_code == 401
    r = await client.post("/api/v1/policy", json=BODY)
    assert r.status_code == 401
    assert r.json()["error"] == "NotAuthenticated"


@pytest.mark.parametrize(
    ("changes", "error", "named"),
    [
        ({"waiver_grades": ["A", "E"]}, "ValidationError", "waiver_grades"),
        ({"waiver_grades": [""]}, "ValidationError", "waiver_grades"),
        ({"spot_check_rates": {"A": 2}}, "ValidationError", "spot_check_rates"),
        ({"spot_check_rates": {"Z": 0.5}}, "ValidationError", "spot_check_rates"),
        ({"waivable_matters": ["TECH-SME"]}, "InvalidInput", "TECH-SME"),
        ({"quota_per_period": -1}, "ValidationError", "quota_per_period"),
        ({"surprise": True}, "ValidationError", "surprise"),
    ],
)
async def test_bad_policy_is_422_naming_the_fault_and_no_version_is_made(
    client: httpx.AsyncClient, changes: dict[str, Any], error: str, named: str
) -> None:
    await make_catalogue()
    li = await _official(client)
    r = await client.post("/api/v1/policy", json={**BODY, **changes}, headers=li)
    assert r.status_code == 422, r.text
    assert r.json()["error"] == error
    assert named in r.json()["detail"]
    assert (await client.get("/api/v1/policy/versions", headers=li)).json() == []
