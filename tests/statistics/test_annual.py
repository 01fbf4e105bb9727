"""The annual report: its sections state the year's figures; the command writes a PDF
whose text (read back with a PDF text extractor) holds the year and every section."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader

from kiosk_ui.report import render_annual
from servicedesk.catalogue.models import ServicePoint
from servicedesk.firms.models import Firm
from servicedesk.incubators.models import Incubator
from servicedesk.seed import history
from servicedesk.statistics import annual
from servicedesk.timeutil import beijing, frozen
from tests.cli.test_cli import run
from tests.conftest import server_database_url
from tests.factories import make_world
from tests.kiosk_ui.words import cjk, visible

TITLES = (
    "一、孵化器概况",
    "二、在孵企业",
    "三、指标趋势",
    "四、信用评级、申诉、免核查与抽查",
    "五、窗口服务",
)


async def test_sections_state_the_years_figures(client: httpx.AsyncClient) -> None:
    world = await make_world(client)
    with frozen(beijing(2026, 10, 12)):
        await world.publish("2026-Q3")
    await history.generate(
        await history.load_points(["HD-AI"]),
        start=date(2026, 3, 1),
        days=60,
        tickets_per_day=4,
        cases_per_day=1,
    )
    with frozen(beijing(2027, 1, 5)):
        report = await annual.build(2026)
    assert tuple(s.title for s in report.sections) == TITLES
    text = "".join(p for s in report.sections for p in s.text)
    assert f"共取号{report.summary['tickets']:,}次" in text
    assert "A级1家" in text  # the one incubator, published grade A
    assert "本年新入孵" in [r["key"] for r in report.sections[1].tables[0].rows]
    months = report.sections[4].tables[0].rows
    assert sum(m["tickets"] for m in months) == report.summary["tickets"]
    assert months[0]["tickets"] == 0  # nothing generated in January
    with frozen(beijing(2027, 1, 5)), pytest.raises(Exception, match="year must lie"):
        await annual.build(2031)


@pytest.mark.slow
def test_the_command_writes_a_pdf_with_the_year_and_every_section(tmp_path: Path) -> None:
    url = server_database_url(tmp_path, prefix="annual")
    assert run(["seed", "--demo"], url).returncode == 0
    year = date.today().year
    out = tmp_path / "report.pdf"
    made = run(["report", "annual", "--year", str(year), "--out", str(out)], url)
    assert made.returncode == 0, made.stderr
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(out.read_bytes())).pages)
    assert f"{year}年度孵化器监测与窗口服务报告" in text
    for title in TITLES:
        assert title in text.replace(" ", ""), title
    html = tmp_path / "report.html"
    assert run(["report", "annual", "--year", str(year), "--out", str(html)], url).returncode == 0
    assert html.read_text(encoding="utf-8").count("<svg") >= 8
    english = tmp_path / "report-en.html"
    args = ["report", "annual", "--year", str(year), "--lang", "en", "--out", str(english)]
    assert run(args, url).returncode == 0
    assert "1. Incubators" in visible(english.read_text(encoding="utf-8"))


ENGLISH_TITLES = (
    "1. Incubators",
    "2. Incubated firms",
    "3. Indicator trends",
    "4. Credit ratings, appeals, inspection waivers and spot checks",
    "5. Window service",
)


async def test_the_english_report_is_written_in_english(client: httpx.AsyncClient) -> None:
    world = await make_world(client)
    with frozen(beijing(2026, 10, 12)):
        await world.publish("2026-Q3")
    points = await history.load_points(["HD-AI"])
    await history.generate(
        points, start=date(2026, 3, 1), days=30, tickets_per_day=3, cases_per_day=1
    )
    with frozen(beijing(2027, 1, 5)):
        report = await annual.build(2026, lang="en")
        html = render_annual(report)
    assert tuple(s.title for s in report.sections) == ENGLISH_TITLES
    text = visible(html)
    assert "Incubator monitoring and window service: annual report 2026" in text
    assert f"issued {report.summary['tickets']:,} tickets" in text
    assert "grade A: 1" in text
    assert "Joined this year" in text
    assert "Mar" in text
    names = [
        *await Incubator.all().values_list("name", flat=True),
        *await ServicePoint.all().values_list("name", flat=True),
        *await Firm.all().values_list("name", flat=True),
    ]
    assert cjk(text, names) == []
