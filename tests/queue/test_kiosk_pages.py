"""Kiosk, console and board pages, server side: enrolment, forms and what they show."""

from __future__ import annotations

import re
from typing import Any

import httpx

from servicedesk.accounts import kiosks
from servicedesk.accounts import service as accounts
from servicedesk.cases.models import Case
from servicedesk.catalogue import service as catalogue
from servicedesk.queue.models import Ticket
from tests.factories import PASSWORD, make_catalogue, make_uscc, make_user, page_login


async def enrol(client: httpx.AsyncClient) -> str:
    """Enrol the client as a kiosk of HD-AI with a one-time code; the browser's token."""
    device, _ = await accounts.create_kiosk(await catalogue.get_point("HD-AI"))
    code = await kiosks.new_enrol_code(device.id, actor="test")
    page = await client.get("/kiosk/HD-AI/enrol")
    r = await client.post(
        "/kiosk/HD-AI/enrol", data={"csrf_token": hidden(page.text, "csrf_token"), "code": code}
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/kiosk/HD-AI"
    assert "sd_kiosk" in r.cookies
    return str(r.cookies["sd_kiosk"])


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, name
    return match.group(1)


async def test_kiosk_needs_enrolment(client: httpx.AsyncClient, db: Any) -> None:
    del db
    await make_catalogue()
    r = await client.get("/kiosk/HD-AI", headers={"accept": "text/html"})
    assert r.status_code == 303
    assert r.headers["location"] == "/kiosk/HD-AI/enrol"
    client.cookies.set("sd_kiosk", "kiosk_wrong")
    r = await client.get("/kiosk/HD-AI", headers={"accept": "text/html"})
    assert r.headers["location"] == "/kiosk/HD-AI/enrol"
    client.cookies.clear()
    device, token = await accounts.create_kiosk(await catalogue.get_point("HD-AI"))
    code = await kiosks.new_enrol_code(device.id, actor="test")
    page = await client.get("/kiosk/HD-AI/enrol")
    form = {"csrf_token": hidden(page.text, "csrf_token"), "code": code.lower()}
    wrong_point = await client.post("/kiosk/DX-BIO/enrol", data=form)
    assert wrong_point.status_code == 404  # a code enrols a kiosk at its own point only
    enrolled = await client.post("/kiosk/HD-AI/enrol", data=form)
    assert enrolled.status_code == 303
    again = await client.post("/kiosk/HD-AI/enrol", data=form)
    assert again.status_code == 404  # once only
    r = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401  # the browser holds the kiosk's only token now


async def test_take_a_number_at_the_kiosk(client: httpx.AsyncClient, db: Any) -> None:
    del db
    await make_catalogue()
    await enrol(client)
    home = await client.get("/kiosk/HD-AI")
    assert home.status_code == 200
    assert 'data-initials="gxjsqyrd"' in home.text
    matter = await client.get("/kiosk/HD-AI/matters/HTE-CERT")
    assert "研发费用专项审计报告" in matter.text  # the full checklist, up front
    form = {
        "csrf_token": hidden(matter.text, "csrf_token"),
        "form_key": hidden(matter.text, "form_key"),
        "matter_code": "HTE-CERT",
    }
    receipt = await client.post("/kiosk/HD-AI/tickets", data=form)
    assert receipt.status_code == 200
    assert 'data-testid="ticket-no">B001<' in receipt.text
    assert "<svg" in receipt.text
    again = await client.post("/kiosk/HD-AI/tickets", data=form)  # a double tap
    assert 'data-testid="ticket-no">B001<' in again.text
    bad = await client.post(
        "/kiosk/HD-AI/tickets", data={**form, "csrf_token": "x", "form_key": "another-tap"}
    )
    assert bad.status_code == 403
    assert await Ticket.all().count() == 1  # only the first tap's B001


async def test_submit_a_case_at_the_kiosk(client: httpx.AsyncClient, db: Any) -> None:
    del db
    await make_catalogue()
    await enrol(client)
    page = await client.get("/kiosk/HD-AI/matters/TECH-SME/apply")
    form = {
        "csrf_token": hidden(page.text, "csrf_token"),
        "form_key": hidden(page.text, "form_key"),
        "matter_code": "TECH-SME",
        "uscc": make_uscc(5),
        "firm_name": "北京测试科技有限公司",
        "materials": ["application", "license", "rd_statement"],
    }
    r = await client.post("/kiosk/HD-AI/cases", data=form)
    assert r.status_code == 200, r.text
    case_no = re.search(r'data-testid="case-no">([^<]+)<', r.text)
    assert case_no
    assert "<svg" in r.text
    shown = re.search(r'data-testid="query-code">([A-Z0-9]{4})-([A-Z0-9]{4})<', r.text)
    assert shown
    case = await Case.get(case_no=case_no.group(1))
    assert case.query_code == shown.group(1) + shown.group(2)
    query = await client.get("/kiosk/HD-AI/query")
    for code in (shown.group(0)[-10:-1], make_uscc(5)):  # the receipt's code, or the USCC here
        found = await client.post(
            "/kiosk/HD-AI/query",
            data={
                "csrf_token": hidden(query.text, "csrf_token"),
                "case_no": case.case_no,
                "code": code,
            },
        )
        assert found.status_code == 200, code
        assert 'data-testid="query-result"' in found.text
    wrong = await client.post(
        "/kiosk/HD-AI/cases", data={**form, "form_key": "k2", "uscc": "91110108MA0000000X"}
    )
    assert wrong.status_code == 422
    assert 'data-testid="error"' in wrong.text


async def test_console_calls_and_board_shows(client: httpx.AsyncClient, db: Any) -> None:
    del db
    await make_catalogue()
    await enrol(client)
    matter = await client.get("/kiosk/HD-AI/matters/HTE-CERT")
    await client.post(
        "/kiosk/HD-AI/tickets",
        data={
            "csrf_token": hidden(matter.text, "csrf_token"),
            "form_key": "f1",
            "matter_code": "HTE-CERT",
        },
    )
    await make_user(username="clerk-page")
    login = await page_login(client, "clerk-page", PASSWORD)
    assert login.status_code == 303
    pick = await client.get("/clerk")
    assert 'data-testid="window-HD-AI-W1">1号窗口<' in pick.text  # the name, not the code
    page = await client.get("/clerk?window=HD-AI-W1")
    assert 'data-testid="count-B">1<' in page.text
    r = await client.post(
        "/clerk/window/call-next", data={"csrf_token": hidden(page.text, "csrf_token")}
    )
    assert r.status_code == 303
    page = await client.get("/clerk")
    assert 'data-testid="current-ticket">B001<' in page.text
    assert ">HD-AI-W1<" not in page.text
    assert "1号窗口" in page.text
    board = await client.get("/board/HD-AI")
    assert "B001" in board.text
    assert '<span class="win-name">1号窗口</span>' in board.text


async def test_receipt_qr_page_void_and_kiosk_query(client: httpx.AsyncClient, db: Any) -> None:
    del db
    from servicedesk.queue.models import Ticket

    await make_catalogue()
    await enrol(client)
    matter = await client.get("/kiosk/HD-AI/matters/HTE-CERT")
    csrf = hidden(matter.text, "csrf_token")
    receipt = await client.post(
        "/kiosk/HD-AI/tickets",
        data={"csrf_token": csrf, "form_key": "v1", "matter_code": "HTE-CERT"},
    )
    ticket = await Ticket.get(ticket_no="B001")
    assert f"/ticket/{ticket.code}" in receipt.text or "<svg" in receipt.text
    status = await client.get(f"/ticket/{ticket.code}")
    assert status.status_code == 200
    assert "B001" in status.text
    assert "等候中" in status.text
    voided = await client.post(
        "/kiosk/HD-AI/void", data={"csrf_token": csrf, "ticket_id": str(ticket.id)}
    )
    assert 'data-testid="message"' in voided.text
    assert (await Ticket.get(id=ticket.id)).status.value == "cancelled"
    query = await client.get("/kiosk/HD-AI/query")
    missing = await client.post(
        "/kiosk/HD-AI/query",
        data={"csrf_token": hidden(query.text, "csrf_token"), "case_no": "X", "code": "Y"},
    )
    assert missing.status_code == 404
    checkin = await client.post(
        "/kiosk/HD-AI/check-in", data={"csrf_token": csrf, "code": "ABCDEF"}
    )
    assert checkin.status_code == 404
    assert 'data-testid="error"' in checkin.text


async def test_the_firm_cancels_from_its_receipt_page(client: httpx.AsyncClient, db: Any) -> None:
    del db
    from servicedesk.queue.models import Ticket

    await make_catalogue()
    await enrol(client)
    matter = await client.get("/kiosk/HD-AI/matters/HTE-CERT")
    await client.post(
        "/kiosk/HD-AI/tickets",
        data={
            "csrf_token": hidden(matter.text, "csrf_token"),
            "form_key": "v2",
            "matter_code": "HTE-CERT",
        },
    )
    ticket = await Ticket.get(ticket_no="B001")
    cancelled = await client.post(f"/ticket/{ticket.code}/cancel")
    assert cancelled.status_code == 303
    assert (await Ticket.get(id=ticket.id)).status.value == "cancelled"
    bad = await client.post(
        "/kiosk/HD-AI/void",
        data={"csrf_token": "x", "ticket_id": "abc"},
        headers={"accept": "text/html"},
    )
    assert bad.status_code in {403, 422}


async def test_an_idle_board_says_no_one_is_called_in_either_language(
    client: httpx.AsyncClient, db: Any
) -> None:
    del db
    await make_catalogue()
    zh = await client.get("/board/HD-AI?lang=zh")
    assert zh.text.count("暂无叫号") == 3  # both panels, and the template the script re-uses
    en = await client.get("/board/HD-AI?lang=en")
    assert "No one called yet" in en.text
    assert 'href="/static/fonts.css"' in zh.text
    assert 'href="/static/app.css"' in en.text
