"""Rating a service (DESIGN §6.1): once, by the holder, within the period."""

from __future__ import annotations

from typing import Any

from servicedesk.timeutil import beijing, frozen
from tests.evaluations.conftest import API, Hall
from tests.factories import case_body


async def test_the_receipt_code_rates_a_done_ticket_once(hall: Hall) -> None:
    ticket = await hall.served_ticket()
    code = ticket["receipt_code"]
    assert len(code) >= 16

    wrong = await hall.rate(ticket_receipt_code=code[:-2] + "zz", level=5)
    assert wrong.status_code == 404, wrong.text
    first = await hall.rate(ticket_receipt_code=code, level=5, tags=["efficient"], comment="快")
    assert first.status_code == 201, first.text
    assert first.json()["level"] == 5
    assert first.json()["follow_up_id"] is None
    again = await hall.rate(ticket_receipt_code=code, level=1)
    assert again.status_code == 409, again.text
    assert again.json()["error"] == "AlreadyRated"

    mine = await hall.client.get(f"{API}/evaluations", params={"ticket_receipt_code": code})
    assert mine.json()["level"] == 5
    assert mine.json()["tags"] == ["efficient"]


async def test_the_receipt_code_is_only_on_the_kiosks_answer(hall: Hall) -> None:
    r = await hall.client.post(
        f"{API}/service-points/HD-AI/tickets", json={"matter_code": "HTE-CERT"}, headers=hall.kiosk
    )
    assert "receipt_code" in r.json()
    called = await hall.client.post(f"{API}/windows/HD-AI-W1/call-next", headers=hall.clerk)
    assert "receipt_code" not in called.json()
    status = await hall.client.get(f"{API}/tickets/status/{r.json()['receipt_code']}")
    assert status.json()["id"] == r.json()["id"]


async def test_a_ticket_not_yet_done_cannot_be_rated(hall: Hall) -> None:
    r = await hall.client.post(
        f"{API}/service-points/HD-AI/tickets", json={"matter_code": "HTE-CERT"}, headers=hall.kiosk
    )
    code = r.json()["receipt_code"]
    waiting = await hall.rate(ticket_receipt_code=code, level=4)
    assert waiting.status_code == 409
    assert "waiting" in waiting.json()["detail"]


async def test_a_rating_after_the_period_is_refused(hall: Hall) -> None:
    with frozen(beijing(2026, 11, 2, 10)):
        ticket = await hall.served_ticket()
    with frozen(beijing(2026, 11, 9, 23, 50)):  # the seventh day after: still open
        late_ok = await hall.served_ticket()
    with frozen(beijing(2026, 11, 9, 23, 50)):
        assert (
            await hall.rate(ticket_receipt_code=ticket["receipt_code"], level=3)
        ).status_code == 201
    with frozen(beijing(2026, 11, 17, 0, 5)):
        too_late = await hall.rate(ticket_receipt_code=late_ok["receipt_code"], level=3)
    assert too_late.status_code == 422, too_late.text
    assert too_late.json()["error"] == "RatingPeriodOver"
    assert too_late.json()["last_day"] == "2026-11-16"


async def test_bad_input_is_422_and_stores_nothing(hall: Hall) -> None:
    ticket = await hall.served_ticket()
    code = ticket["receipt_code"]
    cases: list[dict[str, Any]] = [
        {"ticket_receipt_code": code, "level": 6},
        {"ticket_receipt_code": code, "level": 0},
        {"ticket_receipt_code": code, "level": 5, "tags": ["poor_attitude"]},
        {"ticket_receipt_code": code, "level": 1, "tags": ["no-such-tag"]},
        {"ticket_receipt_code": code, "case_no": "X", "query_code": "Y", "level": 5},
        {"level": 5},
        {"case_no": "HD-AI-20261102-0001", "level": 5},
        {"ticket_receipt_code": code, "level": 5, "comment": "长" * 501},
    ]
    for body in cases:
        r = await hall.rate(**body)
        assert r.status_code == 422, (body, r.text)
        assert set(r.json()) >= {"error", "detail"}
    assert (await hall.rate(ticket_receipt_code=code, level=2)).status_code == 201


async def _decided_case(hall: Hall) -> dict[str, Any]:
    r = await hall.client.post(f"{API}/cases", json=case_body(), headers=hall.clerk)
    assert r.status_code == 201, r.text
    case: dict[str, Any] = r.json()
    for step in ("accept", "start-review", "approve"):
        r = await hall.client.post(f"{API}/cases/{case['case_no']}/{step}", headers=hall.clerk)
        assert r.status_code == 200, (step, r.text)
    return case


async def test_a_case_is_rated_with_its_query_code_once_decided(hall: Hall) -> None:
    r = await hall.client.post(f"{API}/cases", json=case_body(), headers=hall.clerk)
    pending = r.json()
    assert len(pending["query_code"]) == 8
    early = await hall.rate(case_no=pending["case_no"], query_code=pending["query_code"], level=5)
    assert early.status_code == 409, early.text

    case = await _decided_case(hall)
    wrong = await hall.rate(case_no=case["case_no"], query_code="ABCDEFGH", level=5)
    assert wrong.status_code == 404
    other = await hall.rate(case_no=pending["case_no"], query_code=case["query_code"], level=5)
    assert other.status_code == 404
    ok = await hall.rate(case_no=case["case_no"], query_code=case["query_code"].lower(), level=4)
    assert ok.status_code == 201, ok.text
    again = await hall.rate(case_no=case["case_no"], query_code=case["query_code"], level=5)
    assert again.status_code == 409

    query = await hall.client.get(
        f"{API}/cases/{case['case_no']}", params={"query_code": case["query_code"]}
    )
    assert query.status_code == 200
    assert query.json()["query_code"] is None  # the public answer does not repeat it


async def test_a_retried_rating_with_its_key_answers_the_first_201(hall: Hall) -> None:
    ticket = await hall.served_ticket()
    body = {"ticket_receipt_code": ticket["receipt_code"], "level": 1}
    headers = {"Idempotency-Key": "tablet-tap-1"}
    first = await hall.client.post(f"{API}/evaluations", json=body, headers=headers)
    second = await hall.client.post(f"{API}/evaluations", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    listed = await hall.client.get(f"{API}/follow-ups", headers=hall.official)
    assert len(listed.json()) == 1


async def test_a_supervisor_works_as_a_clerk_of_the_point(hall: Hall) -> None:
    r = await hall.client.post(
        f"{API}/service-points/HD-AI/tickets", json={"matter_code": "HTE-CERT"}, headers=hall.kiosk
    )
    called = await hall.client.post(f"{API}/windows/HD-AI-W2/call-next", headers=hall.supervisor)
    assert called.status_code == 200
    assert called.json()["id"] == r.json()["id"]
    assert (
        await hall.client.post(f"{API}/cases", json=case_body(), headers=hall.supervisor)
    ).status_code == 201
