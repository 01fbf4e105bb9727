"""The ticket API as DESIGN §6 fixes it: take, call, recall, no-show, transfer, complete."""

from __future__ import annotations

from typing import Any

import httpx

from servicedesk.queue.models import Ticket, TicketCall

API = "/api/v1"


async def take(
    client: httpx.AsyncClient, hall: dict[str, Any], matter: str = "HTE-CERT", **body: Any
) -> dict[str, Any]:
    r = await client.post(
        f"{API}/service-points/HD-AI/tickets",
        json={"matter_code": matter, **body},
        headers=hall["kiosk"],
    )
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


async def call(
    client: httpx.AsyncClient, hall: dict[str, Any], window: str = "HD-AI-W1"
) -> httpx.Response:
    return await client.post(f"{API}/windows/{window}/call-next", headers=hall["clerk"])


async def test_take_returns_the_contract_fields(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    first = await take(client, hall)
    second = await take(client, hall)
    assert {"id", "ticket_no", "queue", "status", "position", "estimated_wait_minutes"} <= set(
        first
    )
    assert (first["ticket_no"], second["ticket_no"]) == ("B001", "B002")
    assert first["queue"] == "B"
    assert first["status"] == "waiting"
    assert (first["position"], second["position"]) == (1, 2)
    assert second["estimated_wait_minutes"] >= first["estimated_wait_minutes"] >= 0


async def test_take_needs_a_kiosk_token(client: httpx.AsyncClient, hall: dict[str, Any]) -> None:
    r = await client.post(
        f"{API}/service-points/HD-AI/tickets",
        json={"matter_code": "HTE-CERT"},
        headers=hall["clerk"],
    )
    assert r.status_code == 403
    assert r.json()["error"] == "Forbidden"
    r = await client.post(f"{API}/service-points/HD-AI/tickets", json={"matter_code": "HTE-CERT"})
    assert r.status_code == 401


async def test_take_rejects_unknown_matter_and_priority(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    r = await client.post(
        f"{API}/service-points/HD-AI/tickets", json={"matter_code": "NOPE"}, headers=hall["kiosk"]
    )
    assert r.status_code == 404
    assert r.json()["error"] == "NotFound"
    r = await client.post(
        f"{API}/service-points/HD-AI/tickets",
        json={"matter_code": "HTE-CERT", "priority": "vip"},
        headers=hall["kiosk"],
    )
    assert r.status_code == 422
    assert r.json()["error"] == "ValidationError"


async def test_kiosk_of_another_point_is_refused(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    r = await client.post(
        f"{API}/service-points/DX-BIO/tickets",
        json={"matter_code": "HTE-CERT"},
        headers=hall["kiosk"],
    )
    assert r.status_code == 403
    assert r.json()["error"] == "Forbidden"
    assert "DX-BIO" in r.json()["detail"] or "service point" in r.json()["detail"]
    assert await Ticket.all().count() == 0


async def test_call_next_then_409_until_completed_then_204(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    ticket = await take(client, hall)
    r = await call(client, hall)
    assert r.status_code == 200, r.text
    assert r.json()["id"] == ticket["id"]
    assert r.json()["status"] == "called"
    assert r.json()["window"] == "HD-AI-W1"
    busy = await call(client, hall)
    assert busy.status_code == 409
    assert busy.json()["error"] == "WindowBusy"
    done = await client.post(f"{API}/tickets/{ticket['id']}/complete", headers=hall["clerk"])
    assert done.status_code == 200
    assert done.json()["status"] == "done"
    assert (await call(client, hall)).status_code == 204


async def test_window_calls_only_its_queues(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    await take(client, hall, "WORK-RES")  # queue C: W2 and W3, not W1
    assert (await call(client, hall, "HD-AI-W1")).status_code == 204
    assert (await call(client, hall, "HD-AI-W2")).json()["queue"] == "C"


async def test_clerk_of_another_point_cannot_call(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    ticket = await take(client, hall)
    r = await call(client, hall, "DX-BIO-W1")
    assert r.status_code == 403
    assert r.json()["error"] == "Forbidden"
    assert (await Ticket.get(id=ticket["id"])).status == "waiting"
    assert await TicketCall.all().count() == 0


async def test_recall_then_no_show_after_the_allowed_recalls(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    ticket = await take(client, hall)
    await call(client, hall)
    url = f"{API}/tickets/{ticket['id']}"
    early = await client.post(f"{url}/no-show", headers=hall["clerk"])
    assert early.status_code == 409
    for n in (1, 2):
        r = await client.post(f"{url}/recall", headers=hall["clerk"])
        assert r.status_code == 200
        assert r.json()["recalls"] == n
    assert (await client.post(f"{url}/recall", headers=hall["clerk"])).status_code == 409
    r = await client.post(f"{url}/no-show", headers=hall["clerk"])
    assert r.status_code == 200
    assert r.json()["status"] == "no_show"
    board = (await client.get(f"{API}/service-points/HD-AI/board")).json()
    assert [c["ticket_no"] for c in board["recent_calls"]] == ["B001"] * 3
    assert board["now_calling"] == []


async def test_transfer_keeps_number_and_place(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    first = await take(client, hall)  # B001, the earliest
    await take(client, hall, "WORK-RES")  # C001, taken after B001
    r = await call(client, hall, "HD-AI-W1")
    assert r.json()["id"] == first["id"]
    moved = await client.post(
        f"{API}/tickets/{first['id']}/transfer", json={"queue": "C"}, headers=hall["clerk"]
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "transferred"
    onward = moved.json()["transferred_to"]
    # W2 serves B and C: the transferred B001 was taken before C001, so it comes first.
    r = await call(client, hall, "HD-AI-W2")
    assert r.json()["id"] == onward
    assert (r.json()["ticket_no"], r.json()["queue"]) == ("B001", "C")


async def test_transfer_to_an_unknown_queue_changes_nothing(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    ticket = await take(client, hall)
    await call(client, hall)
    r = await client.post(
        f"{API}/tickets/{ticket['id']}/transfer", json={"queue": "Z"}, headers=hall["clerk"]
    )
    assert r.status_code == 422
    assert r.json()["error"] == "InvalidInput"
    r = await client.post(f"{API}/tickets/{ticket['id']}/complete", headers=hall["clerk"])
    assert r.json()["status"] == "done"


async def test_green_channel_goes_before_earlier_normal(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    await take(client, hall)
    green = await take(client, hall, priority="green")
    assert green["position"] == 1
    assert (await call(client, hall)).json()["id"] == green["id"]


async def test_idempotent_ticket_retries(client: httpx.AsyncClient, hall: dict[str, Any]) -> None:
    url = f"{API}/service-points/HD-AI/tickets"
    headers = {**hall["kiosk"], "Idempotency-Key": "print-42"}
    first = await client.post(url, json={"matter_code": "HTE-CERT"}, headers=headers)
    again = await client.post(url, json={"matter_code": "HTE-CERT"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    other = await client.post(url, json={"matter_code": "WORK-RES"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["error"] == "IdempotencyMismatch"
    fresh = await client.post(url, json={"matter_code": "HTE-CERT"}, headers=hall["kiosk"])
    assert fresh.json()["ticket_no"] == "B002"


async def test_kiosk_voids_its_unprinted_ticket(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    ticket = await take(client, hall)
    r = await client.post(f"{API}/tickets/{ticket['id']}/void", headers=hall["kiosk"])
    assert r.status_code == 200
    assert r.json()["status"] == "cancelled"
    assert (await call(client, hall)).status_code == 204


async def test_status_by_receipt_code_follows_transfer(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    from servicedesk.queue.models import Ticket

    ticket = await take(client, hall)
    code = (await Ticket.get(id=ticket["id"])).code
    await call(client, hall)
    await client.post(
        f"{API}/tickets/{ticket['id']}/transfer", json={"queue": "A"}, headers=hall["clerk"]
    )
    r = await client.get(f"{API}/tickets/status/{code}")
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["queue"], r.json()["position"]) == ("waiting", "A", 1)


async def test_yesterdays_waiting_tickets_are_not_called_today(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    from servicedesk.queue import issuing
    from servicedesk.queue.models import Ticket
    from servicedesk.timeutil import beijing, frozen

    issuing._expired_through.clear()
    with frozen(beijing(2026, 11, 2, 16)):
        old = await take(client, hall)
    with frozen(beijing(2026, 11, 3, 9)):
        new = await take(client, hall)
        assert new["ticket_no"] == old["ticket_no"]  # numbers restart every day
        called = await call(client, hall)
    assert called.status_code == 200
    assert called.json()["id"] == new["id"]
    assert (await Ticket.get(id=old["id"])).status == "cancelled"
    issuing._expired_through.clear()
