"""The hall by touch, in real headless Chromium: a case queried at the kiosk with the
on-screen keypad alone and with a QR scanner, and the board's speech naming the window."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.a11y import axe_violations, gallery_shot, small_targets
from tests.browser.conftest import login
from tests.browser.docs import shot, token
from tests.factories import make_uscc

pytestmark = pytest.mark.browser

# Replaces the browser's synthesiser: every utterance's text lands in window.spoken.
SPEECH_STUB = """
window.spoken = [];
window.SpeechSynthesisUtterance = function (text) { this.text = text; };
Object.defineProperty(window, "speechSynthesis", {
  configurable: true,
  value: { speak: function (u) { window.spoken.push(u.text); }, cancel: function () {} },
});
"""


def _case(base: str, serial: int) -> dict[str, Any]:
    """A case at HD-AI through the clerk's API: its number and query code."""
    r = httpx.post(
        f"{base}/api/v1/cases",
        headers=token(base, "clerk-hd"),
        json={
            "service_point": "HD-AI",
            "matter_code": "HTE-CERT",
            "firm": {
                "uscc": make_uscc(serial, prefix="91110108MB"),
                "name": "北京触屏查询有限公司",
            },
            "materials": ["application", "license", "rd_audit"],
        },
    )
    r.raise_for_status()
    return dict(r.json())


async def _tap(page: Page, text: str) -> None:
    for char in text:
        await page.locator(f".keypad button[data-key='{char}']").click()


async def _kiosk_page(browser: Browser) -> Page:
    # axe is injected as a script: the test's page may bypass the pages' CSP to do so.
    context = await browser.new_context(viewport={"width": 1280, "height": 1000}, bypass_csp=True)
    return await context.new_page()


async def _accessible(page: Page) -> None:
    assert await axe_violations(page) == []
    assert await small_targets(page) == []


async def test_a_case_is_queried_by_touch_alone(browser: Browser, live_server: str) -> None:
    case = _case(live_server, 16001)
    page = await _kiosk_page(browser)
    await page.goto(f"{live_server}/kiosk/HD-AI/query")
    keypad = page.get_by_test_id("keypad")
    await _tap(page, case["case_no"])  # the case-number field has focus and "-" on its keypad
    await expect(page.get_by_test_id("query-case-no")).to_have_value(case["case_no"])

    await page.get_by_test_id("query-uscc").click()  # the keypad follows: no I, O, S, V, Z
    for absent in "IOSVZ-":
        await expect(keypad.locator(f"button[data-key='{absent}']")).to_have_count(0)
    await page.get_by_test_id("query-code").click()
    await expect(keypad.locator("button[data-key='-']")).to_have_count(0)
    await _tap(page, case["query_code"])
    await expect(page.get_by_test_id("query-code")).to_have_value(case["query_code"])
    await shot(page, "kiosk-query-touch")
    await page.get_by_test_id("query-submit").click()
    await expect(page.get_by_test_id("query-result")).to_contain_text(case["case_no"])
    await _accessible(page)
    await page.context.close()


async def test_kiosk_receipts_are_accessible_by_touch(browser: Browser, live_server: str) -> None:
    page = await _kiosk_page(browser)
    for lang in ("zh", "en"):
        await page.goto(f"{live_server}/kiosk/HD-AI/matters/TECH-SME?lang={lang}")
        await page.get_by_test_id("take-ticket").click()
        await expect(page.get_by_test_id("receipt")).to_be_visible()
        await _accessible(page)
        await gallery_shot(page, f"kiosk-receipt-{lang}")
    await page.goto(f"{live_server}/kiosk/HD-AI/matters/HTE-CERT/apply?lang=zh")
    for box in await page.locator("input[name=materials]").all():
        await box.check()
    await page.get_by_test_id("uscc").fill(make_uscc(16009, prefix="91110108MB"))
    await page.get_by_test_id("firm-name").fill("北京回执无障碍有限公司")
    await page.get_by_test_id("submit-case").click()
    await expect(page.get_by_test_id("case-receipt")).to_be_visible()
    await _accessible(page)
    await gallery_shot(page, "kiosk-case-receipt-zh")
    await page.context.close()


