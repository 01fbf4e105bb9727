"""Statistics queries on a city's year, against one full scan of the tickets table.

    .venv/bin/python bench/statistics.py [--scale 1.0] [--db sqlite|postgres|both]
                                         [--postgres postgres://postgres@127.0.0.1:5432]

For each database (a SQLite file; PostgreSQL when the server answers) the script
migrates a fresh database with the committed migrations, adds service points up to
30 (each with 3 queues, 4 windows and 4 clerks), and generates a year of service
with ``servicedesk.seed.history``: at scale 1.0 about 1,000,000 tickets, 100,000
cases and 300,000 ratings (``--scale 0.1`` runs a tenth). After ANALYZE it times,
with the service's clock at the end of that year:

* baseline   ``SELECT count(*) FROM tickets`` (one full scan), median of 5
* each aggregate query behind the statistics page for the default 30 days, all points
* the whole default page (``statistics.service.details``: this range's breakdowns and
  both summaries), and the §6.1 summary for one point and for the whole year

and prints each time (median of 5, the page median of 3) and its ratio to the
baseline. Targets: the default page under 300 ms on PostgreSQL, and no query of the
page slower than one full scan.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
from tortoise import Tortoise, connections

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from servicedesk.accounts.models import Role, User  # noqa: E402
from servicedesk.calendar.service import WorkCalendar  # noqa: E402
from servicedesk.catalogue.models import (  # noqa: E402
    Matter,
    Queue,
    ServicePoint,
    ServicePointMatter,
    Window,
)
from servicedesk.cli import migrate_database  # noqa: E402
from servicedesk.db import tortoise_config  # noqa: E402
from servicedesk.seed import history  # noqa: E402
from servicedesk.seed.demo import seed_catalogue  # noqa: E402
from servicedesk.settings import Settings  # noqa: E402
from servicedesk.statistics import queries, tallies, times, volumes  # noqa: E402
from servicedesk.statistics import service as statistics  # noqa: E402
from servicedesk.statistics.queries import Scope  # noqa: E402
from servicedesk.timeutil import beijing, frozen  # noqa: E402

POINTS = 30
YEAR = 2025
WORKING_DAYS = sum(WorkCalendar().is_working(date.fromordinal(d)) for d in range(
    date(YEAR, 1, 1).toordinal(), date(YEAR, 12, 31).toordinal() + 1))  # fmt: skip
PAGE_END = beijing(YEAR + 1, 1, 1, 9)  # the clock: the default 30 days end on 1 January
PAGE = Scope(date(YEAR, 12, 3), date(YEAR + 1, 1, 1))


async def add_points() -> None:
    """The seeded catalogue's points, and more up to 30, with windows and clerks."""
    await seed_catalogue()
    matters = await Matter.all().order_by("code")
    for n in range(await ServicePoint.all().count(), POINTS):
        point = await ServicePoint.create(code=f"BP-{n:02d}", name=f"基准服务点{n:02d}")
        queues = [await Queue.create(service_point=point, code=c, name=c) for c in "ABC"]
        for w in range(4):
            window = await Window.create(service_point=point, code=f"BP-{n:02d}-W{w + 1}")
            await window.queues.add(*queues)
        for i, matter in enumerate(matters):
            await ServicePointMatter.create(service_point=point, matter=matter, queue=queues[i % 3])
    for point in await ServicePoint.all():
        for c in range(4 - await User.filter(service_point=point).count()):
            await User.create(
                username=f"bench-{point.code}-{c}",
                password_hash="!",
                role=Role.CLERK,
                service_point=point,
                display_name=f"{point.code} 窗口{c + 1}",
            )


async def load(scale: float) -> history.Counts:
    await add_points()
    per_point_day = 1_000_000 * scale / POINTS / WORKING_DAYS
    # A bulk load without the tallies' triggers, then one rebuild (timed by ``measure``).
    await tallies.uninstall()
    await volumes.uninstall()
    return await history.generate(
        await history.load_points(),
        start=date(YEAR, 1, 1),
        days=365,
        tickets_per_day=max(1, round(per_point_day)),
        cases_per_day=max(1, round(per_point_day / 10)),
        rating_share=0.31,
        seed=2025,
    )


