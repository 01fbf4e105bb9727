"""The ``servicedesk`` console script (DESIGN §6)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from tortoise import Tortoise

from servicedesk.audit.service import operator
from servicedesk.db import tortoise_config
from servicedesk.errors import ServiceDeskError
from servicedesk.serving import refuse, refuse_unsafe_settings, serving_settings, uvicorn_options
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
    if settings.environment == "production":
        raise SystemExit(
            "seed --demo: demo accounts have a published password; set "
            "SERVICEDESK_ENVIRONMENT=development to seed a demo"
        )
    asyncio.run(migrate_database(settings))
    seeded = asyncio.run(_seed(settings))
    print("demo data seeded" if seeded else "database already holds data; demo not seeded")


def refuse_demo_leftovers(settings: Settings) -> None:
    """Exit non-zero when production finds demo accounts or demo kiosk tokens."""
    from servicedesk.seed import production

    if settings.environment == "production":
        refuse(asyncio.run(_with_db(settings, lambda: production.demo_leftovers(settings))))


def cmd_serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    if args.access_log:  # the workers read it from the environment too
        os.environ["SERVICEDESK_ACCESS_LOG"] = args.access_log
        get_settings.cache_clear()
        settings = get_settings()
    settings = serving_settings(args.demo, settings)
    if args.workers > 1 and not settings.is_postgres:
        # SQLite events stay inside one process, and its writers would contend.
        raise SystemExit("serve: several workers need PostgreSQL (SERVICEDESK_DATABASE_URL)")
    refuse_unsafe_settings(settings, demo=args.demo)  # before touching the database
    asyncio.run(migrate_database(settings))
    if args.demo:
        seeded = asyncio.run(_seed(settings))
        print("demo data seeded" if seeded else "database already holds data; demo not seeded")
    refuse_demo_leftovers(settings)
    uvicorn.run(
        "servicedesk.serving:served_app",
        host=args.host,
        port=args.port,
        **uvicorn_options(settings, workers=args.workers),
    )


def cmd_worker(_args: argparse.Namespace, settings: Settings) -> None:
    """Deliver messages and run the periodic rules until SIGTERM or Ctrl-C."""
    import logging
    import signal

    from servicedesk.worker import Worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for chatty in ("httpx", "apscheduler"):  # one line per request or job run
        logging.getLogger(chatty).setLevel(logging.WARNING)

    async def work() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await Worker(settings).run(stop)

    asyncio.run(_with_db(settings, work))


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
            actor=operator(),
        )
        print(f"created {user.role.value} {user.username}")

    asyncio.run(_with_db(settings, work))


def cmd_user_unlock(args: argparse.Namespace, settings: Settings) -> None:
    from servicedesk.accounts import login

    async def work() -> None:
        cleared = await login.unlock(args.name, actor=operator())
        print(f"{args.name}: " + ("lock cleared" if cleared else "was not locked"))

    asyncio.run(_with_db(settings, work))


def cmd_kiosk_create(args: argparse.Namespace, settings: Settings) -> None:
    from servicedesk.accounts import kiosks, service
    from servicedesk.catalogue import service as catalogue

    async def work() -> None:
        point = await catalogue.get_point(args.service_point)
        device, token = await service.create_kiosk(
            point, name=args.name or "", actor=operator(), expires_days=args.expires_days
        )
        code = await kiosks.new_enrol_code(device.id, actor=operator())
        print(token)
        print(
            f"kiosk {device.id} at {point.code}: the token above is for API clients; to enrol "
            f"a kiosk browser open /kiosk/{point.code}/enrol and type {code} (once, within "
            f"{kiosks.ENROL_CODE_HOURS} h; it replaces the token above)",
            file=sys.stderr,
        )

    asyncio.run(_with_db(settings, work))


def cmd_kiosk_action(args: argparse.Namespace, settings: Settings) -> None:
    """``kiosk revoke|rotate|enrol-code ID``."""
    from servicedesk.accounts import kiosks

    async def work() -> None:
        if args.action == "revoke":
            row = await kiosks.revoke(args.id, actor=operator())
            print(f"kiosk {row.id} at {row.service_point.code} revoked")
        elif args.action == "rotate":
            print(await kiosks.rotate(args.id, actor=operator()))
        else:
            print(await kiosks.new_enrol_code(args.id, actor=operator()))

    asyncio.run(_with_db(settings, work))


def cmd_catalogue(args: argparse.Namespace, settings: Settings) -> None:
    from servicedesk.admin import catalogue_file

    path = Path(args.file)

    async def export() -> None:
        path.write_text(await catalogue_file.export_text(), encoding="utf-8")
        print(f"catalogue written to {path}")

    async def load() -> None:
        text = path.read_text(encoding="utf-8")
        plan = await catalogue_file.plan(text)
        for problem in plan.problems:
            print(f"error: {problem}", file=sys.stderr)
        if plan.problems:
            raise SystemExit(f"nothing imported: {len(plan.problems)} problem(s) in {path}")
        for change in plan.changes or ["no changes"]:
            print(change)
        if args.check:
            return
        await catalogue_file.apply(text, actor="cli:catalogue-import")
        print(f"imported {len(plan.changes)} change(s)")

    asyncio.run(_with_db(settings, export if args.action == "export" else load))


def cmd_report_annual(args: argparse.Namespace, settings: Settings) -> None:
    from kiosk_ui import report
    from servicedesk.statistics import annual

    async def work() -> annual.AnnualReport:
        return await annual.build(args.year, lang=args.lang)

    built = asyncio.run(_with_db(settings, work))
    html = report.render_annual(built)
    out = Path(args.out or f"annual-report-{args.year}.pdf")
    if out.suffix.lower() in {".html", ".htm"}:
        out.write_text(html, encoding="utf-8")
    else:
        out.write_bytes(report.pdf_bytes(html))
    print(out)


def cmd_audit_verify(_args: argparse.Namespace, settings: Settings) -> None:
    from servicedesk.audit import service as audit

    verdict = asyncio.run(_with_db(settings, audit.verify))
    if not verdict.whole:
        raise SystemExit(
            f"audit chain broken at row {verdict.broken_id}: {verdict.reason} "
            f"({verdict.checked - 1} rows before it hold)"
        )
    print(
        f"audit chain whole: {verdict.checked} rows, head {verdict.head}"
        + (f" ({verdict.unchained} rows arrived while checking)" if verdict.unchained else "")
    )


def cmd_statistics_rebuild(_args: argparse.Namespace, settings: Settings) -> None:
    from servicedesk.statistics import tallies, volumes

    async def work() -> tuple[int, int]:
        await tallies.install()
        await volumes.install()
        return await tallies.rebuild(), await volumes.rebuild()

    timed, counted = asyncio.run(_with_db(settings, work))
    print(f"{timed} time tally rows and {counted} volume tally rows rebuilt from the tickets")


def _add_service(sub: Any) -> None:
    serve = sub.add_parser("serve", help="migrate, then run the service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--demo", action="store_true", help="seed demo data into an empty DB")
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--access-log",
        choices=["auto", "off", "text", "json"],
        help="per-request log (default SERVICEDESK_ACCESS_LOG, auto: text in development only)",
    )
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    sub.add_parser(
        "worker", help="deliver messages and run the periodic rules (several may run on PostgreSQL)"
    ).set_defaults(func=cmd_worker)
    seed = sub.add_parser("seed", help="seed data")
    seed.add_argument("--demo", action="store_true")
    seed.set_defaults(func=cmd_seed)


def _add_accounts(sub: Any) -> None:
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
    unlock = user.add_parser("unlock", help="clear an account's failed logins and lock")
    unlock.add_argument("name")
    unlock.set_defaults(func=cmd_user_unlock)
    kiosk = sub.add_parser("kiosk", help="kiosk devices").add_subparsers(
        dest="action", required=True
    )
    kcreate = kiosk.add_parser("create")
    kcreate.add_argument("--service-point", required=True)
    kcreate.add_argument("--name")
    kcreate.add_argument("--expires-days", type=int, help="refuse the token after N days")
    kcreate.set_defaults(func=cmd_kiosk_create)
    for action, text in (
        ("revoke", "refuse the kiosk's token from now on"),
        ("rotate", "print a new token; the old one is refused"),
        ("enrol-code", "print a one-time code that enrols a kiosk browser"),
    ):
        step = kiosk.add_parser(action, help=text)
        step.add_argument("id", type=int)
        step.set_defaults(func=cmd_kiosk_action)
    audit = sub.add_parser("audit", help="the audit log").add_subparsers(
        dest="action", required=True
    )
    verify = audit.add_parser("verify", help="check the hash chain; non-zero when broken")
    verify.set_defaults(func=cmd_audit_verify)


def _add_files(sub: Any) -> None:
    catalogue = sub.add_parser("catalogue", help="the catalogue as a TOML file").add_subparsers(
        dest="action", required=True
    )
    cexport = catalogue.add_parser("export", help="write the catalogue to FILE")
    cexport.add_argument("file")
    cexport.set_defaults(func=cmd_catalogue)
    cimport = catalogue.add_parser("import", help="validate FILE whole, show the diff, apply")
    cimport.add_argument("file")
    cimport.add_argument("--check", action="store_true", help="validate and show the diff only")
    cimport.set_defaults(func=cmd_catalogue)
    reports = sub.add_parser("report", help="reports").add_subparsers(dest="action", required=True)
    yearly = reports.add_parser("annual", help="the year's report: PDF, or HTML with --out x.html")
    yearly.add_argument("--year", type=int, required=True)
    yearly.add_argument("--out", help="file to write (default annual-report-YEAR.pdf)")
    yearly.add_argument("--lang", choices=("zh", "en"), default="zh", help="the report's language")
    yearly.set_defaults(func=cmd_report_annual)
    statistics = sub.add_parser("statistics", help="service statistics").add_subparsers(
        dest="action", required=True
    )
    statistics.add_parser(
        "rebuild", help="recount the ticket time and volume tallies (and their triggers)"
    ).set_defaults(func=cmd_statistics_rebuild)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="servicedesk", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (_add_service, _add_accounts, _add_files):
        add(sub)
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
