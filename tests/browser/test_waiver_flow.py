"""The article-22 flow in real headless Chromium, screenshots for docs/waivers.md.

One official reviews a rating run, a second confirms and publishes it; the incubator
sees its new grade and reasons; a clerk accepts a recommended case and sees that the
on-site inspection is waived, and why.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from servicedesk.exemptions.spotchecks import draw_key, is_drawn
from servicedesk.settings import DEV_SECRET
from tests.browser.conftest import ROOT, login, screenshot

pytestmark = pytest.mark.browser
DOCS = ROOT / "docs" / "screenshots"
PASSWORD = "demo-pass-2026"


async def shot(page: Page, name: str) -> None:
    path: Path = await screenshot(page, name)
    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, DOCS / path.name)


async def as_user(browser: Browser, base: str, username: str) -> Page:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = await context.new_page()
    await login(page, base, username)
    return page


def token(base: str, username: str) -> dict[str, str]:
    r = httpx.post(f"{base}/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def recommended_case(base: str) -> tuple[str, str]:
    """A case at HD-AI recommended by INC-HD-001 whose spot-check draw misses."""
    seed = httpx.get(f"{base}/api/v1/policy", headers=token(base, "official-li")).json()
    incubator, clerk = token(base, "incubator-hd"), token(base, "clerk-hd")
    firms = httpx.get(f"{base}/api/v1/incubators/INC-HD-001/firms", headers=incubator).json()
    matters = {
        m["code"]: m for m in httpx.get(f"{base}/api/v1/service-points/HD-AI/matters").json()
    }
    for firm in [f for f in firms if f["status"] == "incubated"]:
        for code in seed["waivable_matters"]:
            r = httpx.post(
                f"{base}/api/v1/recommendations",
                headers=incubator,
                json={"firm_uscc": firm["uscc"], "matter_code": code},
            )
            if r.status_code != 201:
                continue
            rec_id = r.json()["id"]
            # The demo server keys its draws with the development secret.
            if is_drawn(draw_key(DEV_SECRET), rec_id, seed["spot_check_rates"]["A"]):
                continue
            materials = [m["code"] for m in matters[code]["materials"]]
            r = httpx.post(
                f"{base}/api/v1/cases",
                headers=clerk,
                json={
                    "service_point": "HD-AI",
                    "matter_code": code,
                    "materials": materials,
                    "firm": {"uscc": firm["uscc"], "name": firm["name"]},
                    "recommendation_id": rec_id,
                },
            )
            r.raise_for_status()
            return r.json()["case_no"], r.json()["query_code"]
    raise AssertionError("no recommendable firm left in the demo")


async def test_review_confirm_publish_then_waive(browser: Browser, live_server: str) -> None:
    base = live_server
    li = await as_user(browser, base, "official-li")
    await expect(li.get_by_test_id("ratings-table")).to_contain_text("INC-HD-001")
    await shot(li, "waivers-01-dashboard")

    await li.goto(f"{base}/officials/review")
    await li.get_by_test_id("run-period").fill("2026-Q4")
    await li.get_by_test_id("start-run").click()
    await expect(li.get_by_test_id("run-title")).to_contain_text("2026-Q4")
    await li.get_by_test_id("approve-all").click()
    row = li.get_by_test_id("rating-INC-HD-001")
    await expect(row).to_contain_text("李处长 · 主管部门")
    await expect(li.get_by_test_id("confirm-all")).to_be_visible()
    await shot(li, "waivers-02-reviewed")
    run_url = li.url.split("#")[0]
    await li.get_by_test_id("confirm-all").click()  # the reviewer may not confirm: nothing moves
    await expect(li.get_by_test_id("rating-INC-HD-001")).not_to_contain_text("复核 official")

    wang = await as_user(browser, base, "official-wang")
    await wang.goto(run_url)
    await wang.get_by_test_id("confirm-all").click()
    await expect(wang.get_by_test_id("rating-INC-HD-001")).to_contain_text("王科长 · 主管部门")
    await wang.get_by_test_id("publish").click()
    await expect(wang.get_by_test_id("run-title")).to_contain_text("已发布")
    await shot(wang, "waivers-03-published")

    operator = await as_user(browser, base, "incubator-hd")
    card = operator.get_by_test_id("published-rating")
    await expect(card).to_contain_text("2026-Q4")
    await expect(card.locator(".grade")).to_have_text("A")
    await expect(card.locator(".reason-codes")).to_be_visible()
    await shot(operator, "waivers-04-incubator-portal")

    case_no, query_code = recommended_case(base)
    clerk = await as_user(browser, base, "clerk-hd")
    await clerk.goto(f"{base}/clerk/cases/{case_no}")
    await clerk.get_by_test_id("accept").click()
    inspection = clerk.get_by_test_id("inspection")
    await expect(inspection).to_contain_text("免于实地核查")
    await expect(inspection).to_contain_text("已发布评级 A")
    await expect(inspection.locator("li.no")).to_have_count(0)
    await shot(clerk, "waivers-05-clerk-waived")

    await clerk.goto(f"{base}/query?case_no={case_no}&code={query_code}")
    await expect(clerk.locator("main")).to_contain_text("免于实地核查")
    await shot(clerk, "waivers-06-firm-query")
