"""The statistics page: officials filter by point, supervisors see their own, every
breakdown has a chart and exports as CSV, all of them as XLSX."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import httpx

from servicedesk.seed import history
from tests.factories import make_catalogue, make_user
from tests.kiosk_ui.pages import page_session


async def _month(client: httpx.AsyncClient) -> None:
    del client
    await make_catalogue()
    await make_user(username="c-hd", service_point="HD-AI")
    await make_user(username="li", role="official")
    await make_user(username="boss", role="supervisor", service_point="HD-AI")
    await history.generate(
        await history.load_points(["HD-AI", "DX-BIO"]),
        start=date(2026, 10, 1),
        days=31,
        tickets_per_day=6,
        cases_per_day=1,
        seed=3,
    )


def sheet_names(xlsx: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as book:
        workbook = book.read("xl/workbook.xml").decode()
    return re.findall(r'<sheet name="([^"]+)"', workbook)


async def test_officials_see_every_point_with_charts(client: httpx.AsyncClient) -> None:
    await _month(client)
    await page_session(client, "li")
    october = {"start": "2026-10-01", "end": "2026-10-31"}
    page = await client.get("/statistics", params=october)
    assert page.status_code == 200, page.text
    for name in ("points", "matters", "days", "hours", "windows", "clerks", "cases"):
        chart = re.search(rf'data-testid="chart-{name}">(.*?)</div>', page.text, re.S)
        assert chart, name
        assert "<svg" in chart.group(1), name
    assert 'data-testid="filter-point"' in page.text
    one = await client.get(
        "/statistics",
        params={"start": "2026-10-01", "end": "2026-10-31", "service_point": "DX-BIO"},
    )
    assert "DX-BIO" in one.text
    xlsx = await client.get(
        "/statistics/export.xlsx", params={"start": "2026-10-01", "end": "2026-10-31"}
    )
    assert "各服务点" in sheet_names(xlsx.content)
    csv = await client.get(
        "/statistics/export/days.csv", params={"start": "2026-10-01", "end": "2026-10-31"}
    )
    assert csv.text.lstrip("\ufeff").splitlines()[1].startswith("2026-10-01,")
    missing = await client.get("/statistics/export/nope.csv", headers={"accept": "text/html"})
    assert missing.status_code == 404


async def test_a_supervisor_sees_only_their_point(client: httpx.AsyncClient) -> None:
    await _month(client)
    await page_session(client, "boss")
    page = await client.get("/statistics")
    assert page.status_code == 200
    assert 'data-testid="filter-point"' not in page.text
    other = await client.get(
        "/statistics", params={"service_point": "DX-BIO"}, headers={"accept": "text/html"}
    )
    assert other.status_code == 403
    await page_session(client, "c-hd")
    clerk = await client.get("/statistics", headers={"accept": "text/html"})
    assert clerk.status_code == 403
