"""The waiver path from the pages, in real headless Chromium: the incubator operator
issues a recommendation code on a slip, the firm types it at the kiosk, the clerk
accepts and sees the inspection waived with each reason."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from servicedesk.exemptions.spotchecks import draw_key, is_drawn
from servicedesk.settings import DEV_SECRET
from tests.browser.docs import as_user, shot, token

pytestmark = pytest.mark.browser
MATTER = "ZGC-HTE"


def _unrecommended_firms(base: str) -> list[dict[str, str]]:
    """INC-HD-001's incubated firms without a recommendation for the matter yet."""
    operator = token(base, "incubator-hd")
    firms = httpx.get(f"{base}/api/v1/incubators/INC-HD-001/firms", headers=operator).json()
    recs = httpx.get(f"{base}/api/v1/recommendations", headers=operator).json()
    taken = {r["firm_uscc"] for r in recs if r["matter_code"] == MATTER}
    return [f for f in firms if f["status"] == "incubated" and f["uscc"] not in taken]


def _recommendation_id(base: str, code: str) -> int:
    recs = httpx.get(f"{base}/api/v1/recommendations", headers=token(base, "incubator-hd")).json()
    return int(next(r["id"] for r in recs if r.get("code", "").upper() == code.upper()))


async def _issue(operator: Page, base: str, uscc: str) -> str:
    await operator.goto(f"{base}/incubator#recommendations")
    form = operator.locator("form[action='/incubator/recommendations']")
    await form.locator("select[name=firm_uscc]").select_option(uscc)
    await form.locator("select[name=matter_code]").select_option(MATTER)
    await form.locator("button[type=submit]").click()
    code = operator.get_by_test_id("recommendation-code")
    await expect(code).to_have_text(re.compile(r"^[A-Z0-9]{8}$"))
    await expect(operator.get_by_test_id("slip").locator("svg")).to_be_visible()
    return (await code.inner_text()).strip()


async def _apply_at_kiosk(kiosk: Page, base: str, uscc: str, code: str) -> str:
    await kiosk.goto(f"{base}/kiosk/HD-AI/matters/{MATTER}/apply")
    for box in await kiosk.locator("input[name=materials]").all():
        await box.check()
    await kiosk.get_by_test_id("uscc").fill(uscc)
    await kiosk.get_by_test_id("recommendation-code").fill(code.lower())
    await shot(kiosk, "waiver-code-02-kiosk-apply")
    await kiosk.get_by_test_id("submit-case").click()
    await expect(kiosk.get_by_test_id("case-receipt")).to_be_visible()
    return (await kiosk.get_by_test_id("case-no").inner_text()).strip()


async def test_a_recommendation_code_from_the_portal_waives_the_inspection(
    browser: Browser, live_server: str
) -> None:
    base = live_server
    policy = httpx.get(f"{base}/api/v1/policy", headers=token(base, "official-li")).json()
    operator = await as_user(browser, base, "incubator-hd")
    kiosk = await browser.new_page(viewport={"width": 1280, "height": 900})
    key = draw_key(DEV_SECRET)  # the demo server's key: the draw is keyed by it
    for firm in _unrecommended_firms(base)[:4]:
        code = await _issue(operator, base, firm["uscc"])
        case_no = await _apply_at_kiosk(kiosk, base, firm["uscc"], code)
        rec_id = _recommendation_id(base, code)
        if not is_drawn(key, rec_id, policy["spot_check_rates"]["A"]):
            break  # a case the spot-check draw passes over (A is checked at a small rate)
    else:
        raise AssertionError("every case was drawn for a spot check")
    await shot(operator, "waiver-code-01-slip")

    clerk = await as_user(browser, base, "clerk-hd")
    await clerk.goto(f"{base}/clerk/cases/{case_no}")
    await clerk.get_by_test_id("accept").click()
    inspection = clerk.get_by_test_id("inspection")
    await expect(inspection).to_contain_text("免于实地核查")
    await expect(inspection.locator("li.ok").first).to_be_visible()
    await expect(inspection.locator("li.no")).to_have_count(0)
    await shot(clerk, "waiver-code-03-clerk-waived")
