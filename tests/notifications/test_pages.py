"""The pages: officials' messages, the clerk's case, the query page's withdrawal, the kiosk."""

from __future__ import annotations

import re
from typing import Any

import httpx

from servicedesk.notifications.models import Contact, Message, MessageStatus
from tests.factories import make_uscc, make_user, submit_case
from tests.kiosk_ui.pages import page_session

CONTACT = {"mobile": "13812345678", "email": "boss@example.com", "consent": True}


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match, "form without CSRF token"
    return match.group(1)


async def test_officials_page_shows_states_channels_off_and_retries_a_dead_message(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    case = await submit_case(client, hall["kiosk"], contact=CONTACT)
    dead = await Message.get(case_no=case["case_no"], channel="sms")
    await Message.filter(id=dead.id).update(status=MessageStatus.DEAD, last_error="HTTP 503")
    assert (await client.get("/officials/messages")).status_code == 303
    await page_session(client, "clerk1")
    assert (await client.get("/officials/messages")).status_code == 403
    await make_user(username="official1", role="official")
    token = await page_session(client, "official1")
    page = await client.get("/officials/messages")
    assert page.status_code == 200
    assert 'data-testid="channel-off-email"' in page.text
    assert 'data-testid="channel-off-sms"' in page.text
    assert "138****5678" in page.text
    assert "13812345678" not in page.text
    dead_only = await client.get("/officials/messages?status=dead&lang=en")
    assert "not sent: channel off" in dead_only.text  # the state tab, in English
    assert f'data-testid="retry-{dead.id}"' in dead_only.text
    assert "boss" not in dead_only.text  # the e-mail row is not dead
    r = await client.post(
        f"/officials/messages/{dead.id}/retry", data={"csrf_token": token, "status": "dead"}
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/officials/messages?status=dead"
    assert (await Message.get(id=dead.id)).status is MessageStatus.QUEUED
    forged = await client.post(f"/officials/messages/{dead.id}/retry", data={"csrf_token": "x"})
    assert forged.status_code == 403


async def test_clerk_case_page_lists_the_firms_messages_with_its_contact(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    case = await submit_case(client, hall["kiosk"], contact=CONTACT)
    await page_session(client, "clerk1")
    page = await client.get(f"/clerk/cases/{case['case_no']}")
    assert page.status_code == 200
    section = page.text.split('data-testid="messages"', 1)[1]
    assert section.count("收件通知") == 2
    assert "待发送" in section
    assert "13812345678" in page.text  # the clerk may have to phone the firm


async def test_query_page_shows_the_masked_contact_and_withdraws_consent(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    case = await submit_case(client, hall["kiosk"], contact=CONTACT)
    params = {"case_no": case["case_no"], "query_code": case["query_code"]}
    page = await client.get("/query", params=params)
    assert "138****5678" in page.text
    assert "b***@example.com" in page.text
    assert "13812345678" not in page.text
    wrong = await client.post(
        "/query/withdraw-consent",
        data={**params, "query_code": "WRONG234", "csrf_token": csrf(page.text)},
    )
    assert wrong.status_code == 404
    assert await Contact.exists(holder=f"firm:{make_uscc(1)}", consent_at__isnull=False)
    r = await client.post("/query/withdraw-consent", data={**params, "csrf_token": csrf(page.text)})
    assert r.status_code == 303
    after = await client.get(r.headers["location"])
    assert 'data-testid="withdrawn"' in after.text
    assert 'data-testid="withdraw-consent"' not in after.text
    contact = await Contact.get(holder=f"firm:{make_uscc(1)}")
    assert contact.mobile is None
    assert contact.consent_at is None


async def test_kiosk_forms_keep_a_contact_only_with_the_box_ticked(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    del hall
    from tests.queue.test_kiosk_pages import enrol

    await enrol(client)
    form = await client.get("/kiosk/HD-AI/matters/HTE-CERT/apply")
    assert 'data-testid="contact-consent"' in form.text
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form.text)
    assert token
    base = {
        "csrf_token": token.group(1),
        "matter_code": "HTE-CERT",
        "firm_name": "北京测试科技有限公司",
        "materials": ["application", "license"],
        "contact_mobile": "13812345678",
        "contact_lang": "en",
    }
    r = await client.post("/kiosk/HD-AI/cases", data={**base, "uscc": make_uscc(3)})
    assert r.status_code == 200, r.text
    assert not await Contact.exists()  # typed but not ticked: nothing kept
    bad = await client.post(
        "/kiosk/HD-AI/cases",
        data={**base, "uscc": make_uscc(4), "contact_mobile": "123", "contact_consent": "1"},
    )
    assert bad.status_code == 422
    assert "contact mobile" in bad.text
    r = await client.post(
        "/kiosk/HD-AI/cases", data={**base, "uscc": make_uscc(5), "contact_consent": "1"}
    )
    assert r.status_code == 200
    contact = await Contact.get(holder=f"firm:{make_uscc(5)}")
    assert contact.mobile == "13812345678"
    assert contact.lang == "en"
    (message,) = await Message.filter(holder=f"firm:{make_uscc(5)}")
    assert message.template == "received"
    assert message.lang == "en"
    ticket = await client.post(
        "/kiosk/HD-AI/tickets",
        data={
            "csrf_token": token.group(1),
            "matter_code": "HTE-CERT",
            "contact_mobile": "13900001111",
            "contact_consent": "1",
        },
    )
    assert ticket.status_code == 200, ticket.text
    assert await Contact.exists(holder__startswith="ticket:", mobile="13900001111")
