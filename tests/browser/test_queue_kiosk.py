"""A firm at the kiosk, in real headless Chromium: search, checklist, number, receipt."""

from __future__ import annotations

import asyncio
import re

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


async def test_firm_takes_a_number_in_chinese(page: Page, live_server: str) -> None:
    await page.goto(f"{live_server}/kiosk/HD-AI")
    await expect(page.locator("h1")).to_have_text("请选择要办理的事项")
    await screenshot(page, "kiosk-home-zh")
    for key in "GXJS":  # pinyin initials of 高新技术企业认定, on the on-screen keypad
        await page.locator(f".keypad button[data-key='{key}']").click()
    await expect(page.get_by_test_id("matter-HTE-CERT")).to_be_visible()
    await expect(page.get_by_test_id("matter-WORK-RES")).to_be_hidden()
    await page.get_by_test_id("matter-HTE-CERT").click()
    checklist = page.get_by_test_id("checklist")
    await expect(checklist).to_contain_text("一次性告知")
    await expect(checklist).to_contain_text("研发费用专项审计报告")
    await screenshot(page, "kiosk-checklist-zh")
    await page.get_by_test_id("take-ticket").click()
    receipt = page.get_by_test_id("receipt")
    await expect(receipt).to_contain_text("您的号码")
    await expect(page.get_by_test_id("ticket-no")).to_have_text(re.compile(r"B\d{3}"))
    await expect(receipt.locator("svg")).to_be_visible()  # the QR code, rendered locally
    await screenshot(page, "kiosk-receipt-zh")


async def test_firm_takes_a_number_in_english(page: Page, live_server: str) -> None:
    await page.goto(f"{live_server}/kiosk/HD-AI")
    await page.get_by_test_id("lang-switch").click()
    await expect(page.locator("h1")).to_have_text("Choose your matter")
    await page.get_by_test_id("matter-search").fill("talent")
    await page.locator(".matters li:visible a").first.click()
    await expect(page.get_by_test_id("checklist")).to_contain_text("One-time notice")
    await page.get_by_test_id("take-green").click()
    await expect(page.get_by_test_id("receipt")).to_contain_text("Your number")
    await expect(page.get_by_test_id("receipt")).to_contain_text("Green channel")
    await screenshot(page, "kiosk-receipt-en")


async def test_idle_kiosk_returns_home_and_forgets(page: Page, live_server: str) -> None:
    await page.goto(f"{live_server}/kiosk/HD-AI?lang=en&idle=3")
    for key in "GX":
        await page.locator(f".keypad button[data-key='{key}']").click()
    await expect(page.get_by_test_id("matter-search")).to_have_value("GX")
    await page.wait_for_url(f"{live_server}/kiosk/HD-AI?lang=zh", timeout=8000)
    await expect(page.get_by_test_id("matter-search")).to_have_value("")
    await expect(page.locator("h1")).to_have_text("请选择要办理的事项")  # back to Chinese
    await page.get_by_test_id("matter-HTE-CERT").click()
    await page.get_by_test_id("apply").click()
    await page.locator(".keypad[data-for='uscc'] button[data-key='9']").click()
    await expect(page.get_by_test_id("uscc")).to_have_value("9")
    await asyncio.sleep(1)
    await page.wait_for_url(f"{live_server}/kiosk/HD-AI?lang=zh", timeout=8000)
    assert "9" not in await page.get_by_test_id("matter-search").input_value()


async def test_touch_targets_are_at_least_48px(page: Page, live_server: str) -> None:
    await page.goto(f"{live_server}/kiosk/HD-AI/matters/HTE-CERT")
    sizes = await page.eval_on_selector_all(
        "a.button, button, .keypad button, a.matter",
        "els => els.filter(e => e.offsetParent).map(e => [e.getBoundingClientRect().width,"
        " e.getBoundingClientRect().height, e.textContent.trim()])",
    )
    small = [s for s in sizes if s[0] < 48 or s[1] < 48]
    assert sizes
    assert not small, small
