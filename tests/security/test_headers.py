"""Security headers with a strict CSP on every page, no inline script anywhere, and CSV
exports that a spreadsheet cannot turn into formulas."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from kiosk_ui.tables import Table, spreadsheet_cell
from servicedesk.app import create_app
from servicedesk.audit.models import AuditEntry
from servicedesk.settings import Settings
from tests.conftest import TEST_DATABASE_URL
from tests.factories import make_catalogue, make_world, page_login

TEMPLATES = Path(__file__).resolve().parents[2] / "kiosk_ui" / "templates"


@pytest.mark.parametrize("path", ["/", "/login", "/query", "/board/HD-AI", "/api/v1/incubators"])
async def test_every_answer_carries_the_headers(client: httpx.AsyncClient, path: str) -> None:
    await make_catalogue()
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "strict-transport-security" not in response.headers  # not over plain HTTP
    if not path.startswith("/api"):
        assert "script-src 'self'" in policy


def test_no_template_has_inline_script_or_handlers() -> None:
    """What the policy would block must not be there: inline scripts, on* handlers,
    javascript: links, style attributes."""
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template.name
        assert not re.search(r"\son[a-z]+\s*=", text), template.name
        assert "javascript:" not in text, template.name
        assert not re.search(r"\sstyle\s*=", text), template.name


async def test_swagger_ui_runs_by_the_hash_of_its_own_script(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/docs")
    policy = response.headers["content-security-policy"]
    inline = re.findall(r"<script>(.*?)</script>", response.text, re.S)
    assert inline
    for body in inline:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]


async def test_behind_https_browsers_are_told_to_stay_there() -> None:
    app: FastAPI = create_app(
        Settings(environment="test", database_url=TEST_DATABASE_URL, cookie_secure=True),
        init_db=False,
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://test"
    ) as http:
        response = await http.get("/login")
    assert response.headers["strict-transport-security"].startswith("max-age=")


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("＝1+1", "'＝1+1"),
        ("北京=科技", "北京=科技"),
        (-2.5, "-2.5"),
        (["=a", "b"], "'=a; b"),
    ],
)
def test_formula_cells_are_neutralised(value: object, cell: str) -> None:
    assert spreadsheet_cell(value) == cell


async def test_an_export_is_audited_and_safe(client: httpx.AsyncClient) -> None:
    world = await make_world(client)
    await world.publish()
    r = await client.post(
        "/api/v1/appeals",
        headers=world.incubator,
        json={"reason": "=1+2 the indicators were misread"},
    )
    assert r.status_code == 201, r.text
    await page_login(client, "li")
    export = await client.get("/officials/export/appeals.csv")
    assert export.status_code == 200, export.text
    rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"))))
    cells = [c for row in rows[1:] for c in row]
    assert "'=1+2 the indicators were misread" in cells
    assert "=1+2 the indicators were misread" not in cells
    entry = await AuditEntry.get(action="export.csv")
    assert (entry.actor, entry.entity_id) == ("official:li", "appeals")


def test_table_csv_uses_the_same_cells() -> None:
    table = Table("t", [("a", "A")], rows=[{"a": "=x"}])
    assert table.csv(lambda s: s).splitlines()[1] == "'=x"


def test_statistics_exports_never_carry_a_formula() -> None:
    """A point or matter name an admin typed as a formula stays text in CSV and XLSX."""
    import zipfile

    from servicedesk.statistics import export
    from servicedesk.statistics.figures import Table as Figures

    table = Figures(
        name="points",
        columns=[("name", "服务点"), ("tickets", "取号"), ("on_time_rate", "按时率")],
        rows=[{"name": '=HYPERLINK("http://x")', "tickets": 3, "on_time_rate": 0.5}],
    )
    rows = list(csv.reader(io.StringIO(export.csv_bytes(table).decode("utf-8-sig"))))
    assert rows[1] == ['\'=HYPERLINK("http://x")', "3", "0.5"]
    book = zipfile.ZipFile(io.BytesIO(export.xlsx_bytes([table])))
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula cell
    assert '<c r="A2" t="s"' in sheet  # a string cell
    assert '<t>=HYPERLINK("http://x")</t>' in book.read("xl/sharedStrings.xml").decode()
