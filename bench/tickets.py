"""Take a number and call-next over HTTP with wrk, against two insert baselines.

    python bench/tickets.py [--quick] [--seconds 5] [--rounds 2] [--connections 32]
                            [--windows 8] [--databases sqlite,postgres] [--no-sse]
                            [--postgres postgres://postgres@127.0.0.1:5432]

Every figure comes from wrk (Debian's ``wrk``; ``make bench`` installs it) against
servers started the way ``servicedesk serve`` starts them (``uvicorn_options``:
uvloop, httptools, production settings, so no per-request log), each on its own
fresh database (a SQLite file in WAL mode with ``synchronous=NORMAL``, or a fresh
PostgreSQL database):

* minimal insert: a minimal FastAPI + Tortoise app (``bench/minimal_app.py``), one
  ``POST`` that inserts a row: no auth, no dependencies;
* in-app insert: ``POST /bench/baseline`` added to the real app by this bench only,
  one ORM insert into the audit log behind the real app's routing;
* take a number: ``POST /api/v1/service-points/BENCH/tickets`` with a kiosk token over
  32 connections, once with 10 and once with 5,000 tickets waiting when it starts,
  on two databases that both took 5,000 numbers first (the first then cancels all but
  ten), so the two differ in the queue's length only; before each figure the bench
  cancels, in the database, the tickets taken by the previous one and recounts the
  tallies;
* call-next + complete: one connection per window (8 windows serving the point's three
  queues), each window's own clerk calling the next ticket and completing it, from
  5,000 waiting; req/s counts both requests, calls/s the calls.

For each database kind the servers of every worker count (PostgreSQL: one and two
workers) run side by side, idle while another is measured, and the figures are taken
in turn, round after round (two rounds; the lower median is shown), one worker count
after the other within a round, so a change in the load of this shared machine falls
on all of them alike, the two-worker ratio included. Besides req/s, p50 and p99, each
figure shows the app's own CPU per request (its workers', not the database server's),
which the machine's load disturbs far less, and PostgreSQL's. Beside the two-worker
figure the bench prints the CPUs one worker's take keeps busy (app, PostgreSQL and
wrk: the bound on what a second worker can add) and, for context, how much work two
pure-Python processes do side by side against one on this machine. Then
``bench/sse.py`` connects 200 event-stream screens to the point.
``--quick``: 2 s per figure, one round.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import (
    Database,
    Server,
    ensure_wrk,
    fresh_database,
    postgres_up,
    reset_waiting,
    settle,
    two_process_gain,
    wrk,
)

PASSWORD = "bench-pass-2026"
POINT = "BENCH"


# ---------------------------------------------------------------- the served app


def served_app() -> Any:
    """The real app as ``serve`` builds it, plus ``POST /bench/baseline``."""
    from fastapi import FastAPI

    from servicedesk.audit.models import AuditEntry
    from servicedesk.serving import served_app as real
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
    kiosk, a clerk per window), and leave ``waiting`` tickets waiting."""
    from tortoise import Tortoise

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
        clerks = []  # one clerk per window, as in a hall
        for i in range(windows):
            user = await accounts.create_user(
                f"bench-clerk-{i + 1:02d}",
                password=PASSWORD,
                role=Role.CLERK,
                service_point=bench_point,
            )
            clerks.append(await accounts.issue_token(user))
        for i in range(waiting):  # one number at a time, as kiosks take them
            await issuing.take(
                principal=Principal(kiosk=device),
                service_point=POINT,
                matter_code=matters[i % len(matters)],
            )
    finally:
        await Tortoise.close_connections()
    return {
        "kiosk": kiosk,
        "clerk": clerks[0],
        "clerks": clerks,
        "windows": codes,
        "matters": matters,
    }


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


HISTORY = 5000  # numbers every prepared hall has taken, whatever waits when a figure starts


def prepare_hall(db: Database, *, waiting: int, windows: int) -> dict[str, Any]:
    """A hall that has taken :data:`HISTORY` numbers, ``waiting`` of them still waiting,
    settled. Every figure's database has the same history, so only the queue's length
    differs: a table of ten rows would give PostgreSQL plans made for a tiny table (a
    sequential scan for the busy windows) that the pooled connections keep while the
    table grows, for as long as asyncpg keeps a statement (5 minutes)."""
    prepared = prepare(db, waiting=HISTORY, windows=windows)
    if waiting < HISTORY:
        reset_waiting(db, waiting)
    settle(db)
    return prepared