@pytest.mark.parametrize("suffix", ["\n", ""], ids=["enter", "no-enter"])
async def test_a_case_is_queried_by_scanning_the_receipt_qr(
    page: Page, live_server: str, suffix: str
) -> None:
    case = _case(live_server, 16002 + len(suffix))
    # What the receipt's QR holds (kiosk_ui.pages.kiosk._query_url), typed as a scanner does:
    # fast keystrokes into whatever has focus, then (usually) Enter.
    payload = f"{live_server}/query?case_no={case['case_no']}&query_code={case['query_code']}"
    await page.goto(f"{live_server}/kiosk/HD-AI/query?lang=en")
    await page.locator(
        ".keypad button[data-key='clear']"
    ).click()  # focus on the keypad, not a field
    await page.keyboard.type(payload + suffix, delay=3)  # some scanners send no Enter
    await expect(page.get_by_test_id("query-result")).to_contain_text(case["case_no"])
    await expect(page.get_by_test_id("query-code")).to_have_value(case["query_code"])


async def test_the_board_speaks_the_number_and_the_window_name(
    page: Page, browser: Browser, live_server: str
) -> None:
    context = await browser.new_context(viewport={"width": 1600, "height": 900})
    await context.add_init_script(SPEECH_STUB)
    board = await context.new_page()
    await board.goto(f"{live_server}/board/HD-AI")
    await expect(board.get_by_test_id("live")).to_have_class("live-dot on")
    await board.get_by_test_id("sound").click()

    kiosk = await browser.new_page()
    await kiosk.goto(f"{live_server}/kiosk/HD-AI/matters/TECH-SME")
    await kiosk.get_by_test_id("take-ticket").click()
    await kiosk.close()
    await login(page, live_server, "clerk-hd")
    await page.goto(f"{live_server}/clerk?window=HD-AI-W1")
    while await page.get_by_test_id("action-complete").count():  # left over by other tests
        await page.get_by_test_id("action-complete").click()
    await page.get_by_test_id("call-next").click()
    called = (await page.get_by_test_id("current-ticket").inner_text()).strip()

    await expect(board.get_by_test_id("now-calling")).to_contain_text(f"{called}→ 1号窗口")
    for _ in range(50):  # polled: wait_for_function evaluates a string, which the CSP refuses
        if await board.evaluate("window.spoken.length"):
            break
        await board.wait_for_timeout(100)
    spoken = await board.evaluate("window.spoken")
    assert spoken[-1] == f"请 {called} 号到 1号窗口 办理"
    assert "HD-AI-W1" not in spoken[-1]
    await page.get_by_test_id("action-complete").click()
    await context.close()


async def test_a_waiting_tickets_status_page_passes_axe(browser: Browser, live_server: str) -> None:
    admin = token(live_server, "admin")
    kiosk = httpx.post(
        f"{live_server}/api/v1/admin/kiosks", headers=admin, json={"service_point": "HD-AI"}
    ).json()
    ticket = httpx.post(
        f"{live_server}/api/v1/service-points/HD-AI/tickets",
        headers={"Authorization": f"Bearer {kiosk['token']}"},
        json={"matter_code": "TECH-SME"},
    ).json()
    # The receipt's QR opens this page on the holder's phone; it keeps itself current.
    context = await browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    phone = await context.new_page()
    for lang in ("zh", "en"):
        await phone.goto(f"{live_server}/ticket/{ticket['receipt_code']}?lang={lang}")
        await expect(phone.get_by_test_id("ticket-status")).to_contain_text(ticket["ticket_no"])
        await expect(phone.get_by_test_id("ticket-status")).to_have_attribute("data-refresh", "30")
        assert await axe_violations(phone) == []
        await gallery_shot(phone, f"ticket-status-{lang}")
    await context.close()
