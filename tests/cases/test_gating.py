"""Who may do what: roles, service points and kiosks."""

from __future__ import annotations

import httpx
import pytest

from servicedesk.cases.models import Case
from tests.factories import (
    case_body,
    clerk_headers,
    kiosk_headers,
    login,
    make_catalogue,
    make_user,
    submit_case,
)

API = "/api/v1"


@pytest.fixture
async def clerk(client: httpx.AsyncClient) -> dict[str, str]:
    await make_catalogue()
    return await clerk_headers(client)


async def test_kiosk_submits_but_cannot_accept(
    client: httpx.AsyncClient, clerk: dict[str, str]
) -> None:
    kiosk = await kiosk_headers()
    case = await submit_case(client, kiosk)
    denied = await client.post(f"{API}/cases/{case['case_no']}/accept", headers=kiosk)
    assert denied.status_code == 403
    assert denied.json()["error"] == "Forbidden"
    assert (
        await client.post(f"{API}/cases/{case['case_no']}/accept", headers=clerk)
    ).status_code == 200


@pytest.mark.usefixtures("clerk")
async def test_kiosk_of_another_point_cannot_submit_here(client: httpx.AsyncClient) -> None:
    kiosk = await kiosk_headers(service_point="DX-BIO")
    response = await client.post(f"{API}/cases", json=case_body(), headers=kiosk)
    assert response.status_code == 403
    assert "HD-AI" in response.json()["detail"]


async def test_clerk_of_another_point_cannot_act(
    client: httpx.AsyncClient, clerk: dict[str, str]
) -> None:
    case = await submit_case(client, clerk)
    other = await clerk_headers(client, username="clerk-dx", service_point="DX-BIO")
    for action in ("accept", "return"):
        response = await client.post(f"{API}/cases/{case['case_no']}/{action}", headers=other)
        missing = await client.post(f"{API}/cases/HD-AI-20990101-0001/{action}", headers=other)
        # The same answer as for a case that does not exist: no probing of other points.
        assert response.status_code == missing.status_code == 404
        assert response.json()["detail"].replace(case["case_no"], "X") == missing.json()[
            "detail"
        ].replace("HD-AI-20990101-0001", "X")
    listed = (await client.get(f"{API}/cases", headers=other)).json()
    assert listed == []


async def test_other_roles_and_anonymous_are_refused(
    client: httpx.AsyncClient, clerk: dict[str, str]
) -> None:
    case = await submit_case(client, clerk)
    await make_user(username="off", role="official", service_point=None)
    official = await login(client, "off")
    denied = await client.post(f"{API}/cases", json=case_body(), headers=official)
    assert denied.status_code == 403
    assert denied.json()["error"] == "Forbidden"
    assert await Case.all().count() == 1
    denied = await client.post(f"{API}/cases/{case['case_no']}/accept", headers=official)
    assert denied.status_code == 403
    assert denied.json()["error"] == "Forbidden"
    assert (await Case.get(case_no=case["case_no"])).status == "submitted"
    anonymous = await client.post(f"{API}/cases/{case['case_no']}/accept")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"] == "NotAuthenticated"
    forged = await client.post(
        f"{API}/cases/{case['case_no']}/accept", headers={"Authorization": "Bearer forged"}
    )
    assert forged.status_code == 401
