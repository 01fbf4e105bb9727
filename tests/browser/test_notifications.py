"""A firm leaves its mobile at the kiosk; an official sees the message kept as "channel
off" (the demo configures no channel); the firm withdraws consent on the query page."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import login, screenshot
from tests.factories import make_uscc

pytestmark = pytest.mark.browser


async def test_contact_message_and_withdrawal(page: Page, live_server: str) -> None:
    uscc = make_uscc(4242)
    await page.goto(f"{live_server}/kiosk/HD-AI/matters/HTE-CERT/apply")
    boxes = page.locator("input[name=materials]")
    for i in range(await boxes.count()):  # every material: a clerk's test may accept it
        await boxes.nth(i).check()
    await page.get_by_test_id("uscc").fill(uscc)
    await page.get_by_test_id("firm-name").fill("北京通知测试科技有限公司")
    await page.get_by_test_id("contact").locator("summary").click()
    for key in "13812345678":
        await page.locator(f".keypad[data-for=contact_mobile] button[data-key='{key}']").click()
    await expect(page.get_by_test_id("contact-mobile")).to_have_value("13812345678")
    await page.get_by_test_id("contact-consent").check()
    await screenshot(page, "notify-kiosk-consent")
    await page.get_by_test_id("submit-case").click()
    case_no = await page.get_by_test_id("case-no").inner_text()
    query_code = (await page.get_by_test_id("query-code").inner_text()).replace("-", "")

    await login(page, live_server, "official-li")
    await page.goto(f"{live_server}/officials/messages?status=channel_off")
    await expect(page.get_by_test_id("channel-off-sms")).to_be_visible()
    rows = page.get_by_test_id("messages")
    for _ in range(20):  # the server's own worker marks it within a poll or two
        if case_no in await rows.inner_text():
            break
        await page.wait_for_timeout(500)
        await page.reload()
    await expect(rows).to_contain_text(case_no)
    await expect(rows).to_contain_text("138****5678")
    await screenshot(page, "notify-officials-messages")

    await page.goto(f"{live_server}/query?case_no={case_no}&query_code={query_code}")
    await expect(page.get_by_test_id("consent")).to_contain_text("138****5678")
    await page.get_by_test_id("withdraw-consent").click()
    await expect(page.get_by_test_id("withdrawn")).to_be_visible()
    await screenshot(page, "notify-query-withdrawn")
