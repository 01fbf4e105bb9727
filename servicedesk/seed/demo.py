"""Seeding: the catalogue, staff accounts and a few cases for the demo."""

from __future__ import annotations

from datetime import timedelta
from importlib import resources

from servicedesk.accounts import service as accounts
from servicedesk.accounts.models import Role, User
from servicedesk.admin import catalogue_file
from servicedesk.catalogue import service as catalogue
from servicedesk.catalogue.models import ServicePoint

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


async def seed_catalogue() -> None:
    """Import the demo catalogue file, as `servicedesk catalogue import` would."""
    text = resources.files("servicedesk.seed").joinpath("catalogue.toml").read_text("utf-8")
    await catalogue_file.apply(text, actor="system:demo-seed")


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
        # The demo's halls are well run: about 96 % of their ratings are the top two
        # levels, so the demo incubator's window satisfaction keeps its grade A.
        level_weights={5: 76, 4: 20, 3: 2, 2: 1, 1: 1},
    )
