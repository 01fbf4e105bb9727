"""Appointment slots: capacity held by the database, kiosk check-in, missed bookings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from servicedesk.timeutil import beijing_date, frozen, now
from tests.factories import make_uscc

API = "/api/v1"
# A slot two hours ahead: staff tokens issued now stay valid throughout.
NINE = (now() + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
DAY = beijing_date(NINE).isoformat()


async def open_slot(
    client: httpx.AsyncClient, hall: dict[str, Any], capacity: int = 1
) -> dict[str, Any]:
    r = await client.post(
        f"{API}/service-points/HD-AI/appointment-slots",
        headers=hall["clerk"],
        json={
            "queue": "B",
            "starts_at": NINE.isoformat(),
            "ends_at": (NINE + timedelta(minutes=30)).isoformat(),
            "capacity": capacity,
        },
    )
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


async def book(client: httpx.AsyncClient, slot: dict[str, Any], serial: int) -> httpx.Response:
    return await client.post(
        f"{API}/appointments",
        json={
            "slot_id": slot["id"],
            "firm": {"uscc": make_uscc(serial), "name": f"测试{serial}"},
            "matter_code": "HTE-CERT",
        },
    )


async def test_capacity_and_check_in_gives_priority(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    with frozen(NINE - timedelta(hours=1)):
        slot = await open_slot(client, hall, capacity=1)
        first = await book(client, slot, 1)
        assert first.status_code == 201, first.text
        full = await book(client, slot, 2)
        assert full.status_code == 409
        too_early = await client.post(
            f"{API}/service-points/HD-AI/appointments/{first.json()['code']}/check-in",
            headers=hall["kiosk"],
        )
        assert too_early.status_code == 409
    with frozen(NINE - timedelta(minutes=10)):
        walk_in = await client.post(
            f"{API}/service-points/HD-AI/tickets",
            json={"matter_code": "HTE-CERT"},
            headers=hall["kiosk"],
        )
        r = await client.post(
            f"{API}/service-points/HD-AI/appointments/{first.json()['code']}/check-in",
            headers=hall["kiosk"],
        )
        assert r.status_code == 201, r.text
        assert r.json()["priority"] == "appointment"
        assert r.json()["position"] == 1
        again = await client.post(
            f"{API}/service-points/HD-AI/appointments/{first.json()['code']}/check-in",
            headers=hall["kiosk"],
        )
        assert again.status_code == 409
        called = await client.post(f"{API}/windows/HD-AI-W1/call-next", headers=hall["clerk"])
        assert called.json()["id"] == r.json()["id"]
        assert called.json()["id"] != walk_in.json()["id"]


async def test_missed_appointment_frees_its_place(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    with frozen(NINE - timedelta(hours=1)):
        slot = await open_slot(client, hall, capacity=1)
        missed = await book(client, slot, 1)
        assert missed.status_code == 201
    with frozen(NINE + timedelta(minutes=20)):  # grace period of 15 minutes is over
        slots = (
            await client.get(f"{API}/service-points/HD-AI/appointment-slots", params={"day": DAY})
        ).json()
        assert slots[0]["available"] == 1
        late = await client.post(
            f"{API}/service-points/HD-AI/appointments/{missed.json()['code']}/check-in",
            headers=hall["kiosk"],
        )
        assert late.status_code == 409
        assert (await book(client, slot, 2)).status_code == 201


async def test_booking_checks_the_firm(client: httpx.AsyncClient, hall: dict[str, Any]) -> None:
    with frozen(NINE - timedelta(hours=1)):
        slot = await open_slot(client, hall)
        r = await client.post(
            f"{API}/appointments",
            json={"slot_id": slot["id"], "firm": {"uscc": "123", "name": "x"}},
        )
        assert r.status_code == 422
        assert r.json()["error"] == "InvalidInput"
        slots = (
            await client.get(f"{API}/service-points/HD-AI/appointment-slots", params={"day": DAY})
        ).json()
        assert slots[0]["booked"] == 0


async def test_catalogue_orders_by_ticket_demand_and_pins(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    from tests.factories import make_user

    before = [m["code"] for m in (await client.get(f"{API}/service-points/HD-AI/matters")).json()]
    last = before[-1]
    for _ in range(5):
        await client.post(
            f"{API}/service-points/HD-AI/tickets", json={"matter_code": last}, headers=hall["kiosk"]
        )
    after = [m["code"] for m in (await client.get(f"{API}/service-points/HD-AI/matters")).json()]
    assert after.index(last) < before.index(last)
    await make_user(username="official1", role="official")
    token = (
        await client.post(
            f"{API}/auth/token", json={"username": "official1", "password": "test-pass-123"}
        )
    ).json()["access_token"]
    official = {"Authorization": f"Bearer {token}"}
    r = await client.patch(
        f"{API}/service-points/HD-AI/matters/{before[-2]}", json={"pinned": True}, headers=official
    )
    assert r.status_code == 200, r.text
    r = await client.patch(
        f"{API}/service-points/HD-AI/matters/{before[0]}", json={"hidden": True}, headers=official
    )
    codes = [m["code"] for m in (await client.get(f"{API}/service-points/HD-AI/matters")).json()]
    assert codes[0] == before[-2]
    assert before[0] not in codes
    denied = await client.patch(
        f"{API}/service-points/HD-AI/matters/{before[1]}",
        json={"hidden": True},
        headers=hall["clerk"],
    )
    assert denied.status_code == 403
    assert denied.json()["error"] == "Forbidden"
    codes_after = [
        m["code"] for m in (await client.get(f"{API}/service-points/HD-AI/matters")).json()
    ]
    assert before[1] in codes_after  # the clerk's hide was not applied