async def timed(work: Callable[[], Awaitable[Any]], repeat: int) -> float:
    """Median wall time in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        await work()
        times.append((time.perf_counter() - start) * 1000)
    return sorted(times)[len(times) // 2]  # the median (odd repeats)


def page_queries() -> list[tuple[str, Callable[[], Awaitable[Any]]]]:
    out: list[tuple[str, Callable[[], Awaitable[Any]]]] = []
    for key in ("point", "matter", "day", "hour"):
        out.append((f"tickets by {key}", lambda k=key: queries.tickets_by(PAGE, k)))
    for key in ("all", "point", "window", "clerk"):
        out.append((f"wait/service p50,p90 by {key}", lambda k=key: times.times_by(PAGE, k)))
    for key in ("point", "matter", "day"):
        out.append((f"cases by {key}", lambda k=key: queries.cases_by(PAGE, k)))
    out.append(("on time by point", lambda: queries.decisions_by_point(PAGE)))
    for key in ("point", "window", "clerk"):
        out.append((f"ratings by {key}", lambda k=key: queries.evaluations_by(PAGE, k)))
    out.append(("follow-ups by point", lambda: queries.follow_ups_by_point(PAGE, today=PAGE.end)))
    out.append(("waivers", lambda: queries.waivers(PAGE)))
    out.append(("spot checks", lambda: queries.spot_checks(PAGE)))
    return out


async def analyse(dialect: str) -> None:
    conn = connections.get("default")
    if dialect == "postgres":
        for table in (
            "tickets",
            "cases",
            "evaluations",
            "follow_ups",
            tallies.TABLE,
            volumes.TABLE,
        ):
            await conn.execute_script(f"VACUUM ANALYZE {table}")
    else:
        await conn.execute_script("ANALYZE")


async def measure(label: str, url: str, scale: float) -> None:
    settings = Settings(environment="test", database_url=url)
    await migrate_database(settings)
    await Tortoise.init(config=tortoise_config(url))
    try:
        started = time.perf_counter()
        counts = await load(scale)
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        await tallies.install()
        await volumes.install()
        rows = await tallies.rebuild() + await volumes.rebuild()
        rebuilt = time.perf_counter() - started
        dialect = str(connections.get("default").capabilities.dialect)
        await analyse(dialect)
        print(
            f"\n== {label}: {counts.tickets:,} tickets, {counts.cases:,} cases, "
            f"{counts.evaluations:,} ratings, {counts.follow_ups:,} follow-ups at {POINTS} "
            f"points, loaded in {loaded:.0f} s; tallies rebuilt in {rebuilt:.1f} s ({rows:,} rows)"
        )
        await report(dialect)
    finally:
        await Tortoise.close_connections()


async def report(dialect: str) -> None:
    conn = connections.get("default")

    async def scan() -> Any:
        return await conn.execute_query_dict("SELECT count(*) AS n FROM tickets")

    await scan()
    baseline = await timed(scan, 5)
    print(f"{'baseline: SELECT count(*) FROM tickets':48} {baseline:9.1f} ms   1.00")
    slowest = 0.0
    with frozen(PAGE_END):
        for name, work in page_queries():
            await work()
            ms = await timed(work, 5)
            slowest = max(slowest, ms / baseline)
            print(f"{name:48} {ms:9.1f} ms   {ms / baseline:4.2f}")
        point = await ServicePoint.get(code="HD-AI")
        page = await timed(lambda: statistics.details(PAGE, None), 3)
        one = await timed(lambda: statistics.summary(Scope(PAGE.start, PAGE.end, point.id)), 3)
        year = await timed(lambda: statistics.summary(Scope(date(YEAR, 1, 1), PAGE.end)), 3)
    line = "default 30-day page (all breakdowns, 2 summaries)"
    print(f"{line:48} {page:9.1f} ms   {page / baseline:4.2f}")
    print(f"{'summary, one point, 30 days':48} {one:9.1f} ms   {one / baseline:4.2f}")
    print(f"{'summary, all points, whole year':48} {year:9.1f} ms   {year / baseline:4.2f}")
    target = "met" if slowest <= 1 else "missed"
    print(f"slowest page query / full scan: {slowest:.2f} ({target}: at most 1.00)")
    if dialect == "postgres":
        print(f"default page under 300 ms: {'met' if page < 300 else 'missed'} ({page:.0f} ms)")


async def with_postgres(server: str, scale: float) -> None:
    name = f"bench_stats_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(server.replace("postgres://", "postgresql://", 1) + "/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        await measure("PostgreSQL", f"{server}/{name}", scale)
    finally:
        with contextlib.suppress(Exception):
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1,000,000 tickets")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    if args.db == "both":
        # One process per database: Tortoise keeps per-dialect SQL on the model classes.
        for db in ("sqlite", "postgres"):
            subprocess.run(
                [sys.executable, __file__, "--db", db, "--scale", str(args.scale),
                 "--postgres", args.postgres],
                check=False,
            )  # fmt: skip
    elif args.db == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite://{Path(tmp) / 'stats.sqlite3'}?synchronous=OFF"
            asyncio.run(measure("SQLite", url, args.scale))
    else:
        try:
            asyncio.run(with_postgres(args.postgres.rstrip("/"), args.scale))
        except (OSError, asyncpg.PostgresError) as exc:
            print(f"\nPostgreSQL skipped: {exc}")


if __name__ == "__main__":
    main()
