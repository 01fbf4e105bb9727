"""A clerk calls a number and the hall's board shows it, live, in real Chromium."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser


async def _take_number(browser: Browser, base: str) -> str:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    kiosk = await context.new_page()
    await kiosk.goto(f"{base}/kiosk/HD-AI/matters/TECH-SME")
    await kiosk.get_by_test_id("take-ticket").click()
    number = await kiosk.get_by_test_id("ticket-no").inner_text()
    await context.close()
    return number


async def test_clerk_calls_and_board_shows_it_live(
    page: Page, browser: Browser, live_server: str
) -> None:
    board_context = await browser.new_context(viewport={"width": 1600, "height": 900})
    board = await board_context.new_page()
    await board.goto(f"{live_server}/board/HD-AI")
    await expect(board.get_by_test_id("live")).to_have_class("live-dot on")

    await login(page, live_server, "clerk-hd")
    await page.goto(f"{live_server}/clerk?window=HD-AI-W2")
    await expect(page.get_by_test_id("live")).to_have_class("live-dot on")
    while await page.get_by_test_id("action-complete").count():  # left over by other tests
        await page.get_by_test_id("action-complete").click()
    before = int(await page.get_by_test_id("count-B").inner_text())
    await _take_number(browser, live_server)
    # The console hears of the new ticket without a reload.
    await expect(page.get_by_test_id("count-B")).to_have_text(str(before + 1))

    await page.get_by_test_id("call-next").click()
    called = await page.get_by_test_id("current-ticket").inner_text()
    await screenshot(page, "console-called")
    await expect(board.get_by_test_id("now-calling")).to_contain_text(called)
    await expect(board.get_by_test_id("recent-calls")).to_contain_text(called)
    await screenshot(board, "board-live")

    await page.get_by_test_id("action-recall").click()
    await page.get_by_test_id("action-start").click()
    await page.get_by_test_id("action-complete").click()
    await expect(page.get_by_test_id("current-ticket")).to_have_count(0)
    await expect(board.get_by_test_id("now-calling")).not_to_contain_text(called)
    await board_context.close()
