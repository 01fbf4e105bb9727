"""The firm's progress query in a real browser: a case accepted with a deficiency says
what is still owed and by when, in Chinese and in English."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.docs import token
from tests.factories import HTE_CORE, make_uscc

pytestmark = pytest.mark.browser


async def test_a_deficient_case_states_what_is_owed_and_by_when(
    page: Page, live_server: str
) -> None:
    clerk = token(live_server, "clerk-hd")
    r = httpx.post(
        f"{live_server}/api/v1/cases",
        headers=clerk,
        json={
            "service_point": "HD-AI",
            "matter_code": "HTE-CERT",
            "firm": {"uscc": make_uscc(16101, prefix="91110108MB"), "name": "北京补交测试有限公司"},
            "materials": HTE_CORE,
        },
    )
    r.raise_for_status()
    case = r.json()
    due = date.today() + timedelta(days=10)
    accepted = httpx.post(
        f"{live_server}/api/v1/cases/{case['case_no']}/accept",
        headers=clerk,
        json={"with_deficiency": True, "supplement_due": due.isoformat()},
    )
    accepted.raise_for_status()
    owed = accepted.json()["owed_materials"]
    assert owed
    query = f"{live_server}/query?case_no={case['case_no']}&query_code={case['query_code']}"
    await page.goto(query)
    main = page.locator("main")
    await expect(main).to_contain_text(f"请于 {due.isoformat()} 前补交：")
    for code in owed:
        await expect(main).not_to_contain_text(code)  # names, never material codes
    await page.goto(query + "&lang=en")
    await expect(main).to_contain_text(f"Please hand in by {due.day} {due:%b} {due.year}: ")
