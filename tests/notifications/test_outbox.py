"""The outbox: messages written with their events, once, and only with consent."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from servicedesk.audit.models import AuditEntry
from servicedesk.cases.models import Case
from servicedesk.notifications.models import Contact, Message, MessageStatus
from servicedesk.settings import Settings
from servicedesk.timeutil import beijing, frozen
from servicedesk.worker import Worker
from tests.factories import HTE_ALL, case_body, make_uscc, submit_case

MOBILE = {"mobile": "138 1234 5678", "lang": "zh", "consent": True}
WITHOUT_LICENSE = [m for m in HTE_ALL if m != "license"]


async def _messages(template: str | None = None) -> list[Message]:
    query = Message.all().order_by("id")
    return await (query.filter(template=template) if template else query)


async def test_returned_case_queues_one_message_naming_materials_in_words(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    case = await submit_case(client, hall["kiosk"], materials=WITHOUT_LICENSE, contact=MOBILE)
    r = await client.post(
        f"/api/v1/cases/{case['case_no']}/return",
        json={"items": [{"material_code": "rd_audit", "problem": "审计机构未盖章"}]},
        headers=hall["clerk"],
    )
    assert r.status_code == 200, r.text
    returned = await _messages("returned")
    assert len(returned) == 1
    message = returned[0]
    assert message.channel.value == "sms"
    assert message.recipient == "13812345678"
    assert message.status is MessageStatus.QUEUED
    assert message.case_no == case["case_no"]
    # The notice's content in words: material names and problems, never codes.
    assert "营业执照：未提交" in message.body
    assert "研发费用专项审计报告：审计机构未盖章" in message.body
    assert "license" not in message.body
    assert "rd_audit" not in message.body
    # Reading the case again (deemed acceptance is re-checked) queues nothing more.
    again = await client.get(
        f"/api/v1/cases/{case['case_no']}", params={"query_code": case["query_code"]}
    )
    assert again.status_code == 200
    assert len(await _messages("returned")) == 1


async def test_english_contact_gets_english_words(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    contact = {"email": "Li.Lei@Example.COM", "lang": "en", "consent": True}
    case = await submit_case(client, hall["kiosk"], materials=WITHOUT_LICENSE, contact=contact)
    await client.post(f"/api/v1/cases/{case['case_no']}/return", headers=hall["clerk"])
    (message,) = await _messages("returned")
    assert message.recipient == "Li.Lei@example.com"
    assert message.title.startswith("[")
    assert case["case_no"] in message.title
    assert "Business licence: missing" in message.body


async def test_retried_submission_with_the_same_key_queues_nothing_more(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    body = case_body(contact={**MOBILE, "email": "a@example.com"})
    headers = {**hall["kiosk"], "Idempotency-Key": "slip-42"}
    first = await client.post("/api/v1/cases", json=body, headers=headers)
    assert first.status_code == 201, first.text
    received = await _messages("received")
    assert sorted(m.channel.value for m in received) == ["email", "sms"]
    answers = await asyncio.gather(
        *[client.post("/api/v1/cases", json=body, headers=headers) for _ in range(3)]
    )
    assert all(a.json() == first.json() for a in answers)
    assert await Case.all().count() == 1
    assert [m.id for m in await _messages()] == [m.id for m in received]


async def test_no_message_and_no_contact_without_consent(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    unticked = {"mobile": "13812345678", "email": "a@example.com", "consent": False}
    case = await submit_case(client, hall["kiosk"], materials=WITHOUT_LICENSE, contact=unticked)
    await client.post(f"/api/v1/cases/{case['case_no']}/return", headers=hall["clerk"])
    other = await submit_case(client, hall["kiosk"], uscc=make_uscc(2))
    await client.post(f"/api/v1/cases/{other['case_no']}/accept", headers=hall["clerk"])
    assert await Contact.all().count() == 0
    assert await _messages() == []
    assert not await AuditEntry.filter(action="contact.consent").exists()


async def test_bad_contact_is_422_and_writes_nothing(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    for contact, field in (
        ({"mobile": "1234", "consent": True}, "contact.mobile"),
        ({"email": "not-an-address", "consent": True}, "contact.email"),
        ({"consent": True}, "contact"),
        ({"mobile": "13812345678", "lang": "fr", "consent": True}, "contact.lang"),
    ):
        r = await client.post(
            "/api/v1/cases", json=case_body(contact=contact), headers=hall["kiosk"]
        )
        assert r.status_code == 422, r.text
        assert r.json()["error"] == "ValidationError"
        assert any(f["field"] == field for f in r.json()["fields"]), r.json()
    assert await Case.all().count() == 0
    assert await Contact.all().count() == 0


async def test_each_decision_sends_its_message_once(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    case = await submit_case(client, hall["kiosk"], contact=MOBILE)
    no = case["case_no"]
    for step, body in (
        ("accept", None),
        ("start-review", None),
        ("deny", {"reason": "研发投入占比不足3%"}),
        ("issue-result", None),
        ("close", None),
    ):
        r = await client.post(f"/api/v1/cases/{no}/{step}", json=body, headers=hall["clerk"])
        assert r.status_code == 200, r.text
    templates = [m.template for m in await _messages()]
    assert templates == ["received", "accepted", "denied", "result_issued"]
    denied = (await _messages("denied"))[0]
    assert "研发投入占比不足3%" in denied.body


async def test_deficient_acceptance_says_what_is_owed_by_when(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    missing_optional = [m for m in HTE_ALL if m != "staff_roster"]
    case = await submit_case(client, hall["kiosk"], materials=missing_optional, contact=MOBILE)
    r = await client.post(
        f"/api/v1/cases/{case['case_no']}/accept",
        json={"with_deficiency": True},
        headers=hall["clerk"],
    )
    assert r.status_code == 200, r.text
    (message,) = await _messages("accepted_with_deficiency")
    assert "科技人员名单及社保证明" in message.body
    assert r.json()["supplement_due"] in message.body


async def test_withdrawn_consent_erases_the_contact_and_stops_messages(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    case = await submit_case(client, hall["kiosk"], contact=MOBILE)
    no, uscc, code = case["case_no"], make_uscc(1), case["query_code"]
    by_uscc = await client.post(f"/api/v1/cases/{no}/contact/withdraw", json={"uscc": uscc})
    assert by_uscc.status_code == 422  # the public USCC cannot erase a firm's contact
    wrong = await client.post(
        f"/api/v1/cases/{no}/contact/withdraw", json={"query_code": "WRONG234"}
    )
    assert wrong.status_code == 404
    r = await client.post(f"/api/v1/cases/{no}/contact/withdraw", json={"query_code": code})
    assert r.status_code == 200
    assert r.json() == {"withdrawn": True}
    contact = await Contact.get(holder=f"firm:{uscc}")
    assert contact.mobile is None
    assert contact.email is None
    assert contact.withdrawn_at
    (received,) = await _messages()
    assert received.status is MessageStatus.DEAD
    assert received.last_error == "consent withdrawn"
    assert received.recipient == ""
    await client.post(f"/api/v1/cases/{no}/accept", headers=hall["clerk"])
    assert len(await _messages()) == 1
    again = await client.post(f"/api/v1/cases/{no}/contact/withdraw", json={"query_code": code})
    assert again.json() == {"withdrawn": False}


async def test_worker_deems_an_undecided_case_accepted_on_the_sixth_working_day(
    client: httpx.AsyncClient, hall: dict[str, Any], settings: Settings
) -> None:
    with frozen(beijing(2026, 11, 2)):  # a Monday
        case = await submit_case(client, hall["kiosk"], contact=MOBILE)
    no = case["case_no"]
    with frozen(beijing(2026, 11, 9, 9)):  # 5th working day: not yet
        await _run_worker_briefly(settings)
    assert (await Case.get(case_no=no)).status.value == "submitted"
    with frozen(beijing(2026, 11, 10, 9)):  # 6th working day, nobody reads the case
        await _run_worker_briefly(
            settings, until=lambda: Case.exists(case_no=no, status="accepted")
        )
    stored = await Case.get(case_no=no)
    assert stored.status.value == "accepted"
    assert stored.deemed_accepted
    assert str(stored.accepted_on) == "2026-11-02"
    (message,) = await _messages("accepted")
    assert "视为受理" in message.body


async def _run_worker_briefly(settings: Settings, until: Any = None) -> None:
    """Start a worker (rules due at start-up run at once), wait for ``until``, stop it."""
    stop = asyncio.Event()
    task = asyncio.create_task(
        Worker(settings.model_copy(update={"worker_poll_seconds": 0.05})).run(stop)
    )
    try:
        for _ in range(200 if until is not None else 20):
            await asyncio.sleep(0.05)
            if until is not None and await until():
                break
        else:
            assert until is None, "the worker did not get there in 10 s"
    finally:
        stop.set()
        await task
