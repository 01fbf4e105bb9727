"""The ``servicedesk`` console script (DESIGN §6)."""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import logging
import os
import sys
import time
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


def access_log_mode(settings: Settings) -> str:
    """The per-request log ``serve`` writes: "auto" resolves by environment."""
    if settings.access_log == "auto":
        return "text" if settings.environment == "development" else "off"
    return settings.access_log


class JsonAccessLog:
    """ASGI middleware: one JSON line per request on the logger ``servicedesk.access``
    (an event stream is logged when it closes, its duration the time it was open)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.log = logging.getLogger("servicedesk.access")

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 0

        async def sending(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            client = scope.get("client")
            self.log.info(
                json.dumps(
                    {
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status or 500,
                        "ms": round((time.perf_counter() - started) * 1000, 2),
                        "client": client[0] if client else None,
                    },
                    separators=(",", ":"),
                )
            )


def served_app() -> Any:
    """The app as ``serve`` runs it (uvicorn factory): the JSON access log when asked."""
    from servicedesk.app import create_app

    settings = get_settings()
    app = create_app(settings)
    return JsonAccessLog(app) if access_log_mode(settings) == "json" else app


def uvicorn_options(settings: Settings, *, workers: int = 1) -> dict[str, Any]:
    """uvicorn.run's options for ``serve`` (and the bench, which serves alike)."""
    mode = access_log_mode(settings)
    log_config = copy.deepcopy(uvicorn_logging())
    log_config["formatters"]["plain"] = {"format": "%(message)s"}
    log_config["handlers"]["structured"] = {
        "class": "logging.StreamHandler",
        "formatter": "plain",
        "stream": "ext://sys.stdout",
    }
    log_config["loggers"]["servicedesk.access"] = {
        "handlers": ["structured"],
        "level": "INFO",
        "propagate": False,
    }
    return {
        "factory": True,
        "workers": workers,
        "log_level": "info",
        "log_config": log_config,
        "access_log": mode == "text",
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        # Display boards hold event streams open for good; don't wait on them forever.
        "timeout_graceful_shutdown": 5,
    }


def uvicorn_logging() -> dict[str, Any]:
    from uvicorn.config import LOGGING_CONFIG

    return LOGGING_CONFIG


def cmd_serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    if args.access_log:  # the workers read it from the environment too
        os.environ["SERVICEDESK_ACCESS_LOG"] = args.access_log
        get_settings.cache_clear()
        settings = get_settings()
    if args.workers > 1 and not settings.is_postgres:
        # SQLite events stay inside one process, and its writers would contend.
        raise SystemExit("serve: several workers need PostgreSQL (SERVICEDESK_DATABASE_URL)")
    asyncio.run(migrate_database(settings))
    if args.demo:
        seeded = asyncio.run(_seed(settings))
        print("demo data seeded" if seeded else "database already holds data; demo not seeded")
    uvicorn.run(
        "servicedesk.cli:served_app",
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
        return await annual.build(args.year)

    built = asyncio.run(_with_db(settings, work))
    html = report.render_annual(built)
    out = Path(args.out or f"annual-report-{args.year}.pdf")
    if out.suffix.lower() in {".html", ".htm"}:
        out.write_text(html, encoding="utf-8")
    else:
        out.write_bytes(report.pdf_bytes(html))
    print(out)


def cmd_statistics_rebuild(_args: argparse.Namespace, settings: Settings) -> None:
    from servicedesk.statistics import tallies

    async def work() -> int:
        await tallies.install()
        return await tallies.rebuild()

    print(f"{asyncio.run(_with_db(settings, work))} tally rows rebuilt from the tickets")


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
    kiosk = sub.add_parser("kiosk", help="kiosk devices").add_subparsers(
        dest="action", required=True
    )
    kcreate = kiosk.add_parser("create")
    kcreate.add_argument("--service-point", required=True)
    kcreate.add_argument("--name")
    kcreate.set_defaults(func=cmd_kiosk_create)


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
    yearly.set_defaults(func=cmd_report_annual)
    statistics = sub.add_parser("statistics", help="service statistics").add_subparsers(
        dest="action", required=True
    )
    statistics.add_parser(
        "rebuild", help="recount the ticket-time tallies from the tickets (and their triggers)"
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
