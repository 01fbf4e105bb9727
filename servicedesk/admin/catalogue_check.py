"""Checking a catalogue file whole: every bad entry named, else the list of changes.

Each entry is checked with the same payload schemas as the administration API, then
against the others (a window's queues, an offering's matter, a point's incubator), and
against the database (a window code used at another point). Keys an entry leaves out
keep their current values when it is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from servicedesk.admin.matters import check_matter, material_list
from servicedesk.admin.schemas import (
    IncubatorCreate,
    MatterCreate,
    PointCreate,
    QueueCreate,
    WindowCreate,
)
from servicedesk.catalogue.models import Matter, Queue, ServicePoint, Window
from servicedesk.incubators.models import Incubator

Entry = dict[str, Any]


class OfferingEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    matter: str = Field(min_length=1, max_length=32)
    queue: str = Field(pattern=r"^[A-Z]$")


@dataclass
class Plan:
    problems: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    incubators: list[Entry] = field(default_factory=list)
    matters: list[Entry] = field(default_factory=list)
    points: list[Entry] = field(default_factory=list)


def _tables(data: Entry, key: str, plan: Plan, where: str = "") -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        plan.problems.append(f"{where}{key}: expected a list of [[{key}]] tables")
        return []
    return value


def _valid(model: type[BaseModel], entry: Any, where: str, plan: Plan) -> Entry | None:
    """The entry's values as ``model`` checks them (only the keys it gives), or None."""
    if not isinstance(entry, dict):
        plan.problems.append(f"{where}: expected a table")
        return None
    try:
        return model.model_validate(entry).model_dump(exclude_unset=True)
    except ValidationError as exc:
        for e in exc.errors():
            loc = ".".join(str(p) for p in e["loc"])
            plan.problems.append(f"{where}: {loc}: {e['msg']}" if loc else f"{where}: {e['msg']}")
        return None


def _where(kind: str, index: int, entry: Any) -> str:
    code = entry.get("code", "") if isinstance(entry, dict) else ""
    return f"{kind}[{index}] {code}".rstrip()


def _codes(entries: list[Any]) -> list[str]:
    return [str(e["code"]) for e in entries if isinstance(e, dict) and "code" in e]


def _twice(codes: list[str], what: str, plan: Plan) -> None:
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        plan.problems.append(f"{what} {code} appears twice")


def check_incubators(data: Entry, plan: Plan) -> None:
    tables = _tables(data, "incubators", plan)
    for i, raw in enumerate(tables):
        entry = _valid(IncubatorCreate, raw, _where("incubators", i, raw), plan)
        if entry is not None:
            plan.incubators.append(entry)
    _twice(_codes(tables), "incubator", plan)


def check_matters(data: Entry, plan: Plan) -> None:
    tables = _tables(data, "matters", plan)
    for i, raw in enumerate(tables):
        where = _where("matters", i, raw)
        entry = _valid(MatterCreate, raw, where, plan)
        if entry is None:
            continue
        entry["materials"] = [{"name_en": "", "core": True, **m} for m in entry["materials"]]
        plan.problems += [f"{where}: {p}" for p in check_matter(entry)]
        plan.matters.append(entry)
    _twice(_codes(tables), "matter", plan)


async def check_points(data: Entry, plan: Plan) -> None:
    incubators = {e["code"] for e in plan.incubators}
    matters = {e["code"] for e in plan.matters}
    windows: list[str] = []
    tables = _tables(data, "service_points", plan)
    for i, raw in enumerate(tables):
        where = _where("service_points", i, raw)
        point = _valid(PointCreate, _own_keys(raw), where, plan)
        if point is None:
            continue
        ref = point.get("incubator_code")
        if ref and ref not in incubators and not await Incubator.exists(code=ref):
            plan.problems.append(f"{where}: incubator {ref!r} is neither in the file nor known")
        point["queues"] = _parts(raw, "queues", QueueCreate, where, plan)
        point["windows"] = _parts(raw, "windows", WindowCreate, where, plan)
        if "offering" in raw:
            point["offering"] = _parts(raw, "offering", OfferingEntry, where, plan)
        await _check_references(point, matters, where, plan)
        windows += [w["code"] for w in point["windows"]]
        plan.points.append(point)
    _twice(_codes(tables), "service point", plan)
    _twice(windows, "window", plan)


def _own_keys(raw: Any) -> Any:
    """A point's own keys, without the queues, windows and offering it holds."""
    if not isinstance(raw, dict):
        return raw
    return {k: v for k, v in raw.items() if k not in {"queues", "windows", "offering"}}


def _parts(raw: Entry, key: str, model: type[BaseModel], where: str, plan: Plan) -> list[Entry]:
    parts = []
    for j, item in enumerate(_tables(raw, key, plan, f"{where}: ")):
        entry = _valid(model, item, f"{where} {key}[{j}]", plan)
        if entry is not None:
            parts.append(entry)
    return parts