# ---------------------------------------------------------------- the rounds

Row = dict[str, Any]
TAKE = f"/api/v1/service-points/{POINT}/tickets"


def take_env(prepared: dict[str, Any]) -> dict[str, str]:
    bodies = "\n".join(json.dumps({"matter_code": m}) for m in prepared["matters"])
    return {"BENCH_PATH": TAKE, "BENCH_TOKEN": prepared["kiosk"], "BENCH_BODIES": bodies}


def _post(server: Server, env: dict[str, str], args: argparse.Namespace) -> Row:
    """Warm up for a second, then measure POSTs over ``args.connections`` connections."""
    n = args.connections
    wrk(server.url, "post.lua", env=env, connections=n, seconds=1)
    return wrk(server.url, "post.lua", env=env, connections=n, seconds=args.seconds, server=server)


def _calls(server: Server, prepared: dict[str, Any], args: argparse.Namespace) -> Row:
    """One connection per window, each calling the next ticket and completing it."""
    env = {
        "BENCH_TOKENS": ",".join(prepared["clerks"]),
        "BENCH_WINDOWS": ",".join(prepared["windows"]),
    }
    n = len(prepared["windows"])
    wrk(server.url, "call.lua", env=env, connections=n, threads=n, seconds=1)
    run = wrk(
        server.url,
        "call.lua",
        env=env,
        connections=n,
        threads=n,
        seconds=args.seconds,
        server=server,
    )
    return {**run, "calls_per_s": run["calls"] / run["seconds"]}


