"""Bad ratings get a follow-up: due in 15 working days, yellow then red, four eyes on
an explanation, and the firm sees the final reply."""

from __future__ import annotations

from typing import Any

from servicedesk.timeutil import beijing, frozen
from tests.evaluations.conftest import API, Hall


async def _bad_rating(hall: Hall, *, level: int = 1) -> tuple[str, dict[str, Any]]:
    ticket = await hall.served_ticket()
    r = await hall.rate(
        ticket_receipt_code=ticket["receipt_code"],
        level=level,
        tags=["long_wait"],
        comment="等了两个小时",
    )
    assert r.status_code == 201, r.text
    return ticket["receipt_code"], r.json()


async def _follow_up(hall: Hall, follow_up_id: int) -> dict[str, Any]:
    r = await hall.client.get(f"{API}/follow-ups/{follow_up_id}", headers=hall.official)
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


async def test_very_dissatisfied_is_due_15_working_days_out_and_turns_red(hall: Hall) -> None:
    # Rated Tuesday 29 September 2026: the National Day holiday (1–7 October) does not
    # count, the make-up working Saturday 10 October does; the 15th working day after
    # the rating day is Monday 26 October.
    with frozen(beijing(2026, 9, 29, 10)):
        _, rated = await _bad_rating(hall, level=1)
    follow_up_id = rated["follow_up_id"]
    assert follow_up_id is not None
    with frozen(beijing(2026, 10, 20, 9)):  # 11 working days gone
        fresh = await _follow_up(hall, follow_up_id)
    assert fresh["due"] == "2026-10-26"
    assert (fresh["status"], fresh["warning"]) == ("open", "none")
    assert (fresh["level"], fresh["tags"], fresh["service"]) == (1, ["long_wait"], "B001")
    with frozen(beijing(2026, 10, 21, 9)):  # 12 of 15: the warning share (80 %)
        assert (await _follow_up(hall, follow_up_id))["warning"] == "yellow"
    with frozen(beijing(2026, 10, 26, 17)):  # the due day itself is still in time
        assert (await _follow_up(hall, follow_up_id))["warning"] == "yellow"
    with frozen(beijing(2026, 10, 27, 9)):
        missed = await _follow_up(hall, follow_up_id)
        overdue = await hall.client.get(
            f"{API}/follow-ups", params={"status": "open"}, headers=hall.supervisor
        )
    assert missed["warning"] == "red"
    assert [f["warning"] for f in overdue.json()] == ["red"]


async def test_dissatisfied_opens_one_and_basically_satisfied_none(hall: Hall) -> None:
    _, two = await _bad_rating(hall, level=2)
    assert two["follow_up_id"] is not None
    ticket = await hall.served_ticket()
    three = await hall.rate(ticket_receipt_code=ticket["receipt_code"], level=3)
    assert three.json()["follow_up_id"] is None


