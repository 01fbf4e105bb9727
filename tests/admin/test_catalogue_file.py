"""The catalogue as a TOML file: exported, re-imported unchanged, and a file with one
bad entry changes nothing and names it."""

from __future__ import annotations

import pytest

from servicedesk.admin import catalogue_file
from servicedesk.catalogue.models import Matter, ServicePointMatter
from servicedesk.errors import InvalidInput
from tests.factories import make_catalogue


@pytest.mark.usefixtures("db")
async def test_export_then_import_changes_nothing() -> None:
    await make_catalogue()
    text = await catalogue_file.export_text()
    plan = await catalogue_file.plan(text)
    assert plan.problems == []
    assert [c for c in plan.changes if c.startswith(("+", "~ matter"))] == []
    offers = await ServicePointMatter.filter(hidden=False).count()
    await catalogue_file.apply(text, actor="test")
    assert await ServicePointMatter.filter(hidden=False).count() == offers


@pytest.mark.usefixtures("db")
async def test_one_bad_entry_changes_nothing_and_is_named() -> None:
    await make_catalogue()
    text = await catalogue_file.export_text()
    text = text.replace('name = "高新技术企业认定"', 'name = "高新技术企业认定（新）"', 1)
    text = text.replace("promised_days = 20\n", "promised_days = 99\n", 1)  # above statutory
    with pytest.raises(InvalidInput) as err:
        await catalogue_file.apply(text, actor="test")
    assert "promised_days (99) may not exceed statutory_days" in err.value.detail
    assert "matters[" in err.value.detail
    assert (await Matter.get(code="HTE-CERT")).name == "高新技术企业认定"
    fixed = text.replace("promised_days = 99\n", "promised_days = 20\n", 1)
    plan = await catalogue_file.plan(fixed)
    assert plan.changes == ["~ matter HTE-CERT: name"] + [
        c for c in plan.changes if "service point" in c
    ]
