"""Statistics and the annual report in real Chromium: an official filters a point and
downloads the XLSX; the report page shows its charts; its PDF holds the year and every
section title (read back with a PDF text extractor)."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from playwright.async_api import Page, expect
from pypdf import PdfReader

from tests.browser.conftest import login, screenshot
from tests.statistics.test_annual import ENGLISH_TITLES, TITLES

pytestmark = pytest.mark.browser


async def test_an_official_filters_a_point_and_downloads_xlsx(
    page: Page, live_server: str, tmp_path: Path
) -> None:
    await login(page, live_server, "official-li")
    await page.goto(f"{live_server}/statistics")
    await expect(page.get_by_test_id("chart-days").locator("svg")).to_be_visible()
    await page.get_by_test_id("filter-point").select_option("DX-BIO")
    chosen = await page.get_by_test_id("filter-point").locator("option:checked").inner_text()
    await page.get_by_test_id("apply-filters").click()
    await expect(page.locator("h1")).to_contain_text(chosen.strip())  # the point's name
    points = page.get_by_test_id("section-points").locator("tbody tr")
    await expect(points).to_have_count(1)
    await screenshot(page, "statistics")
    async with page.expect_download() as info:
        await page.get_by_test_id("export-xlsx").click()
    download = await info.value
    target = tmp_path / download.suggested_filename
    await download.save_as(target)
    with zipfile.ZipFile(target) as book:
        sheets = re.findall(r'<sheet name="([^"]+)"', book.read("xl/workbook.xml").decode())
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "各服务点" in sheets
    assert "DX-BIO" in strings
    assert "HD-AI" not in strings  # the file holds the filtered point only


async def test_the_annual_report_renders_with_charts_and_a_pdf(
    page: Page, live_server: str, tmp_path: Path
) -> None:
    year = date.today().year
    await login(page, live_server, "official-wang")
    await page.goto(f"{live_server}/officials/report?year={year}")
    await expect(page.locator("h1")).to_contain_text(f"{year}年度")
    for key in ("incubators", "firms", "trends", "credit", "service"):
        await expect(page.get_by_test_id(f"report-{key}").locator("svg").first).to_be_visible()
    assert await page.locator("svg.chart-svg").count() >= 8
    await screenshot(page, "annual-report")
    async with page.expect_download() as info:
        await page.get_by_test_id("report-pdf").click()
    download = await info.value
    target = tmp_path / "report.pdf"
    await download.save_as(target)
    reader = PdfReader(io.BytesIO(target.read_bytes()))
    text = "".join(p.extract_text() for p in reader.pages).replace(" ", "")
    assert f"{year}年度孵化器监测与窗口服务报告" in text
    for title in TITLES:
        assert title in text, title


async def test_the_annual_report_reads_in_english(page: Page, live_server: str) -> None:
    year = date.today().year
    await login(page, live_server, "official-wang")
    await page.goto(f"{live_server}/officials/report?year={year}&lang=en")
    await expect(page.locator("h1")).to_contain_text(f"annual report {year}")
    await expect(page.locator("h2")).to_have_text(list(ENGLISH_TITLES))
    await expect(page.get_by_test_id("report-pdf")).to_have_attribute(
        "href", f"/officials/report.pdf?year={year}&lang=en"
    )
