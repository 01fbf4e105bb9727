"""Ticket creation and call-next under 32 concurrent clients, against a bare insert.

    .venv/bin/python bench/tickets.py [--requests 1000] [--clients 32]
                                      [--postgres postgres://postgres@127.0.0.1:5432]

For each database (a SQLite file; PostgreSQL when the server answers) the script
builds the real app (``create_app``) on a fresh database, adds one endpoint that
exists only here, ``POST /bench/baseline`` (one bare ORM insert, no auth), and
drives everything in-process through ``httpx.ASGITransport`` with the same number
of concurrent clients:

* baseline       POST /bench/baseline
* take a number  POST /api/v1/service-points/BENCH/tickets (kiosk token, estimate)
* call-next      POST /api/v1/windows/{w}/call-next, each client at its own window,
                 completing each ticket before calling the next; the completes run
                 in the same wall time but only call-next latencies are reported

It prints requests per second, p50 and p99 latency, and the ratio of each rate to
the baseline's rate measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from tortoise import Tortoise

from servicedesk.accounts import service as accounts
from servicedesk.accounts.models import Role
from servicedesk.app import create_app
from servicedesk.audit.models import AuditEntry
from servicedesk.catalogue.models import Matter, Queue, ServicePoint, ServicePointMatter, Window
from servicedesk.db import tortoise_config
from servicedesk.seed.demo import seed_catalogue
from servicedesk.settings import Settings
from servicedesk.timeutil import now

PASSWORD = "bench-pass-2026"


def bench_app(url: str) -> FastAPI:
    app = create_app(Settings(environment="test", database_url=url), init_db=False)

    @app.post("/bench/baseline", status_code=201)
    async def baseline() -> dict[str, int]:
        row = await AuditEntry.create(
            at=now(), actor="bench", action="bench.insert", entity="bench", entity_id="0"
        )
        return {"id": row.id}

    return app


async def seed(clients: int) -> tuple[dict[str, str], dict[str, str], list[str]]:
    await seed_catalogue()
    point = await ServicePoint.create(code="BENCH", name="压测服务站", focus_industries=["ai"])
    queues = [await Queue.create(service_point=point, code=c, name=c) for c in "ABC"]
    windows = []
    for i in range(clients):
        window = await Window.create(service_point=point, code=f"BENCH-W{i + 1:02d}")
        await window.queues.add(*queues)
        windows.append(window.code)
    for i, matter in enumerate(await Matter.all().order_by("code")):
        await ServicePointMatter.create(service_point=point, matter=matter, queue=queues[i % 3])
    _, kiosk = await accounts.create_kiosk("BENCH")
    user = await accounts.create_user(
        "bench-clerk", password=PASSWORD, role=Role.CLERK, service_point_code="BENCH"
    )
    clerk = await accounts.issue_token(user)
    return ({"Authorization": f"Bearer {kiosk}"}, {"Authorization": f"Bearer {clerk}"}, windows)


Request = Callable[[int], Awaitable[float | None]]


async def drive(total: int, clients: int, request: Request) -> dict[str, float]:
    """``clients`` tasks share ``total`` requests; latency in ms of timed ones."""
    latencies: list[float] = []
    counter = iter(range(total))

    async def client(k: int) -> None:
        for _ in counter:
            took = await request(k)
            if took is not None:
                latencies.append(took)

    started = time.perf_counter()
    await asyncio.gather(*[client(k) for k in range(clients)])
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / wall,
        "p50": statistics.median(latencies),
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "n": len(latencies),
    }


async def run(url: str, *, requests: int, clients: int) -> dict[str, dict[str, float]]:
    await Tortoise.init(config=tortoise_config(url), _create_db=url.startswith("postgres"))
    await Tortoise.generate_schemas()
    try:
        kiosk, clerk, windows = await seed(clients)
        matters = [
            m.matter.code
            for m in await ServicePointMatter.filter(service_point__code="BENCH").prefetch_related(
                "matter"
            )
        ]
        transport = httpx.ASGITransport(app=bench_app(url))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:

            async def timed(method: str, path: str, **kw: Any) -> tuple[float, httpx.Response]:
                t = time.perf_counter()
                r = await http.request(method, path, **kw)
                return (time.perf_counter() - t) * 1000, r

            async def baseline(_k: int) -> float:
                took, r = await timed("POST", "/bench/baseline")
                assert r.status_code == 201, r.text
                return took

            async def take(k: int) -> float:
                took, r = await timed(
                    "POST",
                    "/api/v1/service-points/BENCH/tickets",
                    headers=kiosk,
                    json={"matter_code": matters[k % len(matters)]},
                )
                assert r.status_code == 201, r.text
                return took

            async def call_next(k: int) -> float | None:
                took, r = await timed(
                    "POST", f"/api/v1/windows/{windows[k]}/call-next", headers=clerk
                )
                if r.status_code == 204:
                    return None
                assert r.status_code == 200, r.text
                done = await http.post(f"/api/v1/tickets/{r.json()['id']}/complete", headers=clerk)
                assert done.status_code == 200, done.text
                return took

            endpoints = {"baseline insert": baseline, "take a number": take, "call-next": call_next}
            results = {}
            for label, request in endpoints.items():
                # Warm up each endpoint alike, so a process's first requests (caches
                # filling, statements being prepared) are not counted against any.
                await drive(clients * 2, clients, request)
                results[label] = await drive(requests, clients, request)
    finally:
        if url.startswith("postgres"):
            await Tortoise._drop_databases()
        else:
            await Tortoise.close_connections()
    return results


def report(name: str, results: dict[str, dict[str, float]]) -> None:
    base = results["baseline insert"]["rps"]
    print(f"\n{name}")
    print(f"  {'endpoint':<16} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs baseline':>12}")
    for label, r in results.items():
        print(
            f"  {label:<16} {r['rps']:>8.0f} {r['p50']:>8.1f} {r['p99']:>8.1f} "
            f"{r['rps'] / base:>12.2f}"
        )


async def postgres_up(server: str) -> bool:
    import asyncpg

    try:
        conn = await asyncpg.connect(
            server.replace("postgres://", "postgresql://", 1) + "/postgres", timeout=3
        )
    except (OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", help=argparse.SUPPRESS)  # one database per process
    args = parser.parse_args()
    if args.database:
        name = "PostgreSQL" if args.database.startswith("postgres") else "SQLite (file, WAL)"
        report(name, asyncio.run(run(args.database, requests=args.requests, clients=args.clients)))
        return
    print(f"{args.clients} concurrent clients, {args.requests} requests per endpoint, in-process")
    # Tortoise builds its SQL per dialect once per process, so each database gets its own.
    common = [
        sys.executable,
        __file__,
        "--requests",
        str(args.requests),
        "--clients",
        str(args.clients),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [*common, "--database", f"sqlite://{Path(tmp) / 'bench.sqlite3'}?synchronous=NORMAL"],
            check=True,
        )
    if asyncio.run(postgres_up(args.postgres)):
        url = f"{args.postgres}/bench_{uuid.uuid4().hex[:8]}"
        subprocess.run([*common, "--database", url], check=True)
    else:
        print(f"\nPostgreSQL at {args.postgres} did not answer: skipped")


if __name__ == "__main__":
    main()
