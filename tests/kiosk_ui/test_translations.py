"""Every page string has its English: a page shown in English never falls back to
Chinese because a string was left out of the catalogues."""

from __future__ import annotations

import re

from kiosk_ui.web import HERE, _catalog

LITERAL = re.compile(r"""_\(\s*(?:"([^"]+)"|'([^']+)')\s*\)""")


def test_every_template_string_is_translated_to_english() -> None:
    english = _catalog("en")
    missing = {
        f"{path.name}: {m.group(1) or m.group(2)}"
        for path in sorted((HERE / "templates").glob("*.html"))
        for m in LITERAL.finditer(path.read_text(encoding="utf-8"))
        if (m.group(1) or m.group(2)) not in english
    }
    assert sorted(missing) == []


def test_the_administration_menu_is_translated() -> None:
    from kiosk_ui.pages.admin.common import NAV

    english = _catalog("en")
    assert [english.get(label) for _, label in NAV] == [
        "Setting up",
        "Incubators",
        "Service points",
        "Matters and materials",
        "Users",
        "Kiosks",
        "Workday overrides",
        "Catalogue file",
    ]
