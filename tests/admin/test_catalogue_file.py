"""The catalogue as a TOML file: exported, re-imported unchanged, and a file with one
bad entry changes nothing and names it."""

from __future__ import annotations

import pytest

from servicedesk.admin import catalogue_file
from servicedesk.catalogue.models import Matter, ServicePoint, ServicePointMatter
from servicedesk.errors import InvalidInput
from servicedesk.incubators.models import Incubator
from tests.factories import make_catalogue


@pytest.mark.usefixtures("db")
async def test_export_then_import_changes_nothing() -> None:
    await make_catalogue()
    text = await catalogue_file.export_text()
    plan = await catalogue_file.plan(text)
    assert plan.problems == []
    assert plan.changes == []
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
    assert plan.changes == ["~ matter HTE-CERT: name '高新技术企业认定' → '高新技术企业认定（新）'"]


@pytest.mark.usefixtures("db")
async def test_every_bad_entry_is_named_and_nothing_applied() -> None:
    text = """
[[matters]]
code = "M1"
name = "事项一"
promised_days = 5
statutory_days = "ten"
[[matters.materials]]
code = "form"
name = "申请表"

[[matters]]
code = "M1"
name = "事项一again"
promised_days = 5
statutory_days = 10
[[matters.materials]]
code = "form"
name = "申请表"
core = false

[[service_points]]
code = "P"
name = "站"
incubator_code = "INC-NONE"
[[service_points.queues]]
code = "a"
name = "小写"
[[service_points.windows]]
code = "P-1"
queues = ["Z"]
[[service_points.offering]]
matter = "GHOST"
queue = "A"
"""
    plan = await catalogue_file.plan(text)
    named = "\n".join(plan.problems)
    for expected in (
        "matters[0] M1: statutory_days",
        "matters[1] M1: a matter needs at least one core material",
        "matter M1 appears twice",
        "service_points[0] P: incubator 'INC-NONE'",
        "service_points[0] P queues[0]: code",
        "window P-1 serves unknown queue(s) Z",
        "offering names unknown matter 'GHOST'",
    ):
        assert expected in named
    with pytest.raises(InvalidInput):
        await catalogue_file.apply(text, actor="test")
    assert not await Matter.exists()
    assert not await ServicePoint.exists()


@pytest.mark.usefixtures("db")
async def test_the_diff_lists_each_change_of_a_point() -> None:
    await make_catalogue()
    text = await catalogue_file.export_text()
    head, hd, tail = text.partition('code = "HD-AI"')
    hd_part, sep, rest = tail.partition("[[service_points]]")
    hd_part = hd_part.replace(
        'name = "1号窗口"\nqueues = ["A", "B"]', 'name = "1号窗口"\nqueues = ["A"]'
    )
    hd_part = hd_part.replace(
        'matter = "HTE-CERT"\nqueue = "B"', 'matter = "HTE-CERT"\nqueue = "A"'
    )
    hd_part = hd_part.replace('[[service_points.offering]]\nmatter = "WORK-RES"\nqueue = "C"\n', "")
    plan = await catalogue_file.plan(head + hd + hd_part + sep + rest)
    assert plan.problems == []
    assert sorted(plan.changes) == [
        "~ HD-AI offers HTE-CERT in queue A instead of B",
        "~ window HD-AI-W1: queues ['A', 'B'] → ['A']",
        "− HD-AI no longer offers WORK-RES",
    ]
    await catalogue_file.apply(head + hd + hd_part + sep + rest, actor="test")
    offered = await ServicePointMatter.filter(
        service_point__code="HD-AI", hidden=False
    ).prefetch_related("matter", "queue")
    by_code = {o.matter.code: o.queue.code for o in offered}
    assert by_code["HTE-CERT"] == "A"
    assert "WORK-RES" not in by_code


@pytest.mark.usefixtures("db")
async def test_the_demo_file_sets_up_an_empty_database() -> None:
    await make_catalogue()
    assert await Incubator.filter(code__in=["INC-HD-001", "INC-DX-001", "INC-YZ-001"]).count() == 3
    point = await ServicePoint.get(code="HD-AI")
    assert point.incubator_code == "INC-HD-001"
    again = await catalogue_file.plan(await catalogue_file.export_text())
    assert again.problems == []
    assert again.changes == []
