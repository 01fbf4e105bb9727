"""Seeding: the catalogue, staff accounts and a few cases for the demo."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from pypinyin import Style, lazy_pinyin
from tortoise.transactions import in_transaction

from servicedesk.accounts import service as accounts
from servicedesk.accounts.models import Role, User
from servicedesk.catalogue import service as catalogue
from servicedesk.catalogue.models import (
    MaterialRequirement,
    Matter,
    Queue,
    ServicePoint,
    ServicePointMatter,
    Window,
)
from servicedesk.seed.catalogue_data import MATTERS, QUEUE_OF, QUEUES, SERVICE_POINTS

DEMO_PASSWORD = "demo-pass-2026"
DEMO_STAFF = [
    ("clerk-hd", Role.CLERK, "HD-AI", None, "王窗口"),
    ("clerk-dx", Role.CLERK, "DX-BIO", None, "李窗口"),
    ("clerk-yz", Role.CLERK, "YZ-IM", None, "赵窗口"),
    ("supervisor-hd", Role.SUPERVISOR, "HD-AI", None, "陈主任"),
    ("official-li", Role.OFFICIAL, None, None, "李处长"),
    ("official-wang", Role.OFFICIAL, None, None, "王科长"),
    ("admin", Role.ADMIN, None, None, "系统管理员"),
]


def initials(text: str) -> str:
    """Pinyin initials for kiosk search: 高新技术企业认定 → gxjsqyrd."""
    return "".join(
        p[0] for p in lazy_pinyin(text, style=Style.FIRST_LETTER) if p and p[0].isalnum()
    )


async def seed_catalogue() -> None:
    """Create the catalogue, service points, queues and windows that are missing."""
    async with in_transaction():
        for data in MATTERS:
            await _matter(data)
        for data in SERVICE_POINTS:
            await _service_point(data)


async def _matter(data: dict[str, object]) -> Matter:
    fields = {k: v for k, v in data.items() if k not in {"code", "materials"}}
    fields["pinyin_initials"] = initials(str(data["name"]))
    matter, _ = await Matter.update_or_create(defaults=fields, code=data["code"])
    materials = cast(list[tuple[str, bool, str, str]], data["materials"])
    for position, (code, core, name, name_en) in enumerate(materials):
        await MaterialRequirement.update_or_create(
            defaults={"core": core, "name": name, "name_en": name_en, "position": position},
            matter=matter,
            code=code,
        )
    return matter


async def _service_point(data: dict[str, object]) -> None:
    fields = {k: v for k, v in data.items() if k not in {"code", "windows"}}
    point, _ = await ServicePoint.update_or_create(defaults=fields, code=data["code"])
    queues = {}
    for code, name, name_en in QUEUES:
        queues[code], _ = await Queue.update_or_create(
            defaults={"name": name, "name_en": name_en}, service_point=point, code=code
        )
    for code, served in data["windows"].items():  # type: ignore[attr-defined]
        window, _ = await Window.get_or_create(
            defaults={"name": code.rsplit("-", 1)[-1] + " 号窗口"}, service_point=point, code=code
        )
        await window.queues.clear()
        await window.queues.add(*[queues[q] for q in served])
    for matter in await Matter.all():
        await ServicePointMatter.get_or_create(
            defaults={"queue": queues[QUEUE_OF.get(matter.code, "A")]},
            service_point=point,
            matter=matter,
        )


async def seed_staff() -> list[str]:
    created = []
    for username, role, point, incubator, name in DEMO_STAFF:
        if await User.exists(username=username):
            continue
        await accounts.create_user(
            username,
            password=DEMO_PASSWORD,
            role=role,
            service_point=await catalogue.get_point(point) if point else None,
            incubator_code=incubator,
            display_name=name,
        )
        created.append(username)
    return created


async def seed_demo() -> bool:
    """Seed the demo into an empty database; returns False if it holds data already."""
    if await ServicePoint.exists():
        return False
    await seed_catalogue()
    await seed_staff()
    from servicedesk.seed.demo_cases import seed_cases

    await seed_cases()
    from servicedesk.seed.demo_queue import seed_queue

    await seed_queue()
    from servicedesk.seed.demo_credit import seed_credit

    await seed_credit()
    await seed_history()
    return True


async def seed_history(days: int = 30) -> None:
    """The last month of service at every point, for statistics and the annual report."""
    from servicedesk.seed import history
    from servicedesk.timeutil import today

    await history.generate(
        await history.load_points(),
        start=today() - timedelta(days=days),
        days=days,
        tickets_per_day=25,
        cases_per_day=4,
        seed=2026,
    )
