"""Screenshots that the README's walkthroughs show: saved under artifacts/ and copied
into docs/screenshots/."""

from __future__ import annotations

import shutil

import httpx
from playwright.async_api import Browser, Page

from tests.browser.conftest import ROOT, login, screenshot

DOCS = ROOT / "docs" / "screenshots"
PASSWORD = "demo-pass-2026"


async def shot(page: Page, name: str) -> None:
    path = await screenshot(page, name)
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
