"""The booking pages: a firm books by USCC and cancels by its link; clerks see slots."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.factories import make_uscc
from tests.queue.test_appointments import open_slot


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match, "no form with a CSRF token"
    return match.group(1)


async def test_a_firm_books_and_cancels_on_the_web(
    client: httpx.AsyncClient, hall: dict[str, Any]
) -> None:
    slot = await open_slot(client, hall, capacity=2)
    page = await client.get("/appointments", params={"sp": "HD-AI", "day": slot["day"]})
    assert page.status_code == 200
    token = csrf_of(page.text)
    form = {
        "csrf_token": token,
        "sp": "HD-AI",
        "day": slot["day"],
        "slot_id": str(slot["id"]),
        "uscc": make_uscc(71),
        "firm_name": "预约测试公司",
        "matter_code": "HTE-CERT",
    }
    done = await client.post("/appointments", data=form)
    assert done.status_code == 200, done.text
    link = re.search(r'href="(/appointments/cancel/[^"]+)"', done.text)
    assert link is not None
    twice = await client.post("/appointments", data=form)
    assert twice.status_code == 409
    cancel_page = await client.get(link.group(1))
    cancelled = await client.post(link.group(1), data={"csrf_token": csrf_of(cancel_page.text)})
    assert cancelled.status_code == 200
    assert 'data-testid="cancelled"' in cancelled.text
