"""Take a number and call-next over HTTP with wrk, against two insert baselines.

    python bench/tickets.py [--quick] [--seconds 5] [--connections 32] [--windows 8]
                            [--postgres postgres://postgres@127.0.0.1:5432]
                            [--databases sqlite,postgres] [--no-sse]

Every figure comes from wrk (Debian's ``wrk``; ``make bench`` installs it) against
servers started the way ``servicedesk serve`` starts them (``uvicorn_options``:
uvloop, httptools, production settings, so no per-request log), each on a fresh
database (a SQLite file in WAL mode with ``synchronous=NORMAL``, or a fresh
PostgreSQL database), one after the other in the same run:

* minimal insert: a minimal FastAPI + Tortoise app (``bench/minimal_app.py``), one
  ``POST`` that inserts a row: no auth, no dependencies;
* in-app insert: ``POST /bench/baseline`` added to the real app by this bench only,
  one ORM insert into the audit log behind the real app's routing and middleware;
* take a number: ``POST /api/v1/service-points/BENCH/tickets`` with a kiosk token,
  over 32 connections, starting with 10 and with 5,000 tickets waiting;
* call-next + complete: one connection per window (8 windows), each calling the
  next ticket and completing it; req/s counts both requests, calls/s the calls.

PostgreSQL runs with one and with two workers (each with its own baselines). Then
``bench/sse.py`` connects 200 event-stream clients to the point and measures take a
number beside the same figure without them, memory per connection, and whether
every client received every call. ``--quick`` runs 2 s per figure and skips the
5,000-waiting rounds of two workers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from harness import Database, Server, ensure_wrk, fresh_database, postgres_up, wrk

PASSWORD = "bench-pass-2026"
POINT = "BENCH"


# ---------------------------------------------------------------- the served app


def served_app() -> Any:
    """The real app as ``serve`` builds it, plus ``POST /bench/baseline``."""
    from fastapi import FastAPI

    from servicedesk.audit.models import AuditEntry
    from servicedesk.cli import served_app as real
    from servicedesk.timeutil import now

    app = real()
    api: FastAPI = app if isinstance(app, FastAPI) else app.app

    @api.post("/bench/baseline", status_code=201)
    async def baseline() -> dict[str, int]:
        row = await AuditEntry.create(
            at=now(), actor="bench", action="bench.insert", entity="bench", entity_id="0"
        )
        return {"id": row.id}

    return app


# ---------------------------------------------------------------- preparing a database


async def _prepare(url: str, *, waiting: int, windows: int) -> dict[str, Any]:
    """Migrate, seed point BENCH (3 queues, ``windows`` windows serving all three, a
    kiosk, a clerk), and leave ``waiting`` tickets waiting."""
    from tortoise import Tortoise
    from tortoise.transactions import in_transaction

    from servicedesk import wiring
    from servicedesk.accounts import service as accounts
    from servicedesk.accounts.models import Role
    from servicedesk.accounts.service import Principal
    from servicedesk.catalogue import service as catalogue
    from servicedesk.catalogue.models import Matter, Queue, ServicePoint, ServicePointMatter, Window
    from servicedesk.cli import migrate_database
    from servicedesk.db import tortoise_config
    from servicedesk.queue import issuing
    from servicedesk.seed.demo import seed_catalogue
    from servicedesk.settings import Settings

    wiring.install()
    await migrate_database(Settings(environment="test", database_url=url))
    await Tortoise.init(config=tortoise_config(url))
    try:
        await seed_catalogue()
        point = await ServicePoint.create(code=POINT, name="压测服务站", focus_industries=["ai"])
        queues = [await Queue.create(service_point=point, code=c, name=c) for c in "ABC"]
        codes = []
        for i in range(windows):
            window = await Window.create(service_point=point, code=f"BENCH-W{i + 1:02d}")
            await window.queues.add(*queues)
            codes.append(window.code)
        matters = [m.code for m in await Matter.all().order_by("code")]
        for i, code in enumerate(matters):
            matter = await Matter.get(code=code)
            await ServicePointMatter.create(service_point=point, matter=matter, queue=queues[i % 3])
        bench_point = await catalogue.get_point(POINT)
        device, kiosk = await accounts.create_kiosk(bench_point)
        user = await accounts.create_user(
            "bench-clerk", password=PASSWORD, role=Role.CLERK, service_point=bench_point
        )
        clerk = await accounts.issue_token(user)
        async with in_transaction():
            for i in range(waiting):
                await issuing.take(
                    principal=Principal(kiosk=device),
                    service_point=POINT,
                    matter_code=matters[i % len(matters)],
                )
    finally:
        await Tortoise.close_connections()
    return {"kiosk": kiosk, "clerk": clerk, "windows": codes, "matters": matters}


async def _prepare_minimal(url: str) -> dict[str, Any]:
    from tortoise import Tortoise

    await Tortoise.init(db_url=url, modules={"models": ["minimal_app"]})
    try:
        await Tortoise.generate_schemas()
    finally:
        await Tortoise.close_connections()
    return {}


def prepare(db: Database, *, waiting: int | None = None, windows: int = 8) -> dict[str, Any]:
    """Prepare ``db`` in a child process (Tortoise fixes its SQL per dialect once per
    process): the real app's data, or with ``waiting=None`` the minimal app's table."""
    command = [sys.executable, __file__, "--prepare", db.url, "--windows", str(windows)]
    if waiting is not None:
        command += ["--waiting", str(waiting)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"preparing {db.label} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# ---------------------------------------------------------------- the rounds

Row = dict[str, Any]


def _row(db: Database, workers: int, waiting: int | None, endpoint: str, r: Row) -> Row:
    return {"db": db.label, "workers": workers, "waiting": waiting, "endpoint": endpoint, **r}


def minimal_round(db: Database, *, workers: int, args: argparse.Namespace) -> Row:
    prepare(db)
    env = {"MINIMAL_DATABASE_URL": db.url}
    with Server("minimal_app:create", env, workers=workers, ready_path="/ready") as server:
        run = _post(server, "/insert", args=args)
    return _row(db, workers, None, "minimal insert", run)


def _post(server: Server, path: str, *, args: argparse.Namespace, **env: str) -> Row:
    """Warm up, then measure ``POST path`` over ``args.connections`` connections."""
    env = {"BENCH_PATH": path, **env}
    wrk(server.url, "post.lua", env=env, connections=args.connections, seconds=1)
    return wrk(server.url, "post.lua", env=env, connections=args.connections, seconds=args.seconds)


def take_env(prepared: dict[str, Any]) -> dict[str, str]:
    bodies = "\n".join(json.dumps({"matter_code": m}) for m in prepared["matters"])
    return {"BENCH_TOKEN": prepared["kiosk"], "BENCH_BODIES": bodies}


def app_round(
    db: Database, *, workers: int, waiting: int, baseline: bool, args: argparse.Namespace
) -> list[Row]:
    """The real app on a fresh database with ``waiting`` tickets waiting: its insert
    baseline (if asked), take a number, then call-next + complete."""
    prepared = prepare(db, waiting=waiting, windows=args.windows)
    rows = []
    with Server("tickets:served_app", {"SERVICEDESK_DATABASE_URL": db.url}, workers=workers) as s:
        if baseline:
            rows.append(
                _row(db, workers, waiting, "in-app insert", _post(s, "/bench/baseline", args=args))
            )
        take = _post(s, f"/api/v1/service-points/{POINT}/tickets", args=args, **take_env(prepared))
        rows.append(_row(db, workers, waiting, "take a number", take))
        env = {"BENCH_TOKEN": prepared["clerk"], "BENCH_WINDOWS": ",".join(prepared["windows"])}
        n = len(prepared["windows"])
        wrk(s.url, "call.lua", env=env, connections=n, threads=n, seconds=1)
        calls = wrk(s.url, "call.lua", env=env, connections=n, threads=n, seconds=args.seconds)
        calls["calls_per_s"] = calls["calls"] / calls["seconds"]
        rows.append(_row(db, workers, waiting, "call-next + complete", calls))
    return rows


# ---------------------------------------------------------------- report


def report(rows: list[Row]) -> None:
    print(
        f"\n{'database':<11}{'workers':>8}{'waiting':>8}  {'endpoint':<21}{'req/s':>8}"
        f"{'p50 ms':>8}{'p99 ms':>8}{'× in-app':>10}{'× minimal':>10}  notes"
    )
    for r in rows:
        same = [x for x in rows if x["db"] == r["db"] and x["workers"] == r["workers"]]
        minimal = next((x["rps"] for x in same if x["endpoint"] == "minimal insert"), None)
        in_app = next((x["rps"] for x in same if x["endpoint"] == "in-app insert"), None)
        notes = []
        if "calls_per_s" in r:
            notes.append(f"{r['calls_per_s']:.0f} calls/s, {r['empty']} empty")
        if r["errors"]:
            notes.append(f"{r['errors']} errors")
        waiting = "" if r["waiting"] is None else str(r["waiting"])
        print(
            f"{r['db']:<11}{r['workers']:>8}{waiting:>8}  {r['endpoint']:<21}{r['rps']:>8.0f}"
            f"{r['p50']:>8.1f}{r['p99']:>8.1f}{_ratio(r['rps'], in_app):>10}"
            f"{_ratio(r['rps'], minimal):>10}  {'; '.join(notes)}"
        )
    _targets(rows)


def _ratio(value: float, base: float | None) -> str:
    return f"{value / base:.2f}" if base else "-"


def _find(rows: list[Row], db: str, workers: int, waiting: int | None, endpoint: str) -> Row | None:
    return next(
        (
            r
            for r in rows
            if (r["db"], r["workers"], r["endpoint"]) == (db, workers, endpoint)
            and (waiting is None or r["waiting"] == waiting)
        ),
        None,
    )


def _targets(rows: list[Row]) -> None:
    print("\nissue 14's targets (this run):")
    for db in ("SQLite", "PostgreSQL"):
        minimal = _find(rows, db, 1, None, "minimal insert")
        take10 = _find(rows, db, 1, 10, "take a number")
        take5k = _find(rows, db, 1, 5000, "take a number")
        calls = _find(rows, db, 1, 10, "call-next + complete")
        if minimal and take10:
            _target(
                f"{db}: take a number ≥ 0.5× minimal insert", take10["rps"] / minimal["rps"], 0.5
            )
        if take10 and take5k:
            _target(f"{db}: take at 5,000 waiting ≥ 0.9× at 10", take5k["rps"] / take10["rps"], 0.9)
        if minimal and calls:
            _target(
                f"{db}: call-next + complete ≥ 0.3× minimal", calls["rps"] / minimal["rps"], 0.3
            )
    one = _find(rows, "PostgreSQL", 1, 10, "take a number")
    two = _find(rows, "PostgreSQL", 2, 10, "take a number")
    if one and two:
        _target("PostgreSQL: take, 2 workers ≥ 1.3× one", two["rps"] / one["rps"], 1.3)


def _target(label: str, value: float, goal: float) -> None:
    print(f"  {label:<48} {value:5.2f}  {'met' if value >= goal else 'NOT met'}")


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 s per figure, fewer rounds")
    parser.add_argument("--seconds", type=float, help="seconds per figure (default 5)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--windows", type=int, default=8)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--no-sse", action="store_true", help="skip bench/sse.py")
    parser.add_argument("--screens", type=int, default=200, help="event streams for bench/sse.py")
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    parser.add_argument("--waiting", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        work = (
            _prepare(args.prepare, waiting=args.waiting, windows=args.windows)
            if args.waiting is not None
            else _prepare_minimal(args.prepare)
        )
        print(json.dumps(asyncio.run(work)))
        return
    args.seconds = args.seconds or (2.0 if args.quick else 5.0)
    ensure_wrk()
    kinds = args.databases.split(",")
    if "postgres" in kinds and not postgres_up(args.postgres):
        print(f"PostgreSQL at {args.postgres} did not answer: skipped")
        kinds.remove("postgres")
    print(
        f"wrk, {args.seconds:g} s per figure after 1 s of warm-up; take a number over "
        f"{args.connections} connections, call-next at {args.windows} windows"
    )
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            for workers in (1, 2) if kind == "postgres" else (1,):
                with fresh_database(kind, tmp=Path(tmp), server=args.postgres) as db:
                    rows.append(minimal_round(db, workers=workers, args=args))
                    print(_brief(rows[-1]), flush=True)
                for waiting in (10, 5000):
                    if waiting == 5000 and workers == 2 and args.quick:
                        continue
                    with fresh_database(kind, tmp=Path(tmp), server=args.postgres) as db:
                        for row in app_round(
                            db, workers=workers, waiting=waiting, baseline=waiting == 10, args=args
                        ):
                            rows.append(row)
                            print(_brief(row), flush=True)
        report(rows)
        if not args.no_sse:
            import sse

            for kind in kinds:
                with fresh_database(kind, tmp=Path(tmp), server=args.postgres) as db:
                    sse.run(db, args=args)


def _brief(r: Row) -> str:
    waiting = "" if r["waiting"] is None else f" ({r['waiting']} waiting)"
    return (
        f"  {r['db']}, {r['workers']} worker(s), {r['endpoint']}{waiting}: "
        f"{r['rps']:.0f} req/s, p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms"
    )


if __name__ == "__main__":
    main()
