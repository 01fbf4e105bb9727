"""The administration API: set up, change, retire; duplicates, bad references, audit."""

from __future__ import annotations

import httpx

from servicedesk.audit.models import AuditEntry
from tests.admin.park import API, MATTERS, bootstrap_admin
from tests.factories import PASSWORD, kiosk_headers, login


async def _point(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    r = await client.post(
        f"{API}/admin/service-points",
        json={"code": "P1", "name": "一号站", "district": "海淀区", "focus_industries": ["ai"]},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    for code in "AB":
        r = await client.post(
            f"{API}/admin/service-points/P1/queues",
            json={"code": code, "name": f"队列{code}"},
            headers=admin,
        )
        assert r.status_code == 201, r.text


async def test_point_queues_and_windows_show_as_the_public_api_does(
    client: httpx.AsyncClient,
) -> None:
    admin = await bootstrap_admin(client)
    await _point(client, admin)
    for code, queues in (("P1-W1", ["A"]), ("P1-W2", ["A", "B"])):
        r = await client.post(
            f"{API}/admin/service-points/P1/windows",
            json={"code": code, "queues": queues},
            headers=admin,
        )
        assert r.status_code == 201, r.text
    assert r.json() == {"code": "P1-W2", "name": "2号窗口", "queues": ["A", "B"]}
    point = (await client.get(f"{API}/service-points/P1")).json()
    assert point["windows"] == [
        {"code": "P1-W1", "name": "1号窗口", "queues": ["A"]},
        {"code": "P1-W2", "name": "2号窗口", "queues": ["A", "B"]},
    ]
    assert [q["code"] for q in point["queues"]] == ["A", "B"]


async def test_duplicates_are_409_and_unknown_references_422(client: httpx.AsyncClient) -> None:
    admin = await bootstrap_admin(client)
    await _point(client, admin)
    again = await client.post(
        f"{API}/admin/service-points", json={"code": "P1", "name": "x"}, headers=admin
    )
    assert again.status_code == 409
    assert again.json()["error"] == "Conflict"
    unknown = await client.post(
        f"{API}/admin/service-points/P1/windows",
        json={"code": "W9", "queues": ["Z"]},
        headers=admin,
    )
    assert unknown.status_code == 422
    assert "Z" in unknown.json()["detail"]
    ghost = await client.post(
        f"{API}/admin/service-points",
        json={"code": "P2", "name": "x", "incubator_code": "NOPE"},
        headers=admin,
    )
    assert ghost.status_code == 422
    assert (await client.get(f"{API}/service-points/P2")).status_code == 404
    bad_offer = await client.put(
        f"{API}/admin/service-points/P1/offering",
        json={"matters": [{"matter_code": "NOPE", "queue": "A"}]},
        headers=admin,
    )
    assert bad_offer.status_code == 422
    assert "matters[0]" in bad_offer.json()["detail"]


async def test_matter_limits_and_retirement(client: httpx.AsyncClient) -> None:
    admin = await bootstrap_admin(client)
    await _point(client, admin)
    wrong = {**MATTERS[0], "promised_days": 90}
    r = await client.post(f"{API}/admin/matters", json=wrong, headers=admin)
    assert r.status_code == 422
    assert "promised_days" in r.json()["detail"]
    r = await client.post(f"{API}/admin/matters", json=MATTERS[0], headers=admin)
    assert r.status_code == 201, r.text
    assert r.json()["inspection_applies"] is True
    assert (
        await client.post(f"{API}/admin/matters", json=MATTERS[0], headers=admin)
    ).status_code == 409
    r = await client.put(
        f"{API}/admin/service-points/P1/offering",
        json={"matters": [{"matter_code": "HTE", "queue": "B"}]},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    assert [m["code"] for m in r.json()] == ["HTE"]
    assert [m["queue"] for m in r.json()] == ["B"]
    # A queue serving a matter cannot be retired; the matter can, and leaves the kiosk.
    r = await client.patch(
        f"{API}/admin/service-points/P1/queues/B", json={"active": False}, headers=admin
    )
    assert r.status_code == 409
    r = await client.patch(f"{API}/admin/matters/HTE", json={"active": False}, headers=admin)
    assert r.status_code == 200
    assert r.json()["active"] is False
    assert (await client.get(f"{API}/service-points/P1/matters")).json() == []
    actions = await AuditEntry.filter(action__startswith="admin.").values_list("action", flat=True)
    assert "admin.matter.update" in actions
    entry = await AuditEntry.filter(action="admin.matter.update").first()
    assert entry is not None
    assert entry.before is not None
    assert entry.after is not None
    assert entry.before["active"] is True
    assert entry.after["active"] is False


async def test_deactivated_user_and_revoked_kiosk_stop_at_once(client: httpx.AsyncClient) -> None:
    admin = await bootstrap_admin(client)
    await _point(client, admin)
    r = await client.post(
        f"{API}/admin/users",
        json={"username": "c1", "role": "clerk", "password": PASSWORD, "service_point": "P1"},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    clerk = await login(client, "c1")
    assert (await client.get(f"{API}/auth/me", headers=clerk)).status_code == 200
    r = await client.post(f"{API}/admin/users/c1/deactivate", headers=admin)
    assert r.status_code == 200
    assert r.json()["is_active"] is False
    assert (await client.get(f"{API}/auth/me", headers=clerk)).status_code == 401
    r = await client.post(f"{API}/auth/token", json={"username": "c1", "password": PASSWORD})
    assert r.status_code == 401
    r = await client.post(f"{API}/admin/kiosks", json={"service_point": "P1"}, headers=admin)
    assert r.status_code == 201, r.text
    kiosk = {"Authorization": f"Bearer {r.json()['token']}"}
    ticket = {"matter_code": "NOPE"}
    assert (
        await client.post(f"{API}/service-points/P1/tickets", json=ticket, headers=kiosk)
    ).status_code == 404
    r = await client.post(f"{API}/admin/kiosks/{r.json()['id']}/revoke", headers=admin)
    assert r.status_code == 200
    assert r.json()["revoked"] is True
    after = await client.post(f"{API}/service-points/P1/tickets", json=ticket, headers=kiosk)
    assert after.status_code == 401


async def test_a_change_of_role_ends_the_users_sessions_at_once(
    client: httpx.AsyncClient,
) -> None:
    admin = await bootstrap_admin(client)
    await _point(client, admin)
    r = await client.post(
        f"{API}/admin/users",
        json={"username": "c1", "role": "clerk", "password": PASSWORD, "service_point": "P1"},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    clerk = await login(client, "c1")
    assert (await client.get(f"{API}/auth/me", headers=clerk)).json()["role"] == "clerk"
    r = await client.patch(f"{API}/admin/users/c1", json={"role": "official"}, headers=admin)
    assert r.status_code == 200, r.text
    assert (await client.get(f"{API}/auth/me", headers=clerk)).status_code == 401


async def test_only_admins_reach_administration(client: httpx.AsyncClient) -> None:
    admin = await bootstrap_admin(client)
    await _point(client, admin)
    kiosk = await kiosk_headers(service_point="P1")
    assert (await client.get(f"{API}/admin/users", headers=kiosk)).status_code == 403
    assert (await client.get(f"{API}/admin/users")).status_code == 401
    unknown_user = await client.post(
        f"{API}/admin/users",
        json={"username": "x", "role": "clerk", "password": PASSWORD, "service_point": "NOPE"},
        headers=admin,
    )
    assert unknown_user.status_code == 422


async def test_the_admin_api_creates_a_supervisor_of_a_point(client: httpx.AsyncClient) -> None:
    admin = await bootstrap_admin(client)
    await _point(client, admin)
    body = {"username": "s1", "role": "supervisor", "password": PASSWORD}
    pointless = await client.post(f"{API}/admin/users", json=body, headers=admin)
    assert pointless.status_code == 422, pointless.text
    r = await client.post(f"{API}/admin/users", json={**body, "service_point": "P1"}, headers=admin)
    assert r.status_code == 201, r.text
    assert (r.json()["role"], r.json()["service_point"]) == ("supervisor", "P1")
    moved = await client.patch(f"{API}/admin/users/s1", json={"service_point": None}, headers=admin)
    assert moved.status_code == 422, moved.text
    me = await client.get(f"{API}/auth/me", headers=await login(client, "s1"))
    assert me.json()["role"] == "supervisor"


async def test_materials_sent_without_core_are_core_as_when_created(
    client: httpx.AsyncClient,
) -> None:
    admin = await bootstrap_admin(client)
    r = await client.post(f"{API}/admin/matters", json=MATTERS[0], headers=admin)
    assert r.status_code == 201, r.text
    materials = [{"code": "form", "name": "申请表"}]  # core left out: true by default
    r = await client.patch(f"{API}/admin/matters/HTE", json={"materials": materials}, headers=admin)
    assert r.status_code == 200, r.text
    assert [(m["code"], m["core"]) for m in r.json()["materials"]] == [("form", True)]
