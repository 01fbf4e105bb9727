"""Service evaluation in real Chromium: the window's tablet, and a bad rating answered
by the supervisor and read by the firm in its progress query."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import login, screenshot
from tests.factories import case_body, make_uscc

pytestmark = pytest.mark.browser
PASSWORD = "demo-pass-2026"


async def _take_number(browser: Browser, base: str) -> str:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    kiosk = await context.new_page()
    await kiosk.goto(f"{base}/kiosk/HD-AI/matters/WORK-RES")
    await kiosk.get_by_test_id("take-ticket").click()
    number = await kiosk.get_by_test_id("ticket-no").inner_text()
    await context.close()
    return number


async def test_a_firm_rates_at_the_window_tablet(
    page: Page, browser: Browser, live_server: str
) -> None:
    tablet_context = await browser.new_context(viewport={"width": 1024, "height": 768})
    tablet = await tablet_context.new_page()
    await login(page, live_server, "clerk-hd")
    await page.goto(f"{live_server}/clerk?window=HD-AI-W3")
    while await page.get_by_test_id("action-complete").count():  # left over by other tests
        await page.get_by_test_id("action-complete").click()
    await tablet.goto(f"{live_server}/rate/HD-AI-W3")
    await _take_number(browser, live_server)
    await page.get_by_test_id("call-next").click()
    served = await page.get_by_test_id("current-ticket").inner_text()
    await page.get_by_test_id("action-complete").click()
    await expect(page.get_by_test_id("current-ticket")).to_have_count(0)

    # The tablet refreshes itself; reload rather than wait for it.
    await tablet.goto(f"{live_server}/rate/HD-AI-W3")
    await expect(tablet.get_by_test_id("tablet-ticket")).to_have_text(served)
    await tablet.get_by_test_id("level-5").click()
    await tablet.get_by_test_id("tag-efficient").check()
    await tablet.get_by_test_id("comment").fill("很快就办好了")
    await screenshot(tablet, "rate-tablet")
    await tablet.get_by_test_id("submit-rating").click()
    await expect(tablet.get_by_test_id("thanks")).to_be_visible()
    await tablet.goto(f"{live_server}/rate/HD-AI-W3")
    await expect(tablet.get_by_test_id("tablet-idle")).to_be_visible()  # rated once only
    await tablet_context.close()


async def _decided_case(base: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=f"{base}/api/v1", timeout=30) as api:
        token = await api.post("/auth/token", json={"username": "clerk-hd", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        body = case_body(uscc=make_uscc(4711), name="北京评价测试科技有限公司")
        case: dict[str, Any] = (await api.post("/cases", json=body, headers=headers)).json()
        for step in ("accept", "start-review", "approve"):
            r = await api.post(f"/cases/{case['case_no']}/{step}", headers=headers)
            assert r.status_code == 200, r.text
    return case


async def test_a_supervisor_answers_a_bad_rating_and_the_firm_reads_it(
    page: Page, browser: Browser, live_server: str
) -> None:
    case = await _decided_case(live_server)
    firm_context = await browser.new_context(viewport={"width": 430, "height": 900})
    firm = await firm_context.new_page()
    query = f"{live_server}/query?case_no={case['case_no']}&query_code={case['query_code']}"
    await firm.goto(query)
    await firm.get_by_test_id("level-1").click()
    await firm.get_by_test_id("tag-multiple_visits").check()
    await firm.get_by_test_id("comment").fill("跑了三次才办成")
    await firm.get_by_test_id("submit-rating").click()
    await expect(firm.get_by_test_id("reply-pending")).to_be_visible()

    await login(page, live_server, "supervisor-hd")
    await page.get_by_test_id("nav-follow-ups").click()
    card = page.locator("article.follow-up", has_text=case["case_no"])
    await expect(card).to_contain_text("跑了三次才办成")
    await card.get_by_test_id("reply-text").fill("已核实，材料清单已更新并向窗口人员培训")
    await screenshot(page, "follow-ups")
    await card.get_by_test_id("send-reply").click()
    await expect(page.locator("article.follow-up", has_text=case["case_no"])).to_contain_text(
        "已核实，材料清单已更新"
    )

    await firm.goto(query)
    await expect(firm.get_by_test_id("reply")).to_contain_text("材料清单已更新并向窗口人员培训")
    await screenshot(firm, "query-reply")
    await firm_context.close()
