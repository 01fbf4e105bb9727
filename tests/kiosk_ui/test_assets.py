"""The pages' font and icon come from the package: every character the templates and
catalogues show is in the font subset, and the files are served and small."""

from __future__ import annotations

from typing import Any

import httpx
from fontTools.ttLib import TTFont

from kiosk_ui.web import HERE

FONTS = HERE / "static" / "fonts"


def _shown_text() -> set[str]:
    files = [*(HERE / "templates").glob("*.html"), *(HERE / "locale").rglob("*.po")]
    return {ch for path in files for ch in path.read_text(encoding="utf-8") if ord(ch) > 0x2E7F}


def test_the_subset_has_every_character_the_pages_show() -> None:
    cmap = TTFont(FONTS / "NotoSansSC-Regular.subset.woff2").getBestCmap()
    missing = sorted(ch for ch in _shown_text() if ord(ch) not in cmap)
    assert missing == []  # run scripts/subset-font.py after adding text in new characters


async def test_font_and_icon_are_served_from_the_package(
    client: httpx.AsyncClient, db: Any
) -> None:
    del db
    total = 0
    for path in (
        "/static/fonts/NotoSansSC-Regular.subset.woff2",
        "/static/fonts/NotoSansSC-Bold.subset.woff2",
        "/static/fonts.css",
        "/static/favicon.svg",
    ):
        r = await client.get(path)
        assert r.status_code == 200, path
        total += len(r.content)
    assert total < 1_500_000
    login = await client.get("/login")
    assert 'href="/static/fonts.css"' in login.text
    assert 'href="/static/favicon.svg"' in login.text
