"""The one-time notice as an A4 sheet, from the clerk's case page, in real Chromium:
on paper the page's buttons disappear and the sheet keeps the material names."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.browser.docs import as_user, shot, token
from tests.factories import make_uscc

pytestmark = pytest.mark.browser


async def test_the_clerk_prints_the_notice_of_a_returned_case(
    browser: Browser, live_server: str
) -> None:
    base = live_server
    clerk_api = token(base, "clerk-hd")
    case = httpx.post(
        f"{base}/api/v1/cases",
        headers=clerk_api,
        json={
            "service_point": "HD-AI",
            "matter_code": "HTE-CERT",
            "firm": {
                "uscc": make_uscc(7777, prefix="91110108MB"),
                "name": "北京告知测试有限公司",
            },
            "materials": ["application", "license", "rd_audit"],
        },
    ).json()
    items = {"items": [{"material_code": "license", "problem": "复印件未加盖公章"}]}
    returned = httpx.post(
        f"{base}/api/v1/cases/{case['case_no']}/return", headers=clerk_api, json=items
    )
    returned.raise_for_status()

    clerk = await as_user(browser, base, "clerk-hd")
    await clerk.goto(f"{base}/clerk/cases/{case['case_no']}")
    await clerk.get_by_test_id("notice-link").click()
    sheet = clerk.get_by_test_id("notice-sheet")
    await expect(sheet).to_contain_text(case["case_no"])
    await expect(sheet).to_contain_text("《高新技术企业认定管理办法》")
    await expect(clerk.get_by_test_id("notice-items")).to_contain_text("复印件未加盖公章")
    await expect(clerk.get_by_test_id("notice-items")).to_contain_text("知识产权证书")
    await shot(clerk, "notice-print")
    await clerk.emulate_media(media="print")
    await expect(clerk.get_by_test_id("notice-print")).to_be_hidden()
    await expect(sheet).to_be_visible()
