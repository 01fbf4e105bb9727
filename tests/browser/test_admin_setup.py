"""An administrator sets a matter up from the pages and a firm finds it on the kiosk;
the catalogue file is checked and shown as a diff before it is applied. Screenshots
for the README's "Setting up a new park"."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.docs import as_user, shot

pytestmark = pytest.mark.browser
MATTER = "PILOT-LAB"
NAME = "中试平台入驻申请"


async def _create_matter(admin: Page, base: str) -> None:
    await admin.goto(f"{base}/admin/matters")
    form = admin.get_by_test_id("matter-form")
    await form.get_by_test_id("matter-code").fill(MATTER)
    await form.get_by_test_id("matter-name").fill(NAME)
    await form.locator("input[name=name_en]").fill("Pilot platform admission")
    await form.locator("input[name=department]").fill("区科学技术委员会")
    await form.get_by_test_id("matter-promised").fill("5")
    await form.get_by_test_id("matter-statutory").fill("15")
    await form.locator("textarea[name=legal_basis]").fill("《中试平台管理办法》第十二条")
    await form.locator("input[name=industries]").fill("ai, biomedicine")
    rows = (
        ("application", "入驻申请表", "Admission form", "core"),
        ("plan", "中试方案", "Pilot plan", "core"),
        ("safety", "安全承诺书", "Safety pledge", "optional"),
    )
    for i, (code, name, name_en, core) in enumerate(rows):
        await form.get_by_test_id(f"m-code-{i}").fill(code)
        await form.get_by_test_id(f"m-name-{i}").fill(name)
        await form.get_by_test_id(f"m-name-en-{i}").fill(name_en)
        await form.get_by_test_id(f"m-core-{i}").select_option(core)
    await shot(admin, "admin-02-new-matter")
    await form.get_by_test_id("matter-create").click()
    await expect(admin.get_by_test_id("admin-saved")).to_be_visible()
    await expect(admin.locator("input[name=m_name]").nth(1)).to_have_value("中试方案")


async def test_an_admin_creates_a_matter_and_it_appears_on_the_kiosk(
    browser: Browser, live_server: str
) -> None:
    base = live_server
    admin = await as_user(browser, base, "admin")
    await expect(admin.get_by_test_id("setup-steps")).to_be_visible()  # lands on /admin
    await shot(admin, "admin-01-home")
    await _create_matter(admin, base)

    await admin.goto(f"{base}/admin/points/HD-AI")
    first_window = admin.get_by_test_id("window-HD-AI-W1").locator("input[name=name]")
    await expect(first_window).to_have_value("1号窗口")
    await admin.get_by_test_id(f"offer-{MATTER}").select_option("B")
    await admin.get_by_test_id("offering-form").locator("button[type=submit]").click()
    await expect(admin.get_by_test_id("admin-saved")).to_be_visible()
    await expect(admin.get_by_test_id(f"offer-{MATTER}")).to_have_value("B")
    await shot(admin, "admin-03-service-point")

    kiosk = await browser.new_page(viewport={"width": 1280, "height": 900})
    await kiosk.goto(f"{base}/kiosk/HD-AI")
    for key in "ZSPT":  # pinyin initials of 中试平台…, on the on-screen keypad
        await kiosk.locator(f".keypad button[data-key='{key}']").click()
    await expect(kiosk.get_by_test_id(f"matter-{MATTER}")).to_be_visible()
    await shot(kiosk, "admin-04-kiosk-finds-matter")
    await kiosk.get_by_test_id(f"matter-{MATTER}").click()
    await expect(kiosk.get_by_test_id("checklist")).to_contain_text("中试方案")
    await expect(kiosk.get_by_test_id("checklist")).to_contain_text("《中试平台管理办法》")


async def test_a_kiosk_is_enrolled_and_its_token_shown_once(
    browser: Browser, live_server: str
) -> None:
    admin = await as_user(browser, live_server, "admin")
    await admin.goto(f"{live_server}/admin/kiosks")
    form = admin.get_by_test_id("kiosk-form")
    await form.locator("select[name=service_point]").select_option("DX-BIO")
    await form.locator("input[name=name]").fill("大厅入口")
    await form.locator("button[type=submit]").click()
    shown = admin.get_by_test_id("kiosk-token")
    await expect(shown).to_contain_text("/kiosk/DX-BIO/enrol")
    await expect(shown).not_to_contain_text("?device=")  # no token in any address
    await shot(admin, "admin-05-kiosk-enrolled")
    code = (await admin.get_by_test_id("enrol-code").inner_text()).strip()
    kiosk = await browser.new_page()
    await kiosk.goto(f"{live_server}/kiosk/DX-BIO/enrol")
    await kiosk.get_by_test_id("enrol-code").fill(code)
    await kiosk.locator("form button[type=submit]").click()
    await expect(kiosk.get_by_test_id("kiosk")).to_be_visible()
    await admin.goto(f"{live_server}/admin/kiosks")
    await expect(admin.get_by_test_id("kiosk-token")).to_have_count(0)  # shown once only


async def test_a_catalogue_file_is_checked_and_applied_on_confirmation(
    browser: Browser, live_server: str
) -> None:
    admin = await as_user(browser, live_server, "admin")
    cookies = {c["name"]: c["value"] for c in await admin.context.cookies()}
    exported = httpx.get(f"{live_server}/admin/catalogue/export", cookies=cookies).text
    head, marker, tail = exported.partition('code = "HTE-CERT"\n')
    block, rest = tail.split("[[matters]]", 1)

    def promising(days: int) -> str:
        """The exported file with HTE-CERT promising ``days`` (60 is its statutory limit)."""
        promise = block.replace("promised_days = 40\n", f"promised_days = {days}\n")
        return head + marker + promise + "[[matters]]" + rest

    changed, broken = promising(35), promising(99)
    await admin.goto(f"{live_server}/admin/catalogue")
    upload = admin.get_by_test_id("catalogue-file")
    await upload.set_input_files(
        files=[{"name": "catalogue.toml", "mimeType": "text/plain", "buffer": broken.encode()}]
    )
    await admin.get_by_test_id("catalogue-upload").locator("button[type=submit]").click()
    await expect(admin.get_by_test_id("catalogue-problems")).to_contain_text(
        "may not exceed statutory_days"
    )
    await expect(admin.get_by_test_id("catalogue-apply")).to_have_count(0)
    await shot(admin, "admin-06-catalogue-refused")
    upload = admin.get_by_test_id("catalogue-file")
    await upload.set_input_files(
        files=[{"name": "catalogue.toml", "mimeType": "text/plain", "buffer": changed.encode()}]
    )
    await admin.get_by_test_id("catalogue-upload").locator("button[type=submit]").click()
    diff = admin.get_by_test_id("catalogue-diff")
    await expect(diff).to_contain_text("~ matter HTE-CERT: promised_days 40 → 35")
    await shot(admin, "admin-07-catalogue-diff")
    await admin.get_by_test_id("catalogue-apply").click()
    await expect(admin.get_by_test_id("catalogue-applied")).to_contain_text("promised_days")
