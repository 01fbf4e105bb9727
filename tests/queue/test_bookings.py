"""Bookings for people: one open booking per firm and matter, a daily limit per firm,
cancellation frees the place; clerks open slots at their own point only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from tests.factories import clerk_headers, make_uscc
from tests.queue.test_appointments import API, NINE, open_slot


async def _book(client: httpx.AsyncClient, slot_id: int, uscc: str, matter: str) -> httpx.Response:
    return await client.post(
        f"{API}/appointments",
        json={
            "slot_id": slot_id,
            "firm": {"uscc": uscc, "name": "测试企业"},
            "matter_code": matter,
        },
    )


async def test_a_clerk_cannot_open_slots_at_another_point(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    other = await clerk_headers(client, username="clerk-dx", service_point="DX-BIO")
    r = await client.post(
        f"{API}/service-points/HD-AI/appointment-slots",
        headers=other,
        json={
            "queue": "B",
            "starts_at": NINE.isoformat(),
            "ends_at": (NINE + timedelta(minutes=30)).isoformat(),
            "capacity": 2,
        },
    )
    assert r.status_code == 403
    assert (await client.get(f"{API}/service-points/HD-AI/appointment-slots")).json() == []
    assert (await open_slot(client, hall))["queue"] == "B"  # its own clerk may


async def test_one_open_booking_per_firm_and_matter_and_a_daily_limit(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    slot = await open_slot(client, hall, capacity=10)
    uscc = make_uscc(42)
    first = await _book(client, slot["id"], uscc, "HTE-CERT")
    assert first.status_code == 201, first.text
    second = await _book(client, slot["id"], uscc, "HTE-CERT")
    assert second.status_code == 409
    assert "open booking" in second.json()["detail"]
    other_matter = await _book(client, slot["id"], uscc, "ZGC-HTE")
    assert other_matter.status_code == 201
    third = await _book(client, slot["id"], uscc, "TECH-SME")
    assert third.status_code == 409  # two per firm and day by default
    # Cancelling frees the place and lets the firm book that matter again.
    token = first.json()["cancel_token"]
    cancelled = await client.post(f"{API}/appointments/cancel/{token}")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    slots = (
        await client.get(
            f"{API}/service-points/HD-AI/appointment-slots", params={"day": slot["day"]}
        )
    ).json()
    assert slots[0]["booked"] == 1
    again = await _book(client, slot["id"], uscc, "HTE-CERT")
    assert again.status_code == 201
    assert (await client.post(f"{API}/appointments/cancel/nope")).status_code == 404
