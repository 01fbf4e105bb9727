"""Matters and their materials: created, changed, retired (never deleted)."""

from __future__ import annotations

from typing import Any

from pypinyin import Style, lazy_pinyin
from tortoise.transactions import in_transaction

from servicedesk.admin.common import Unique, changes, duplicate, record, snapshot
from servicedesk.catalogue.models import MaterialRequirement, Matter
from servicedesk.errors import InvalidInput, NotFound

# What a matter is, as the catalogue file carries it too (besides its code).
MATTER_DATA = (
    "name",
    "name_en",
    "department",
    "department_en",
    "legal_basis",
    "legal_basis_en",
    "statutory_days",
    "promised_days",
    "inspection_applies",
    "inspection_waivable",
    "industries",
)
MATTER_FIELDS = (*MATTER_DATA, "pinyin_initials", "active")


def initials(text: str) -> str:
    """Pinyin initials for kiosk search: 高新技术企业认定 → gxjsqyrd."""
    return "".join(
        p[0].lower() for p in lazy_pinyin(text, style=Style.FIRST_LETTER) if p and p[0].isalnum()
    )[:64]


def check_matter(data: dict[str, Any]) -> list[str]:
    """Problems of a matter as a whole (limits, materials); empty when it is good."""
    problems = []
    promised, statutory = data.get("promised_days"), data.get("statutory_days")
    if promised is not None and statutory is not None and promised > statutory:
        problems.append(f"promised_days ({promised}) may not exceed statutory_days ({statutory})")
    if data.get("inspection_waivable") and data.get("inspection_applies") is False:
        problems.append("inspection_waivable needs inspection_applies: nothing to waive")
    codes = [m["code"] for m in data.get("materials") or []]
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        problems.append(f"material code(s) listed twice: {', '.join(twice)}")
    if data.get("materials") is not None and not any(m["core"] for m in data["materials"]):
        problems.append("a matter needs at least one core material")
    return problems


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in data.items() if k not in {"code", "materials", "pinyin"}}
    if "inspection_applies" in out and out["inspection_applies"] is None:
        out["inspection_applies"] = bool(data.get("inspection_waivable"))
    if data.get("pinyin") is not None or "name" in data:
        out["pinyin_initials"] = data.get("pinyin") or initials(data.get("name") or "")
    return out


async def _materials(matter: Matter, items: list[dict[str, Any]]) -> None:
    """The matter's materials become ``items`` in order; dropped ones are retired."""
    existing = {m.code: m for m in await MaterialRequirement.filter(matter=matter)}
    for position, item in enumerate(items):
        values = {
            "name": item["name"],
            "name_en": item.get("name_en", ""),
            "core": item["core"],
            "position": position,
            "active": True,
        }
        if item["code"] in existing:
            await MaterialRequirement.filter(id=existing[item["code"]].id).update(**values)
        else:
            await MaterialRequirement.create(matter=matter, code=item["code"], **values)
    dropped = [m.id for code, m in existing.items() if code not in {i["code"] for i in items}]
    if dropped:
        await MaterialRequirement.filter(id__in=dropped).update(active=False)


def material_list(matter: Matter) -> list[dict[str, Any]]:
    return [
        {"code": m.code, "name": m.name, "name_en": m.name_en, "core": m.core}
        for m in matter.materials
        if m.active
    ]


async def get(code: str) -> Matter:
    matter = await Matter.get_or_none(code=code).prefetch_related("materials")
    if matter is None:
        raise NotFound(f"matter {code!r} does not exist")
    return matter


async def create_matter(data: dict[str, Any], *, actor: str) -> Matter:
    problems = check_matter(data)
    if problems:
        raise InvalidInput("; ".join(problems), extra={"problems": problems})
    code = data["code"]
    if await Matter.exists(code=code):
        raise duplicate("matter", code)
    async with Unique("matter", code), in_transaction():
        matter = await Matter.create(code=code, **_fields(data))
        await _materials(matter, data["materials"])
        matter = await get(code)
        await record(
            "matter.create",
            actor=actor,
            entity="matter",
            entity_id=code,
            after={**snapshot(matter, MATTER_FIELDS), "materials": material_list(matter)},
        )
    return matter


async def update_matter(code: str, data: dict[str, Any], *, actor: str) -> Matter:
    matter = await get(code)
    update = changes(data)
    merged = {**snapshot(matter, MATTER_FIELDS), **update}
    problems = check_matter(merged)
    if problems:
        raise InvalidInput("; ".join(problems), extra={"problems": problems})
    before = {**snapshot(matter, MATTER_FIELDS), "materials": material_list(matter)}
    async with in_transaction():
        fields = _fields(update)
        if fields:
            await Matter.filter(id=matter.id).update(**fields)
        if "materials" in update:
            await _materials(matter, update["materials"])
        matter = await get(code)
        await record(
            "matter.update",
            actor=actor,
            entity="matter",
            entity_id=code,
            before=before,
            after={**snapshot(matter, MATTER_FIELDS), "materials": material_list(matter)},
        )
    return matter


async def list_matters(*, include_retired: bool = True) -> list[Matter]:
    query = Matter.all() if include_retired else Matter.filter(active=True)
    return await query.order_by("code").prefetch_related("materials")
