"""The ``servicedesk`` console script (DESIGN §6)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from tortoise import Tortoise

from servicedesk.db import tortoise_config
from servicedesk.errors import ServiceDeskError
from servicedesk.settings import Settings, get_settings


def _ensure_sqlite_dir(settings: Settings) -> None:
    url = settings.database_url
    if url.startswith("sqlite://") and ":memory:" not in url:
        Path(url.removeprefix("sqlite://")).parent.mkdir(parents=True, exist_ok=True)


async def migrate_database(settings: Settings) -> None:
    """Apply every committed migration (Tortoise's own migration engine)."""
    from tortoise.migrations.api import migrate

    _ensure_sqlite_dir(settings)
    try:
        await migrate(config=tortoise_config(settings.database_url))
    finally:
        await Tortoise.close_connections()


async def _with_db(settings: Settings, work: Callable[[], Awaitable[Any]]) -> Any:
    from servicedesk import wiring

    wiring.install()  # every command that opens the database may reach the cases
    await Tortoise.init(config=tortoise_config(settings.database_url))
    try:
        return await work()
    finally:
        await Tortoise.close_connections()


async def _seed(settings: Settings) -> bool:
    from servicedesk.seed.demo import seed_demo

    return bool(await _with_db(settings, seed_demo))


def cmd_migrate(_args: argparse.Namespace, settings: Settings) -> None:
    asyncio.run(migrate_database(settings))
    print("database is up to date")


def cmd_seed(args: argparse.Namespace, settings: Settings) -> None:
    if not args.demo:
        raise SystemExit("seed: only --demo is available")
    asyncio.run(migrate_database(settings))
    seeded = asyncio.run(_seed(settings))
    print("demo data seeded" if seeded else "database already holds data; demo not seeded")


def cmd_serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    if args.workers > 1 and not settings.is_postgres:
        # SQLite events stay inside one process, and its writers would contend.
        raise SystemExit("serve: several workers need PostgreSQL (SERVICEDESK_DATABASE_URL)")
    asyncio.run(migrate_database(settings))
    if args.demo:
        seeded = asyncio.run(_seed(settings))
        print("demo data seeded" if seeded else "database already holds data; demo not seeded")
    uvicorn.run(
        "servicedesk.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        # Display boards hold event streams open for good; don't wait on them forever.
        timeout_graceful_shutdown=5,
    )


def cmd_user_create(args: argparse.Namespace, settings: Settings) -> None:
    from servicedesk.accounts import service
    from servicedesk.accounts.models import Role
    from servicedesk.catalogue import service as catalogue

    if not args.password_stdin:
        raise SystemExit("user create: give the password on standard input with --password-stdin")
    password = sys.stdin.readline().rstrip("\n")

    async def work() -> None:
        user = await service.create_user(
            args.name,
            password=password,
            role=Role(args.role),
            service_point=(
                await catalogue.get_point(args.service_point) if args.service_point else None
            ),
            incubator_code=args.incubator,
        )
        print(f"created {user.role.value} {user.username}")

    asyncio.run(_with_db(settings, work))


def cmd_kiosk_create(args: argparse.Namespace, settings: Settings) -> None:
    from servicedesk.accounts import service
    from servicedesk.catalogue import service as catalogue

    async def work() -> None:
        point = await catalogue.get_point(args.service_point)
        _, token = await service.create_kiosk(point, name=args.name or "")
        print(token)

    asyncio.run(_with_db(settings, work))


def cmd_report_annual(args: argparse.Namespace, settings: Settings) -> None:
    from kiosk_ui import report
    from servicedesk.statistics import annual

    async def work() -> annual.AnnualReport:
        return await annual.build(args.year)

    built = asyncio.run(_with_db(settings, work))
    html = report.render_annual(built)
    out = Path(args.out or f"annual-report-{args.year}.pdf")
    if out.suffix.lower() in {".html", ".htm"}:
        out.write_text(html, encoding="utf-8")
    else:
        out.write_bytes(report.pdf_bytes(html))
    print(out)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="servicedesk", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="migrate, then run the service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--demo", action="store_true", help="seed demo data into an empty DB")
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    seed = sub.add_parser("seed", help="seed data")
    seed.add_argument("--demo", action="store_true")
    seed.set_defaults(func=cmd_seed)
    user = sub.add_parser("user", help="staff accounts").add_subparsers(
        dest="action", required=True
    )
    create = user.add_parser("create")
    create.add_argument("name")
    create.add_argument(
        "--role", required=True, choices=["clerk", "supervisor", "official", "incubator", "admin"]
    )
    create.add_argument("--service-point")
    create.add_argument("--incubator")
    create.add_argument("--password-stdin", action="store_true")
    create.set_defaults(func=cmd_user_create)
    kiosk = sub.add_parser("kiosk", help="kiosk devices").add_subparsers(
        dest="action", required=True
    )
    kcreate = kiosk.add_parser("create")
    kcreate.add_argument("--service-point", required=True)
    kcreate.add_argument("--name")
    kcreate.set_defaults(func=cmd_kiosk_create)
    reports = sub.add_parser("report", help="reports").add_subparsers(dest="action", required=True)
    yearly = reports.add_parser("annual", help="the year's report: PDF, or HTML with --out x.html")
    yearly.add_argument("--year", type=int, required=True)
    yearly.add_argument("--out", help="file to write (default annual-report-YEAR.pdf)")
    yearly.set_defaults(func=cmd_report_annual)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        args.func(args, get_settings())
    except ServiceDeskError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
