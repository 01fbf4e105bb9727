"""The clock's rules that send messages: owed materials due, overdue cases, tomorrow's
appointments, numbers close to being called; and the purge of old keys and contacts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from servicedesk.cases import reminders as case_reminders
from servicedesk.idempotency.models import IdempotencyRecord
from servicedesk.notifications.models import Contact, Message
from servicedesk.notifications.templates import LANGS, TEMPLATES, _catalogue, render
from servicedesk.queue import reminders as queue_reminders
from servicedesk.settings import Settings
from servicedesk.timeutil import beijing, frozen
from servicedesk.worker import _purge
from tests.factories import HTE_ALL, make_uscc, submit_case

API = "/api/v1"
MOBILE = {"mobile": "13812345678", "consent": True}


async def _templates() -> list[str]:
    return [m.template for m in await Message.all().order_by("id")]


async def test_owed_materials_are_reminded_two_working_days_ahead_once(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    with frozen(beijing(2026, 11, 2)):  # Monday
        materials = [m for m in HTE_ALL if m != "staff_roster"]
        case = await submit_case(client, hall["kiosk"], materials=materials, contact=MOBILE)
        r = await client.post(
            f"{API}/cases/{case['case_no']}/accept",
            json={"with_deficiency": True, "supplement_due": "2026-11-13"},  # a Friday
            headers=hall["clerk"],
        )
        assert r.status_code == 200, r.text
    with frozen(beijing(2026, 11, 10, 9)):  # 3 working days ahead: not yet
        assert await case_reminders.supplement_due() == 0
    with frozen(beijing(2026, 11, 11, 9)):  # 2 working days ahead
        assert await case_reminders.supplement_due() == 1
    with frozen(beijing(2026, 11, 12, 9)):
        await case_reminders.supplement_due()
    reminders = await Message.filter(template="supplement_due")
    assert len(reminders) == 1
    assert "科技人员名单及社保证明" in reminders[0].body
    assert "2026-11-13" in reminders[0].body


async def test_a_case_past_its_deadline_is_reported_once(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    with frozen(beijing(2026, 11, 2)):
        case = await submit_case(client, hall["kiosk"], contact=MOBILE)
        accepted = await client.post(f"{API}/cases/{case['case_no']}/accept", headers=hall["clerk"])
    deadline = accepted.json()["deadline"]
    with frozen(beijing(2026, 12, 1)):
        assert await case_reminders.overdue() == 0
    with frozen(beijing(2027, 1, 20)):
        assert await case_reminders.overdue() == 1
        await case_reminders.overdue()
    (message,) = await Message.filter(template="overdue")
    assert deadline in message.body


async def test_tomorrows_appointments_are_reminded_with_their_code(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    nine = beijing(2026, 11, 3, 9)
    with frozen(beijing(2026, 11, 2, 10)):
        slot = await client.post(
            f"{API}/service-points/HD-AI/appointment-slots",
            headers=hall["clerk"],
            json={
                "queue": "B",
                "starts_at": nine.isoformat(),
                "ends_at": (nine + timedelta(minutes=30)).isoformat(),
                "capacity": 3,
            },
        )
        assert slot.status_code == 201, slot.text
        booked = []
        for serial, contact in ((1, MOBILE), (2, None)):
            r = await client.post(
                f"{API}/appointments",
                json={
                    "slot_id": slot.json()["id"],
                    "firm": {"uscc": make_uscc(serial), "name": f"测试{serial}"},
                    "matter_code": "HTE-CERT",
                    "contact": contact,
                },
            )
            assert r.status_code == 201, r.text
            booked.append(r.json())
        assert await queue_reminders.appointments_tomorrow() == 1
        assert await queue_reminders.appointments_tomorrow() == 1  # counted, not re-queued
    (message,) = await Message.all()
    assert message.template == "appointment_tomorrow"
    assert booked[0]["code"] in message.body
    assert "09:00" in message.body


async def test_a_number_close_to_its_call_is_told_once(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    ids = []
    for i in range(5):
        body: dict[str, Any] = {"matter_code": "HTE-CERT"}
        if i == 4:
            body["contact"] = {**MOBILE, "lang": "en"}
        r = await client.post(
            f"{API}/service-points/HD-AI/tickets", json=body, headers=hall["kiosk"]
        )
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    assert await queue_reminders.close_to_call(2) == 0  # four ahead
    windows = (await client.get(f"{API}/service-points/HD-AI")).json()["windows"]
    window = next(w["code"] for w in windows if "B" in w["queues"])
    for _ in range(2):
        called = await client.post(f"{API}/windows/{window}/call-next", headers=hall["clerk"])
        await client.post(f"{API}/tickets/{called.json()['id']}/complete", headers=hall["clerk"])
    assert await queue_reminders.close_to_call(2) == 1
    await queue_reminders.close_to_call(2)
    (message,) = await Message.all()
    assert message.template == "close_to_call"
    assert message.holder == f"ticket:{ids[4]}"
    assert "has 2 ahead of it" in message.body


async def test_purge_forgets_old_keys_and_yesterdays_ticket_contacts(
    client: httpx.AsyncClient, hall: dict[str, Any], settings: Settings
) -> None:
    with frozen(beijing(2026, 11, 2, 9)):
        r = await client.post(
            f"{API}/service-points/HD-AI/tickets",
            json={"matter_code": "HTE-CERT", "contact": MOBILE},
            headers={**hall["kiosk"], "Idempotency-Key": "k-1"},
        )
        assert r.status_code == 201
        await submit_case(client, hall["kiosk"], contact=MOBILE)
    with frozen(beijing(2026, 11, 2, 20)):
        assert await _purge(settings) == 0
    with frozen(beijing(2026, 11, 3, 10)):
        assert await _purge(settings) == 2  # the key (24 h) and the ticket's contact
    assert not await IdempotencyRecord.exists()
    assert [c.holder for c in await Contact.all()] == [f"firm:{make_uscc(1)}"]
    del hall


def test_every_template_renders_in_both_languages() -> None:
    params = {
        "case_no": "HD-AI-20261102-0001",
        "firm": "北京测试科技有限公司",
        "matter": {"zh": "高新技术企业认定", "en": "High-tech enterprise certification"},
        "point": {"zh": "海淀", "en": "Haidian"},
        "acceptance_due": "2026-11-09",
        "items": [{"name": {"zh": "营业执照", "en": "Business licence"}, "problem": "x"}],
        "paused": False,
        "accepted_on": "2026-11-02",
        "deemed": True,
        "deadline": "2026-12-30",
        "owed": [{"zh": "名单", "en": "Roster"}],
        "due": "2026-11-13",
        "reason": "理由",
        "date": "2026-11-03",
        "time": "09:00",
        "code": "ABC234",
        "grace": 15,
        "ticket_no": "B005",
        "ahead": 2,
        "text": "已整改",
    }
    for lang in LANGS:
        assert set(_catalogue(lang)) == set(TEMPLATES)
        for template in TEMPLATES:
            text = render(template, lang, params)
            assert text.title
            assert text.body
            assert "{{" not in text.body
