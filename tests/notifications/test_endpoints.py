"""GET /messages, its summary, and retrying a dead message, with who may do what."""

from __future__ import annotations

from typing import Any

import httpx

from servicedesk.notifications.models import Message, MessageStatus
from tests.factories import clerk_headers, login, make_user, submit_case

CONTACT = {"mobile": "13812345678", "email": "a@example.com", "consent": True}


async def _case_with_messages(client: httpx.AsyncClient, hall: dict[str, Any]) -> str:
    case = await submit_case(client, hall["kiosk"], contact=CONTACT)
    await client.post(f"/api/v1/cases/{case['case_no']}/accept", headers=hall["clerk"])
    return str(case["case_no"])


async def test_clerk_of_the_point_and_officials_list_a_cases_messages(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    no = await _case_with_messages(client, hall)
    r = await client.get("/api/v1/messages", params={"case_no": no}, headers=hall["clerk"])
    assert r.status_code == 200, r.text
    rows = r.json()
    assert {(m["template"], m["channel"]) for m in rows} == {
        ("received", "sms"),
        ("received", "email"),
        ("accepted", "sms"),
        ("accepted", "email"),
    }
    assert all(m["status"] == "queued" and m["sent_at"] is None for m in rows)
    assert {m["recipient"] for m in rows} == {"138****5678", "a***@example.com"}
    assert set(rows[0]) >= {"channel", "template", "status", "created_at", "sent_at"}
    await make_user(username="official1", role="official")
    official = await login(client, "official1")
    seen = await client.get("/api/v1/messages", params={"case_no": no}, headers=official)
    assert len(seen.json()) == 4
    dead = await client.get("/api/v1/messages", params={"status": "dead"}, headers=official)
    assert dead.json() == []


async def test_others_are_refused_and_bad_input_is_4xx(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    no = await _case_with_messages(client, hall)
    other = await clerk_headers(client, username="clerk-dx", service_point="DX-BIO")
    r = await client.get("/api/v1/messages", params={"case_no": no}, headers=other)
    assert r.status_code == 403
    assert (await client.get("/api/v1/messages", headers=other)).json() == []
    r = await client.get("/api/v1/messages", params={"case_no": no}, headers=hall["kiosk"])
    assert r.status_code == 403
    assert (await client.get("/api/v1/messages", params={"case_no": no})).status_code == 401
    r = await client.get("/api/v1/messages", params={"case_no": "NOPE"}, headers=hall["clerk"])
    assert r.status_code == 404
    r = await client.get("/api/v1/messages", params={"status": "lost"}, headers=hall["clerk"])
    assert r.status_code == 422
    assert r.json()["error"] == "InvalidInput"
    assert (await client.get("/api/v1/messages/summary", headers=hall["clerk"])).status_code == 403


async def test_official_retries_a_dead_message_and_reads_the_rates(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    no = await _case_with_messages(client, hall)
    await make_user(username="official1", role="official")
    official = await login(client, "official1")
    first, second = await Message.filter(case_no=no, channel="sms").order_by("id")
    await Message.filter(id=first.id).update(status=MessageStatus.SENT)
    await Message.filter(id=second.id).update(
        status=MessageStatus.DEAD, attempts=8, last_error="gateway answered HTTP 503"
    )
    summary = (await client.get("/api/v1/messages/summary", headers=official)).json()
    sms = next(c for c in summary["channels"] if c["channel"] == "sms")
    assert sms["configured"] is False
    assert sms["counts"]["sent"] == 1
    assert sms["counts"]["dead"] == 1
    assert sms["delivery_rate"] == 0.5
    busy = await client.post(f"/api/v1/messages/{first.id}/retry", headers=official)
    assert busy.status_code == 409
    r = await client.post(f"/api/v1/messages/{second.id}/retry", headers=official)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "queued"
    assert r.json()["attempts"] == 0
    assert r.json()["last_error"] == "gateway answered HTTP 503"  # kept until the next outcome
    assert (await client.post("/api/v1/messages/99999/retry", headers=official)).status_code == 404
    refused = await client.post(f"/api/v1/messages/{second.id}/retry", headers=hall["clerk"])
    assert refused.status_code == 403
