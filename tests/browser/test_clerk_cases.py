"""A clerk logs in and accepts a case in real headless Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser


async def test_clerk_logs_in_and_accepts_a_case(page: Page, live_server: str) -> None:
    await login(page, live_server, "clerk-hd")
    await page.goto(f"{live_server}/clerk/cases?status=submitted")
    links = page.get_by_test_id("case-link")
    await expect(links.first).to_be_visible()
    case_no = await links.first.inner_text()
    await links.first.click()
    await expect(page.locator("h1")).to_contain_text(case_no)
    await screenshot(page, "clerk-case-before-accept")
    await page.get_by_test_id("accept").click()
    # Accepted, or accepted with deficiency when non-core materials are owed.
    await expect(page.locator("h1 .badge")).to_have_text(re.compile("^(已受理|容缺受理)$"))
    await expect(page.get_by_test_id("deadline")).to_contain_text("20")
    await expect(page.locator(".timeline")).to_contain_text("受理")
    await screenshot(page, "clerk-case-accepted")
    await page.goto(f"{live_server}/clerk/cases/{case_no}?lang=en")
    await expect(page.locator("h1 .badge")).to_have_text(re.compile("^Accepted"))


async def test_login_with_wrong_password_stays_on_login(page: Page, live_server: str) -> None:
    await login(page, live_server, "clerk-hd", password="wrong-password")
    await expect(page.get_by_role("alert")).to_contain_text("用户名或密码错误")
    await page.goto(f"{live_server}/clerk/cases")
    assert "/login" in page.url
