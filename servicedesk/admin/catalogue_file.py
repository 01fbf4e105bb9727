"""The catalogue as a TOML file: export, and an import that is validated whole first.

TOML, not XLSX: the catalogue is nested (matters hold materials, points hold queues,
windows and their offering), which TOML writes as it is and a spreadsheet would flatten
into cross-referenced sheets; it is plain UTF-8 text that reviews and diffs line by
line in version control, takes comments, and Python reads it with the standard
library (``tomllib``). Every bad entry is named ("matters[3] HTE-CERT: …"); nothing is
applied unless the whole file is good, and the changes are listed before they are.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from typing import Any

from tortoise.transactions import in_transaction

from servicedesk.admin import matters as matter_admin
from servicedesk.admin import points as point_admin
from servicedesk.admin.matters import MATTER_FIELDS, check_matter, material_list
from servicedesk.catalogue.models import Matter, Queue, ServicePoint, ServicePointMatter, Window
from servicedesk.errors import InvalidInput

MATTER_KEYS = (
    "code",
    "name",
    "name_en",
    "department",
    "department_en",
    "legal_basis",
    "statutory_days",
    "promised_days",
    "inspection_applies",
    "inspection_waivable",
    "industries",
    "pinyin",
)
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
        "# Service desk catalogue: matters with materials, service points with queues,",
        "# windows and what each offers. Import with `servicedesk catalogue import FILE`.",
        "",
    ]
    for m in await Matter.filter(active=True).order_by("code").prefetch_related("materials"):
        row = {k: getattr(m, k) for k in MATTER_KEYS if k != "pinyin"} | {
            "pinyin": m.pinyin_initials
        }
        lines += _table("[[matters]]", row)
        for x in material_list(m):
            lines += _table("[[matters.materials]]", x)
    for p in await ServicePoint.filter(active=True).order_by("code"):
        lines += _table("[[service_points]]", {k: getattr(p, k) for k in POINT_KEYS})
        for q in await Queue.filter(service_point=p, active=True).order_by("code"):
            lines += _table(
                "[[service_points.queues]]", {"code": q.code, "name": q.name, "name_en": q.name_en}
            )
        for w in (
            await Window.filter(service_point=p, active=True)
            .order_by("code")
            .prefetch_related("queues")
        ):
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
    return "\n".join(lines)


@dataclass
class Plan:
    problems: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    matters: list[dict[str, Any]] = field(default_factory=list)
    points: list[dict[str, Any]] = field(default_factory=list)


def _need(entry: dict[str, Any], keys: tuple[str, ...], where: str, plan: Plan) -> bool:
    missing = [k for k in keys if k not in entry]
    if missing:
        plan.problems.append(f"{where}: missing {', '.join(missing)}")
    return not missing


def _check_matters(data: list[Any], plan: Plan) -> set[str]:
    codes: set[str] = set()
    for i, m in enumerate(data):
        where = f"matters[{i}] {m.get('code', '?') if isinstance(m, dict) else ''}".strip()
        if not isinstance(m, dict) or not _need(
            m, ("code", "name", "promised_days", "statutory_days", "materials"), where, plan
        ):
            continue
        unknown = sorted(set(m) - set(MATTER_KEYS) - {"materials"})
        if unknown:
            plan.problems.append(f"{where}: unknown key(s) {', '.join(unknown)}")
        if m["code"] in codes:
            plan.problems.append(f"{where}: code {m['code']} appears twice")
        codes.add(m["code"])
        for j, x in enumerate(m["materials"]):
            _need(x, ("code", "name", "core"), f"{where} materials[{j}]", plan)
        if not all(isinstance(m[k], int) for k in ("promised_days", "statutory_days")):
            plan.problems.append(f"{where}: promised_days and statutory_days are whole numbers")
            continue
        plan.problems += [f"{where}: {p}" for p in check_matter(m)]
        plan.matters.append(m)
    return codes


async def _check_points(data: list[Any], matter_codes: set[str], plan: Plan) -> None:
    for i, p in enumerate(data):
        where = f"service_points[{i}] {p.get('code', '?') if isinstance(p, dict) else ''}".strip()
        if not isinstance(p, dict) or not _need(p, ("code", "name"), where, plan):
            continue
        letters = {q.get("code") for q in p.get("queues", [])}
        for q in p.get("queues", []):
            if not (isinstance(q.get("code"), str) and len(q["code"]) == 1 and q["code"].isupper()):
                plan.problems.append(f"{where}: queue code {q.get('code')!r} is not a letter A–Z")
        for w in p.get("windows", []):
            stray = sorted(set(w.get("queues", [])) - letters)
            if stray or not w.get("queues"):
                plan.problems.append(
                    f"{where}: window {w.get('code')} serves unknown queue(s) "
                    f"{', '.join(stray) or '(none)'}"
                )
        for o in p.get("offering", []):
            if o.get("queue") not in letters:
                plan.problems.append(
                    f"{where}: offering of {o.get('matter')} names unknown queue {o.get('queue')!r}"
                )
            if o.get("matter") not in matter_codes and not await Matter.exists(
                code=o.get("matter"), active=True
            ):
                plan.problems.append(f"{where}: offering names unknown matter {o.get('matter')!r}")
        plan.points.append(p)


async def plan(text: str) -> Plan:
    """Validate the whole file and list what importing it would change."""
    result = Plan()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        result.problems.append(f"not valid TOML: {exc}")
        return result
    codes = _check_matters(data.get("matters", []), result)
    await _check_points(data.get("service_points", []), codes, result)
    if result.problems:
        return result
    for m in result.matters:
        row = await Matter.get_or_none(code=m["code"]).prefetch_related("materials")
        if row is None:
            result.changes.append(f"+ matter {m['code']} {m['name']}")
        else:
            old = {k: getattr(row, k) for k in MATTER_FIELDS if k in m}
            diff = sorted(k for k, v in old.items() if m.get(k) != v)
            if material_list(row) != [{"name_en": "", **x} for x in m["materials"]]:
                diff.append("materials")
            if diff or not row.active:
                result.changes.append(f"~ matter {m['code']}: {', '.join(diff) or 'active'}")
    for p in result.points:
        exists = await ServicePoint.exists(code=p["code"])
        result.changes.append(
            f"{'~' if exists else '+'} service point {p['code']}: "
            f"{len(p.get('queues', []))} queues, {len(p.get('windows', []))} windows, "
            f"{len(p.get('offering', []))} matters offered"
        )
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
        for m in result.matters:
            body = {k: m[k] for k in MATTER_KEYS if k in m} | {
                "materials": m["materials"],
                "active": True,
            }
            if await Matter.exists(code=m["code"]):
                await matter_admin.update_matter(
                    m["code"], {k: v for k, v in body.items() if k != "code"}, actor=actor
                )
            else:
                await matter_admin.create_matter({"inspection_applies": None, **body}, actor=actor)
        for p in result.points:
            await _apply_point(p, actor=actor)
    return result


async def _apply_point(p: dict[str, Any], *, actor: str) -> None:
    fields = {k: p[k] for k in POINT_KEYS if k in p}
    if await ServicePoint.exists(code=p["code"]):
        await point_admin.update_point(
            p["code"], {k: v for k, v in fields.items() if k != "code"}, actor=actor
        )
    else:
        await point_admin.create_point(fields, actor=actor)
    for q in p.get("queues", []):
        if await Queue.exists(service_point__code=p["code"], code=q["code"]):
            await point_admin.update_queue(
                p["code"],
                q["code"],
                {"name": q["name"], "name_en": q.get("name_en", ""), "active": True},
                actor=actor,
            )
        else:
            await point_admin.add_queue(
                p["code"],
                {"code": q["code"], "name": q["name"], "name_en": q.get("name_en", "")},
                actor=actor,
            )
    for w in p.get("windows", []):
        if await Window.exists(code=w["code"]):
            await point_admin.update_window(
                p["code"],
                w["code"],
                {"name": w.get("name"), "queues": w["queues"], "active": True},
                actor=actor,
            )
        else:
            await point_admin.add_window(
                p["code"],
                {"code": w["code"], "name": w.get("name"), "queues": w["queues"]},
                actor=actor,
            )
    offering = [{"matter_code": o["matter"], "queue": o["queue"]} for o in p.get("offering", [])]
    await point_admin.set_offering(p["code"], offering, actor=actor)
