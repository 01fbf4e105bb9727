"""The catalogue as a TOML file: export, and an import that is validated whole first.

TOML, not XLSX: the catalogue is nested (matters hold materials, points hold queues,
windows and their offering), which TOML writes as it is and a spreadsheet would flatten
into cross-referenced sheets; it is plain UTF-8 text that reviews and diffs line by
line in version control, takes comments, and Python reads it with the standard
library (``tomllib``). Every bad entry is named ("matters[3] HTE-CERT: …"); nothing is
applied unless the whole file is good, and the changes are listed before they are.

The file carries the incubators that host its service points, so that it sets up an
empty database by itself.
"""

from __future__ import annotations

import json
import tomllib
from typing import Any

from tortoise.transactions import in_transaction

from servicedesk.admin import catalogue_check as check
from servicedesk.admin import matters as matter_admin
from servicedesk.admin import people
from servicedesk.admin import points as point_admin
from servicedesk.admin.catalogue_check import Plan
from servicedesk.admin.matters import material_list
from servicedesk.catalogue.models import Matter, Queue, ServicePoint, ServicePointMatter, Window
from servicedesk.errors import InvalidInput
from servicedesk.incubators.models import Incubator

__all__ = ["Plan", "apply", "export_text", "plan"]

INCUBATOR_KEYS = ("code", "name", "name_en", "level", "district", "kind", "focus_industries")
MATTER_KEYS = ("code", *matter_admin.MATTER_DATA)
POINT_KEYS = (
    "code",
    "name",
    "name_en",
    "incubator_code",
    "district",
    "address",
    "focus_industries",
)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    return json.dumps(v, ensure_ascii=False)  # strings and string lists are valid TOML


def _table(header: str, row: dict[str, Any]) -> list[str]:
    return [header, *(f"{k} = {_value(v)}" for k, v in row.items() if v is not None), ""]


async def export_text() -> str:
    lines = [
        "# Service desk catalogue: the incubators hosting service points, matters with",
        "# materials, service points with queues, windows and what each offers.",
        "# Check with `servicedesk catalogue import --check FILE`, import without --check.",
        "",
    ]
    points = await ServicePoint.filter(active=True).order_by("code")
    hosts = sorted({p.incubator_code for p in points if p.incubator_code})
    for i in await Incubator.filter(code__in=hosts).order_by("code"):
        lines += _table("[[incubators]]", {k: getattr(i, k) for k in INCUBATOR_KEYS})
    for m in await Matter.filter(active=True).order_by("code").prefetch_related("materials"):
        row = {k: getattr(m, k) for k in MATTER_KEYS} | {"pinyin": m.pinyin_initials}
        lines += _table("[[matters]]", row)
        for x in material_list(m):
            lines += _table("[[matters.materials]]", x)
    for p in points:
        lines += await _point_tables(p)
    return "\n".join(lines)


async def _point_tables(p: ServicePoint) -> list[str]:
    lines = _table("[[service_points]]", {k: getattr(p, k) for k in POINT_KEYS})
    for q in await Queue.filter(service_point=p, active=True).order_by("code"):
        lines += _table(
            "[[service_points.queues]]", {"code": q.code, "name": q.name, "name_en": q.name_en}
        )
    windows = (
        await Window.filter(service_point=p, active=True)
        .order_by("code")
        .prefetch_related("queues")
    )
    for w in windows:
        lines += _table(
            "[[service_points.windows]]",
            {"code": w.code, "name": w.name, "queues": sorted(q.code for q in w.queues)},
        )
    offers = await ServicePointMatter.filter(
        service_point=p, hidden=False, matter__active=True
    ).prefetch_related("matter", "queue")
    for o in sorted(offers, key=lambda o: o.matter.code):
        lines += _table(
            "[[service_points.offering]]", {"matter": o.matter.code, "queue": o.queue.code}
        )
    return lines


async def plan(text: str) -> Plan:
    """Validate the whole file and list what importing it would change."""
    result = Plan()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        result.problems.append(f"not valid TOML: {exc}")
        return result
    unknown = sorted(set(data) - {"incubators", "matters", "service_points"})
    if unknown:
        result.problems.append(f"unknown table(s): {', '.join(unknown)}")
    check.check_incubators(data, result)
    check.check_matters(data, result)
    await check.check_points(data, result)
    if result.problems:
        return result
    for i in result.incubators:
        result.changes += await check.incubator_changes(i)
    for m in result.matters:
        result.changes += await check.matter_changes(m)
    for p in result.points:
        offered = (
            await point_admin.offering_of(p["code"])
            if await ServicePoint.exists(code=p["code"])
            else {}
        )
        result.changes += await check.point_changes(p, offered)
    return result


async def apply(text: str, *, actor: str) -> Plan:
    """Import the file if every entry is good; otherwise :class:`InvalidInput` naming each."""
    result = await plan(text)
    if result.problems:
        raise InvalidInput(
            f"nothing imported, {len(result.problems)} problem(s): " + "; ".join(result.problems),
            extra={"problems": result.problems},
        )
    async with in_transaction():
        for i in result.incubators:
            if await Incubator.exists(code=i["code"]):
                await people.update_incubator(i["code"], i, actor=actor)
            else:
                await people.create_incubator(i, actor=actor)
        for m in result.matters:
            if await Matter.exists(code=m["code"]):
                body = {k: v for k, v in m.items() if k != "code"} | {"active": True}
                await matter_admin.update_matter(m["code"], body, actor=actor)
            else:
                await matter_admin.create_matter({"inspection_applies": None, **m}, actor=actor)
        for p in result.points:
            await _apply_point(p, actor=actor)
    return result


async def _apply_point(p: dict[str, Any], *, actor: str) -> None:
    sp = p["code"]
    fields = {k: v for k, v in p.items() if k not in {"queues", "windows", "offering"}}
    if await ServicePoint.exists(code=sp):
        await point_admin.update_point(
            sp, {k: v for k, v in fields.items() if k != "code"}, actor=actor
        )
    else:
        await point_admin.create_point(fields, actor=actor)
    for q in p["queues"]:
        if await Queue.exists(service_point__code=sp, code=q["code"]):
            change = {k: v for k, v in q.items() if k != "code"} | {"active": True}
            await point_admin.update_queue(sp, q["code"], change, actor=actor)
        else:
            await point_admin.add_queue(sp, {"name_en": "", **q}, actor=actor)
    for w in p["windows"]:
        if await Window.exists(code=w["code"]):
            change = {k: v for k, v in w.items() if k != "code"} | {"active": True}
            await point_admin.update_window(sp, w["code"], change, actor=actor)
        else:
            await point_admin.add_window(sp, {"name": None, **w}, actor=actor)
    if "offering" in p:
        offering = [{"matter_code": o["matter"], "queue": o["queue"]} for o in p["offering"]]
        await point_admin.set_offering(sp, offering, actor=actor)