def group(kind: str, counts: tuple[int, ...], *, tmp: Path, args: argparse.Namespace) -> list[Row]:
    """Every figure of one database kind, for each worker count in ``counts``. The
    servers of every count run side by side (idle while another is measured) and the
    figures are taken in turn, round after round, every worker count in each round
    (which goes first alternates), so a change in the machine's load falls on all of
    them alike, the two-worker ratio included."""
    label = "SQLite" if kind == "sqlite" else "PostgreSQL"
    samples: dict[tuple[int, str, int | None], list[Row]] = defaultdict(list)
    with contextlib.ExitStack() as stack:
        halls = {n: Hall.open(stack, kind, n, tmp=tmp, args=args) for n in counts}
        for round_no in range(args.rounds):
            for n in counts if round_no % 2 == 0 else counts[::-1]:
                for endpoint, waiting, row in _figures(halls[n], args):
                    samples[n, endpoint, waiting].append(row)
    rows = []
    for (workers, endpoint, waiting), runs in sorted(samples.items(), key=lambda s: s[0][0]):
        chosen = sorted(runs, key=lambda r: r["rps"])[(len(runs) - 1) // 2]  # lower median
        rows.append(
            {
                "db": label,
                "workers": workers,
                "waiting": waiting,
                "endpoint": endpoint,
                "runs": len(runs),
                **chosen,
            }
        )
        print(_brief(rows[-1]), flush=True)
    return rows


def _figures(hall: Hall, args: argparse.Namespace) -> list[tuple[str, int | None, Row]]:
    """One round of a worker count's figures, in the report's order."""
    figures: list[tuple[str, int | None, Row]] = [
        ("minimal insert", None, _post(hall.minimal, {"BENCH_PATH": "/insert"}, args)),
        ("in-app insert", None, _post(hall.short, {"BENCH_PATH": "/bench/baseline"}, args)),
    ]
    reset_waiting(hall.db["short"], 10)
    figures.append(("take a number", 10, _post(hall.short, take_env(hall.short_data), args)))
    reset_waiting(hall.db["long"], HISTORY)
    figures.append(("take a number", 5000, _post(hall.long, take_env(hall.long_data), args)))
    figures.append(("call-next + complete", 5000, _calls(hall.long, hall.long_data, args)))
    return figures


@dataclass(frozen=True)
class Hall:
    """One worker count's servers: the minimal app, and the real app on a hall with 10
    (``short``) and with 5,000 (``long``) waiting, each on its fresh database."""

    db: dict[str, Database]
    minimal: Server
    short: Server
    long: Server
    short_data: dict[str, Any]  # what prepare_hall answered: tokens, windows, matters
    long_data: dict[str, Any]

    @classmethod
    def open(
        cls,
        stack: contextlib.ExitStack,
        kind: str,
        workers: int,
        *,
        tmp: Path,
        args: argparse.Namespace,
    ) -> Hall:
        """Prepare the databases and start the servers, all closed with ``stack``."""
        db = {
            name: stack.enter_context(fresh_database(kind, tmp=tmp, server=args.postgres))
            for name in ("minimal", "short", "long")
        }
        prepare(db["minimal"])
        settle(db["minimal"])
        data = {
            "short": prepare_hall(db["short"], waiting=10, windows=args.windows),
            "long": prepare_hall(db["long"], waiting=HISTORY, windows=args.windows),
        }
        # Each server starts as soon as it is made: it picks a free port when made, and
        # servers made before any listens could pick the same one.
        minimal = stack.enter_context(
            Server(
                "minimal_app:create",
                {"MINIMAL_DATABASE_URL": db["minimal"].url},
                workers=workers,
                ready_path="/ready",
            )
        )
        app = {
            name: stack.enter_context(
                Server(
                    "tickets:served_app",
                    {"SERVICEDESK_DATABASE_URL": db[name].url},
                    workers=workers,
                )
            )
            for name in ("short", "long")
        }
        return cls(
            db=db,
            minimal=minimal,
            short=app["short"],
            long=app["long"],
            short_data=data["short"],
            long_data=data["long"],
        )


# ---------------------------------------------------------------- report


def report(rows: list[Row], gain: float | None) -> None:
    print(
        f"\n{'database':<11}{'workers':>8}{'waiting':>8}  {'endpoint':<21}{'req/s':>8}"
        f"{'p50 ms':>8}{'p99 ms':>8}{'× in-app':>10}{'× minimal':>10}{'app CPU ms':>11}"
        f"{'DB CPU ms':>10}  notes"
    )
    for r in rows:
        same = [x for x in rows if x["db"] == r["db"] and x["workers"] == r["workers"]]
        minimal = next((x["rps"] for x in same if x["endpoint"] == "minimal insert"), None)
        in_app = next((x["rps"] for x in same if x["endpoint"] == "in-app insert"), None)
        notes = []
        if "calls_per_s" in r:
            notes.append(f"{r['calls_per_s']:.0f} calls/s, {r['empty']} empty")
        held = r.get("held", 0)  # a window still holding the ticket the warm-up called
        if held:
            notes.append(f"{held} × 409 on a held window, then completed")
        if r["errors"] - held:
            notes.append(f"{r['errors'] - held} errors")
        waiting = "" if r["waiting"] is None else str(r["waiting"])
        print(
            f"{r['db']:<11}{r['workers']:>8}{waiting:>8}  {r['endpoint']:<21}{r['rps']:>8.0f}"
            f"{r['p50']:>8.1f}{r['p99']:>8.1f}{_ratio(r['rps'], in_app):>10}"
            f"{_ratio(r['rps'], minimal):>10}{r['cpu_ms']:>11.2f}"
            f"{_db_cpu(r):>10}"
            f"  {'; '.join(notes)}"
        )
    print(
        "  (waiting: tickets waiting when the figure starts; app CPU: the server workers'"
        " CPU per request; DB CPU: PostgreSQL's processes' CPU per request, SQLite's work"
        " being in the app's)"
    )
    _targets(rows, gain)


def _db_cpu(r: Row) -> str:
    return f"{r['db_cpu_ms']:.2f}" if r["db"] == "PostgreSQL" else "-"


def _ratio(value: float, base: float | None) -> str:
    return f"{value / base:.2f}" if base else "-"


def _find(rows: list[Row], db: str, workers: int, waiting: int | None, endpoint: str) -> Row:
    for r in rows:
        if (r["db"], r["workers"], r["endpoint"], r["waiting"]) == (db, workers, endpoint, waiting):
            return r
    return {}


def _targets(rows: list[Row], gain: float | None) -> None:
    print("\nissue 14's targets, this run:")
    for db in ("SQLite", "PostgreSQL"):
        minimal = _find(rows, db, 1, None, "minimal insert")
        take10 = _find(rows, db, 1, 10, "take a number")
        take5k = _find(rows, db, 1, 5000, "take a number")
        calls = _find(rows, db, 1, 5000, "call-next + complete")
        if minimal and take10:
            _target(f"{db}: take a number ≥ 0.5× minimal insert", take10, minimal, 0.5)
        if take10 and take5k:
            _target(f"{db}: take at 5,000 waiting ≥ 0.9× at 10", take5k, take10, 0.9)
        if minimal and calls:
            _target(f"{db}: call-next + complete ≥ 0.3× minimal", calls, minimal, 0.3)
    one = _find(rows, "PostgreSQL", 1, 10, "take a number")
    two = _find(rows, "PostgreSQL", 2, 10, "take a number")
    if one and two:
        _target("PostgreSQL: take, 2 workers ≥ 1.3× one", two, one, 1.3, cpu=False)
        # What a second worker can add: the CPUs one worker's figure already keeps busy.
        each = {"app": one["cpu_ms"], "PostgreSQL": one["db_cpu_ms"], "wrk": one["load_cpu_ms"]}
        busy = max(one["rps"] * sum(each.values()) / 1000, 1e-9)
        cpus = os.cpu_count() or 1
        print(
            f"    one worker's take keeps {busy:.2f} of {cpus} CPUs busy ("
            + ", ".join(f"{k} {v:.2f} ms" for k, v in each.items())
            + f" of CPU per request): two workers can do at most {cpus / busy:.2f}× one,"
            " even at no extra cost per request",
            end="",
        )
        lone = _find(rows, "PostgreSQL", 1, None, "minimal insert")
        pair = _find(rows, "PostgreSQL", 2, None, "minimal insert")
        if lone and pair:
            print(f"; the minimal app gains {pair['rps'] / lone['rps']:.2f}× from a second", end="")
        print()
    if gain is not None:
        print(
            f"    for context, this machine after the figures: two CPU-bound processes side by"
            f" side do {gain:.2f}× the work of one (pure Python, no database, no I/O)"
        )


def _target(label: str, value: Row, base: Row, goal: float, *, cpu: bool = True) -> None:
    """The ratio of rates, and beside it the inverse ratio of app CPU per request."""
    ratio = value["rps"] / base["rps"]
    line = f"  {label:<48} {ratio:5.2f}  {'met' if ratio >= goal else 'NOT met':<8}"
    if cpu and value["cpu_ms"]:
        line += f" (by app CPU per request: {base['cpu_ms'] / value['cpu_ms']:.2f})"
    print(line)


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 s per figure, one round")
    parser.add_argument("--seconds", type=float, help="seconds per figure (default 5)")
    parser.add_argument("--rounds", type=int, help="rounds of every figure (default 2)")
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
    args.rounds = args.rounds or (1 if args.quick else 2)
    ensure_wrk()
    kinds = args.databases.split(",")
    if "postgres" in kinds and not postgres_up(args.postgres):
        print(f"PostgreSQL at {args.postgres} did not answer: skipped")
        kinds.remove("postgres")
    print(
        f"wrk, {args.seconds:g} s per figure after 1 s of warm-up, {args.rounds} round(s), the"
        f" lower median shown; take a number over {args.connections} connections, call-next"
        f" at {args.windows} windows; {os.cpu_count()} CPUs, load average"
        f" {os.getloadavg()[0]:.1f} at the start"
    )
    rows: list[Row] = []
    gain = None
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            rows += group(kind, (1, 2) if kind == "postgres" else (1,), tmp=Path(tmp), args=args)
        if "postgres" in kinds:  # beside the two-worker figure: what this machine allows
            gain = two_process_gain(seconds=1.0 if args.quick else 2.0)
        report(rows, gain)
        if not args.no_sse:
            import sse

            for kind in kinds:
                with fresh_database(kind, tmp=Path(tmp), server=args.postgres) as db:
                    sse.run(db, args=args)
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")


def _brief(r: Row) -> str:
    waiting = "" if r["waiting"] is None else f" ({r['waiting']} waiting)"
    return (
        f"  {r['db']}, {r['workers']} worker(s), {r['endpoint']}{waiting}: "
        f"{r['rps']:.0f} req/s, p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms"
    )


if __name__ == "__main__":
    main()
