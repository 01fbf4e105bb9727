"""Every page, in both languages, passes axe-core with no serious or critical
violation (contrast included), shows words rather than codes, is Chinese-free in
English outside proper names, and its screenshot goes to the README's gallery."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page

from tests.browser.a11y import axe_violations, gallery_shot, small_targets
from tests.browser.conftest import login
from tests.browser.page_words import Vocabulary, vocabulary, word_problems

pytestmark = pytest.mark.browser

KIOSK = [
    ("kiosk-home", "/kiosk/HD-AI"),
    ("kiosk-matter", "/kiosk/HD-AI/matters/HTE-CERT"),
    ("kiosk-apply", "/kiosk/HD-AI/matters/HTE-CERT/apply"),
    ("kiosk-query", "/kiosk/HD-AI/query"),
    ("kiosk-check-in", "/kiosk/HD-AI/check-in"),
]
PAGES: dict[str | None, list[tuple[str, str]]] = {
    None: [
        ("entry", "/"),
        ("login", "/login"),
        ("query", "/query"),
        ("appointments", "/appointments"),
        ("board", "/board/HD-AI"),
        ("tablet", "/rate/HD-AI-W3"),
    ],
    "clerk-hd": [
        ("console", "/clerk?window=HD-AI-W3"),
        ("clerk-cases", "/clerk/cases"),
        ("clerk-case", "/clerk/cases/{case}"),
        ("clerk-intake", "/clerk/intake"),
        ("clerk-slots", "/clerk/slots"),
    ],
    "supervisor-hd": [("follow-ups", "/follow-ups")],
    "official-li": [
        ("officials", "/officials"),
        ("officials-review", "/officials/review"),
        ("officials-models", "/officials/models"),
        ("officials-policy", "/officials/policy"),
        ("officials-catalogue", "/officials/catalogue"),
        ("officials-spot-checks", "/officials/spot-checks"),
        ("officials-appeals", "/officials/appeals"),
        ("officials-messages", "/officials/messages"),
        ("officials-overdue", "/officials/overdue"),
        ("officials-incubator", "/officials/incubators/INC-HD-001"),
        ("statistics", "/statistics"),
        ("report", "/officials/report"),
    ],
    "incubator-hd": [("portal", "/incubator")],
    "admin": [
        ("admin", "/admin"),
        ("admin-points", "/admin/points"),
        ("admin-point", "/admin/points/HD-AI"),
        ("admin-matters", "/admin/matters"),
        ("admin-matter", "/admin/matters/HTE-CERT"),
        ("admin-users", "/admin/users"),
        ("admin-kiosks", "/admin/kiosks"),
        ("admin-incubators", "/admin/incubators"),
        ("admin-workdays", "/admin/workdays"),
        ("admin-catalogue", "/admin/catalogue"),
    ],
}


@pytest.fixture(scope="module")
def vocab(live_server: str) -> Vocabulary:
    return vocabulary(live_server)


def _report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{where}: {problem}" for where, ps in found.items() for problem in ps)


async def _demo_case(page: Page, base: str) -> str:
    """The case number of the first demo case on the clerk's list (numbers carry the day)."""
    await page.goto(f"{base}/clerk/cases")
    href = await page.get_by_test_id("case-link").first.get_attribute("href")
    assert href, "no demo case on the clerk's list"
    return href.rsplit("/", 1)[-1]


def _with_lang(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


@pytest.mark.parametrize("user", list(PAGES), ids=lambda u: u or "public")
async def test_pages_pass_axe_in_both_languages(
    browser: Browser, live_server: str, user: str | None, vocab: Vocabulary
) -> None:
    # axe is injected as a script: the test's page may bypass the pages' CSP to do so.
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = await context.new_page()
    if user:
        await login(page, live_server, user)
    case = await _demo_case(page, live_server) if user == "clerk-hd" else ""
    found: dict[str, list[str]] = {}
    for name, path in PAGES[user]:
        for lang in ("zh", "en"):
            response = await page.goto(live_server + _with_lang(path.format(case=case), lang))
            assert response is not None, path
            assert response.status == 200, path
            await page.wait_for_load_state("networkidle")
            await gallery_shot(page, f"{name}-{lang}")
            problems = await axe_violations(page) + await word_problems(page, lang, vocab)
            if problems:
                found[f"{path} [{lang}]"] = problems
    await context.close()
    assert not found, _report(found)


async def test_kiosk_pages_pass_axe_fit_the_screen_and_have_big_targets(
    browser: Browser, live_server: str, vocab: Vocabulary
) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 1000}, bypass_csp=True)
    page = await context.new_page()
    found: dict[str, list[str]] = {}
    for name, path in KIOSK:
        for lang in ("zh", "en"):
            await page.goto(live_server + _with_lang(path, lang))
            await gallery_shot(page, f"{name}-{lang}")
            problems = await axe_violations(page) + await small_targets(page)
            problems += await word_problems(page, lang, vocab)
            height = await page.evaluate("document.documentElement.scrollHeight")
            if height > 1000 and not await page.get_by_test_id("scroll-hint").is_visible():
                problems.append(f"{height} px tall with no scroll hint")
            if problems:
                found[f"{path} [{lang}]"] = problems
    await context.close()
    assert not found, _report(found)