async def test_an_explanation_needs_a_second_person(hall: Hall) -> None:
    code, rated = await _bad_rating(hall)
    fid = rated["follow_up_id"]
    r = await hall.client.post(
        f"{API}/follow-ups/{fid}/reply",
        json={"kind": "explained", "text": "当日系统故障，已向企业说明"},
        headers=hall.supervisor,
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "awaiting_approval"
    firm = await hall.client.get(f"{API}/evaluations", params={"ticket_receipt_code": code})
    assert firm.json()["follow_up"]["reply_text"] is None  # not final yet

    same = await hall.client.post(f"{API}/follow-ups/{fid}/approve", headers=hall.supervisor)
    assert same.status_code == 403
    assert same.json()["error"] == "FourEyesRequired"
    again = await hall.client.post(
        f"{API}/follow-ups/{fid}/reply",
        json={"kind": "rectified", "text": "x"},
        headers=hall.supervisor,
    )
    assert again.status_code == 409
    ok = await hall.client.post(f"{API}/follow-ups/{fid}/approve", headers=hall.official)
    assert ok.status_code == 200, ok.text
    assert (ok.json()["status"], ok.json()["approved_by"]) == ("closed", "official:li")

    firm = await hall.client.get(f"{API}/evaluations", params={"ticket_receipt_code": code})
    reply = firm.json()["follow_up"]
    assert reply["status"] == "closed"
    assert (reply["reply_kind"], reply["reply_text"]) == ("explained", "当日系统故障，已向企业说明")


async def test_an_explanation_sent_back_opens_again(hall: Hall) -> None:
    _, rated = await _bad_rating(hall)
    fid = rated["follow_up_id"]
    await hall.client.post(
        f"{API}/follow-ups/{fid}/reply",
        json={"kind": "explained", "text": "企业材料不全"},
        headers=hall.official,
    )
    back = await hall.client.post(
        f"{API}/follow-ups/{fid}/send-back", json={"reason": "请先核实录像"}, headers=hall.official2
    )
    assert back.status_code == 200, back.text
    assert (back.json()["status"], back.json()["reply_text"]) == ("open", "")


async def test_a_rectification_closes_it_and_the_firm_sees_it(hall: Hall) -> None:
    code, rated = await _bad_rating(hall)
    fid = rated["follow_up_id"]
    r = await hall.client.post(
        f"{API}/follow-ups/{fid}/reply",
        json={"kind": "rectified", "text": "已增开一个窗口"},
        headers=hall.supervisor,
    )
    assert r.json()["status"] == "closed"
    firm = await hall.client.get(f"{API}/evaluations", params={"ticket_receipt_code": code})
    assert firm.json()["follow_up"]["reply_text"] == "已增开一个窗口"
    closed = await hall.client.get(
        f"{API}/follow-ups", params={"status": "open"}, headers=hall.supervisor
    )
    assert closed.json() == []


async def test_only_the_points_supervisor_and_officials_handle_follow_ups(hall: Hall) -> None:
    _, rated = await _bad_rating(hall)
    fid = rated["follow_up_id"]
    clerk = await hall.client.get(f"{API}/follow-ups", headers=hall.clerk)
    assert clerk.status_code == 403
    anonymous = await hall.client.get(f"{API}/follow-ups")
    assert anonymous.status_code == 401
    from tests.factories import login

    other = await login(hall.client, "boss-dx")
    assert (await hall.client.get(f"{API}/follow-ups", headers=other)).json() == []
    foreign = await hall.client.post(
        f"{API}/follow-ups/{fid}/reply", json={"kind": "rectified", "text": "x"}, headers=other
    )
    assert foreign.status_code == 403
    bad = await hall.client.post(
        f"{API}/follow-ups/{fid}/reply",
        json={"kind": "ignored", "text": "x"},
        headers=hall.official,
    )
    assert bad.status_code == 422
    blank = await hall.client.post(
        f"{API}/follow-ups/{fid}/reply",
        json={"kind": "rectified", "text": "  "},
        headers=hall.official,
    )
    assert blank.status_code == 422
    unknown = await hall.client.get(
        f"{API}/follow-ups", params={"status": "x"}, headers=hall.official
    )
    assert unknown.status_code == 422
    assert (
        await hall.client.get(f"{API}/follow-ups/999", headers=hall.official)
    ).status_code == 404


async def test_the_firm_is_told_the_final_reply_on_its_consented_channel(hall: Hall) -> None:
    """A ticket taken with a mobile and consent: the reply reaches the firm as a message,
    an explanation only once a second person approved it."""
    from servicedesk.notifications.models import Message

    r = await hall.client.post(
        f"{API}/service-points/HD-AI/tickets",
        json={"matter_code": "HTE-CERT", "contact": {"mobile": "13812345678", "consent": True}},
        headers=hall.kiosk,
    )
    assert r.status_code == 201, r.text
    ticket = r.json()
    await hall.client.post(f"{API}/windows/HD-AI-W1/call-next", headers=hall.clerk)
    await hall.client.post(f"{API}/tickets/{ticket['id']}/complete", headers=hall.clerk)
    rated = await hall.rate(ticket_receipt_code=ticket["receipt_code"], level=1)
    fid = rated.json()["follow_up_id"]
    await hall.client.post(
        f"{API}/follow-ups/{fid}/reply",
        json={"kind": "explained", "text": "当日系统故障"},
        headers=hall.supervisor,
    )
    assert not await Message.exists(template="rating_reply")  # not final yet
    await hall.client.post(f"{API}/follow-ups/{fid}/approve", headers=hall.official)
    (message,) = await Message.filter(template="rating_reply")
    assert message.holder == f"ticket:{ticket['id']}"
    assert message.recipient == "13812345678"
    assert "当日系统故障" in message.body
