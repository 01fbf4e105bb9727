"""Appointments for people, in real headless Chromium: a clerk opens a slot at their
own point, a firm books it by its credit code and cancels with the link it was given."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.async_api import Browser, expect

from servicedesk.timeutil import today
from tests.browser.docs import as_user, shot
from tests.factories import make_uscc

pytestmark = pytest.mark.browser


def _uscc(serial: int) -> str:
    return make_uscc(serial, prefix="91110108MB")


async def test_a_firm_books_and_cancels_an_appointment(browser: Browser, live_server: str) -> None:
    base = live_server
    day = (today() + timedelta(days=4)).isoformat()
    clerk = await as_user(browser, base, "clerk-hd")
    await clerk.goto(f"{base}/clerk/slots?day={day}")
    form = clerk.get_by_test_id("slot-form")
    await form.locator("input[name=start]").fill("15:05")
    await form.locator("input[name=end]").fill("15:35")
    await form.locator("select[name=queue]").select_option("B")
    await form.locator("input[name=capacity]").fill("2")
    await form.locator("button[type=submit]").click()
    await expect(clerk.locator("table.data")).to_contain_text("已约 0 / 共 2")
    await shot(clerk, "booking-01-clerk-slots")

    firm = await browser.new_page(viewport={"width": 1280, "height": 900})
    await firm.goto(f"{base}/appointments?sp=HD-AI&day={day}")
    slot = firm.locator("label.check", has_text="15:05")
    await expect(slot).to_contain_text("2")
    await slot.locator("input[type=radio]").check()
    booking = firm.get_by_test_id("booking-form")
    await booking.locator("select[name=matter_code]").select_option("HTE-CERT")
    await firm.get_by_test_id("booking-uscc").fill(_uscc(4242))
    await booking.locator("input[name=firm_name]").fill("北京预约测试科技有限公司")
    await shot(firm, "booking-02-form")
    await firm.get_by_test_id("book").click()
    done = firm.get_by_test_id("booking-done")
    await expect(done).to_contain_text("北京预约测试科技有限公司")
    await expect(firm.get_by_test_id("booking-code")).to_have_text(re.compile(r"\w{4,}"))
    await shot(firm, "booking-03-booked")

    await clerk.goto(f"{base}/clerk/slots?day={day}")
    await expect(clerk.locator("table.data")).to_contain_text("已约 1 / 共 2")
    await expect(clerk.locator("table.data")).to_contain_text("北京预约测试科技有限公司")

    await firm.get_by_test_id("cancel-link").click()
    await firm.get_by_test_id("confirm-cancel").click()
    await expect(firm.get_by_test_id("cancelled")).to_be_visible()
    await shot(firm, "booking-04-cancelled")
    await clerk.goto(f"{base}/clerk/slots?day={day}")
    await expect(clerk.locator("table.data")).to_contain_text("已约 0 / 共 2")