async def _check_references(point: Entry, matters: set[str], where: str, plan: Plan) -> None:
    known = await Queue.filter(service_point__code=point["code"], active=True).values_list(
        "code", flat=True
    )
    letters = {q["code"] for q in point["queues"]} | set(known)
    _twice(_codes(point["queues"]), f"{where}: queue", plan)
    for w in point["windows"]:
        stray = sorted(set(w["queues"]) - letters)
        if stray:
            plan.problems.append(
                f"{where}: window {w['code']} serves unknown queue(s) {', '.join(stray)}"
            )
        elsewhere = await Window.get_or_none(code=w["code"]).prefetch_related("service_point")
        if elsewhere is not None and elsewhere.service_point.code != point["code"]:
            plan.problems.append(
                f"{where}: window {w['code']} already belongs to {elsewhere.service_point.code}"
            )
    for o in point.get("offering", []):
        if o["queue"] not in letters:
            plan.problems.append(
                f"{where}: offering of {o['matter']} names unknown queue {o['queue']!r}"
            )
        if o["matter"] not in matters and not await Matter.exists(code=o["matter"], active=True):
            plan.problems.append(f"{where}: offering names unknown matter {o['matter']!r}")
    _twice([o["matter"] for o in point.get("offering", [])], f"{where}: offering of", plan)


# ---------------------------------------------------------------- what would change


def _was(old: Any, new: Any) -> str:
    return f"{old!r} → {new!r}"


async def incubator_changes(entry: Entry) -> list[str]:
    row = await Incubator.get_or_none(code=entry["code"])
    if row is None:
        return [f"+ incubator {entry['code']} {entry['name']}"]
    diff = [
        f"{k} {_was(getattr(row, k), v)}"
        for k, v in entry.items()
        if k != "code" and getattr(row, k) != v
    ]
    return [f"~ incubator {entry['code']}: {'; '.join(diff)}"] if diff else []


async def matter_changes(entry: Entry) -> list[str]:
    row = await Matter.get_or_none(code=entry["code"]).prefetch_related("materials")
    if row is None:
        return [f"+ matter {entry['code']} {entry['name']} ({len(entry['materials'])} materials)"]
    diff = []
    for key, new in entry.items():
        column = "pinyin_initials" if key == "pinyin" else key
        if key in {"code", "materials"} or (key == "inspection_applies" and new is None):
            continue
        if getattr(row, column) != new:
            diff.append(f"{key} {_was(getattr(row, column), new)}")
    diff += _material_changes(material_list(row), entry["materials"])
    if not row.active:
        diff.append("retired → active")
    return [f"~ matter {entry['code']}: {'; '.join(diff)}"] if diff else []


def _material_changes(old: list[Entry], new: list[Entry]) -> list[str]:
    before = {m["code"]: m for m in old}
    after = {m["code"]: {"name_en": "", **m} for m in new}
    out = [f"+ material {c}" for c in after if c not in before]
    out += [f"− material {c}" for c in before if c not in after]
    out += [
        f"material {c}: " + ", ".join(k for k in ("name", "name_en", "core") if m[k] != after[c][k])
        for c, m in before.items()
        if c in after and any(m[k] != after[c][k] for k in ("name", "name_en", "core"))
    ]
    if not out and list(before) != list(after):
        out.append("materials reordered")
    return out


async def point_changes(entry: Entry, offered: dict[str, str]) -> list[str]:
    """What importing ``entry`` changes at the point; ``offered`` is its offering now."""
    code = entry["code"]
    row = await ServicePoint.get_or_none(code=code)
    if row is None:
        return [
            f"+ service point {code} {entry['name']}: {len(entry['queues'])} queues, "
            f"{len(entry['windows'])} windows, {len(entry.get('offering', []))} matters offered"
        ]
    own = {k: v for k, v in entry.items() if k not in {"code", "queues", "windows", "offering"}}
    diff = [f"{k} {_was(getattr(row, k), v)}" for k, v in own.items() if getattr(row, k) != v]
    out = [f"~ service point {code}: {'; '.join(diff)}"] if diff else []
    out += await _queue_changes(row, entry["queues"])
    out += await _window_changes(row, entry["windows"])
    if "offering" in entry:
        out += _offering_changes(
            code, offered, {o["matter"]: o["queue"] for o in entry["offering"]}
        )
    return out


async def _queue_changes(point: ServicePoint, queues: list[Entry]) -> list[str]:
    rows = {q.code: q for q in await Queue.filter(service_point=point)}
    out = []
    for q in queues:
        row = rows.get(q["code"])
        if row is None:
            out.append(f"+ queue {point.code}/{q['code']} {q['name']}")
            continue
        diff = [f"{k} {_was(getattr(row, k), v)}" for k, v in q.items() if getattr(row, k) != v]
        diff += [] if row.active else ["retired → active"]
        if diff:
            out.append(f"~ queue {point.code}/{q['code']}: {'; '.join(diff)}")
    return out


async def _window_changes(point: ServicePoint, windows: list[Entry]) -> list[str]:
    rows = {w.code: w for w in await Window.filter(service_point=point).prefetch_related("queues")}
    out = []
    for w in windows:
        row = rows.get(w["code"])
        if row is None:
            out.append(f"+ window {w['code']} serving {', '.join(w['queues'])}")
            continue
        served = sorted(q.code for q in row.queues)
        diff = (
            [] if sorted(w["queues"]) == served else [f"queues {_was(served, sorted(w['queues']))}"]
        )
        if w.get("name") and w["name"] != row.name:
            diff.append(f"name {_was(row.name, w['name'])}")
        diff += [] if row.active else ["retired → active"]
        if diff:
            out.append(f"~ window {w['code']}: {'; '.join(diff)}")
    return out


def _offering_changes(code: str, before: dict[str, str], after: dict[str, str]) -> list[str]:
    out = [f"+ {code} offers {m} in queue {q}" for m, q in after.items() if m not in before]
    out += [f"− {code} no longer offers {m}" for m in before if m not in after]
    out += [
        f"~ {code} offers {m} in queue {q} instead of {before[m]}"
        for m, q in after.items()
        if m in before and before[m] != q
    ]
    return out
