"""Ticket creation and call-next under 32 concurrent clients, against a bare insert.

    .venv/bin/python bench/tickets.py [--requests 1000] [--clients 32]
                                      [--transport http|asgi|both]
                                      [--postgres postgres://postgres@127.0.0.1:5432]

For each database (a SQLite file; PostgreSQL when the server answers) the script
builds the real app (``create_app``) on a fresh database, adds one endpoint that
exists only here, ``POST /bench/baseline`` (one bare ORM insert, no auth), and
drives every endpoint with the same number of concurrent clients, each waiting for
its answer before it sends the next request:

* baseline       POST /bench/baseline
* take a number  POST /api/v1/service-points/BENCH/tickets (kiosk token, estimate)
* call-next      POST /api/v1/windows/{w}/call-next, each client at its own window,
                 completing each ticket before calling the next; the completes run
                 in the same wall time but only call-next latencies are reported

``http``: one uvicorn worker in a child process, as ``servicedesk serve`` runs it,
and one kept-alive connection per client; ``asgi``: the app in this process through
``httpx.ASGITransport``, so client and server share one core. Each endpoint is
warmed up with two requests per client before it is measured.

It prints requests per second, p50 and p99 latency, the ratio of each rate to the
baseline's rate measured in the same run, and how much of a core the bench process
itself used (over HTTP: the load generator only).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

import httpx
from fastapi import FastAPI
from tortoise import Tortoise

from servicedesk.accounts import service as accounts
from servicedesk.accounts.models import Role
from servicedesk.app import create_app
from servicedesk.audit.models import AuditEntry
from servicedesk.catalogue import service as catalogue
from servicedesk.catalogue.models import Matter, Queue, ServicePoint, ServicePointMatter, Window
from servicedesk.db import tortoise_config
from servicedesk.seed.demo import seed_catalogue
from servicedesk.settings import Settings
from servicedesk.timeutil import now

PASSWORD = "bench-pass-2026"


def bench_app(url: str, *, init_db: bool = False) -> FastAPI:
    app = create_app(Settings(environment="test", database_url=url), init_db=init_db)

    @app.post("/bench/baseline", status_code=201)
    async def baseline() -> dict[str, int]:
        row = await AuditEntry.create(
            at=now(), actor="bench", action="bench.insert", entity="bench", entity_id="0"
        )
        return {"id": row.id}

    @app.get("/bench/ready")
    async def ready() -> dict[str, bool]:
        return {"ready": True}

    return app


def served_app() -> FastAPI:
    """The bench's app as a uvicorn worker serves it (``--factory``)."""
    return bench_app(os.environ["BENCH_DATABASE_URL"], init_db=True)


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
    _, kiosk = await accounts.create_kiosk(await catalogue.get_point("BENCH"))
    user = await accounts.create_user(
        "bench-clerk",
        password=PASSWORD,
        role=Role.CLERK,
        service_point=await catalogue.get_point("BENCH"),
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

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*[client(k) for k in range(clients)])
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    latencies.sort()
    return {
        "rps": len(latencies) / wall,
        "p50": statistics.median(latencies),
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "n": len(latencies),
        "cpu": cpu / wall,  # share of one core this process used (client, and app if ASGI)
    }


class Answer:
    """Status and body of one response."""

    def __init__(self, status_code: int, body: bytes) -> None:
        self.status_code, self.body = status_code, body

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)


class Client(Protocol):
    async def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, body: Any = None
    ) -> Answer: ...


class AsgiClient:
    """Requests handed to the app in this process, through httpx's ASGI transport."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, body: Any = None
    ) -> Answer:
        r = await self.http.request(method, path, headers=headers, json=body)
        return Answer(r.status_code, r.content)


class Connection:
    """One kept-alive HTTP/1.1 connection, one request at a time, like a kiosk's.

    A load generator written for this bench: httpx over TCP spends more CPU per
    request than the server does, so it would measure itself; this client only
    writes the request and reads status, Content-Length and body.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, body: Any = None
    ) -> Answer:
        data = b"" if body is None else json.dumps(body).encode()
        head = f"{method} {path} HTTP/1.1\r\nHost: bench\r\nContent-Length: {len(data)}\r\n"
        if body is not None:
            head += "Content-Type: application/json\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self.writer.write(head.encode() + b"\r\n" + data)
        status = int((await self.reader.readline()).split()[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return Answer(status, await self.reader.readexactly(length) if length else b"")


@contextlib.asynccontextmanager
async def serving(url: str, transport: str, clients: int) -> AsyncIterator[list[Client]]:
    """One client per concurrent user of the bench's app: in this process through
    ASGI, or connections over HTTP to one uvicorn worker in a child process, run as
    ``servicedesk serve`` runs it."""
    if transport == "asgi":
        asgi = httpx.ASGITransport(app=bench_app(url))
        async with httpx.AsyncClient(transport=asgi, base_url="http://bench") as http:
            yield [AsgiClient(http)] * clients
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "uvicorn", "tickets:served_app", "--factory"),
            *("--app-dir", str(Path(__file__).parent), "--host", "127.0.0.1"),
            *("--port", str(port), "--log-level", "warning", "--no-access-log"),
        ],
        env={**os.environ, "BENCH_DATABASE_URL": url},
    )
    connections: list[Connection] = []
    try:
        for _ in range(300):
            with contextlib.suppress(OSError):
                first = Connection(*await asyncio.open_connection("127.0.0.1", port))
                if (await first.request("GET", "/bench/ready")).status_code == 200:
                    break
            await asyncio.sleep(0.1)
        else:
            raise RuntimeError("the bench server did not start")
        connections = [first]
        for _ in range(clients - 1):
            connections.append(Connection(*await asyncio.open_connection("127.0.0.1", port)))
        yield list(connections)
    finally:
        for conn in connections:
            conn.writer.close()
        server.terminate()
        server.wait(timeout=30)


async def run(
    url: str, *, requests: int, clients: int, transport: str
) -> dict[str, dict[str, float]]:
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
        async with serving(url, transport, clients) as http:

            async def timed(k: int, method: str, path: str, **kw: Any) -> tuple[float, Answer]:
                t = time.perf_counter()
                r = await http[k].request(method, path, **kw)
                return (time.perf_counter() - t) * 1000, r

            async def baseline(k: int) -> float:
                took, r = await timed(k, "POST", "/bench/baseline")
                assert r.status_code == 201, r.text
                return took

            async def take(k: int) -> float:
                took, r = await timed(
                    k,
                    "POST",
                    "/api/v1/service-points/BENCH/tickets",
                    headers=kiosk,
                    body={"matter_code": matters[k % len(matters)]},
                )
                assert r.status_code == 201, r.text
                return took

            async def call_next(k: int) -> float | None:
                took, r = await timed(
                    k, "POST", f"/api/v1/windows/{windows[k]}/call-next", headers=clerk
                )
                if r.status_code == 204:
                    return None
                assert r.status_code == 200, r.text
                done = await http[k].request(
                    "POST", f"/api/v1/tickets/{r.json()['id']}/complete", headers=clerk
                )
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
    print(
        f"  {'endpoint':<16} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs baseline':>12}"
        f" {'bench CPU':>10}"
    )
    for label, r in results.items():
        print(
            f"  {label:<16} {r['rps']:>8.0f} {r['p50']:>8.1f} {r['p99']:>8.1f} "
            f"{r['rps'] / base:>12.2f} {r['cpu']:>10.0%}"
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
    parser.add_argument(
        "--transport", choices=("http", "asgi", "both"), default="both", help="default: both"
    )
    parser.add_argument("--database", help=argparse.SUPPRESS)  # one database per process
    args = parser.parse_args()
    if args.database:
        name = "PostgreSQL" if args.database.startswith("postgres") else "SQLite (file, WAL)"
        how = {"http": "over HTTP, one uvicorn worker", "asgi": "in-process ASGI"}[args.transport]
        results = asyncio.run(
            run(
                args.database,
                requests=args.requests,
                clients=args.clients,
                transport=args.transport,
            )
        )
        report(f"{name}, {how}", results)
        return
    print(f"{args.clients} concurrent clients, {args.requests} requests per endpoint")
    transports = ("http", "asgi") if args.transport == "both" else (args.transport,)
    postgres = asyncio.run(postgres_up(args.postgres))
    for transport in transports:
        # Tortoise builds its SQL per dialect once per process: one process per database.
        common = [sys.executable, __file__, "--transport", transport]
        common += ["--requests", str(args.requests), "--clients", str(args.clients)]
        with tempfile.TemporaryDirectory() as tmp:
            sqlite = f"sqlite://{Path(tmp) / 'bench.sqlite3'}?synchronous=NORMAL"
            subprocess.run([*common, "--database", sqlite], check=True)
        if postgres:
            url = f"{args.postgres}/bench_{uuid.uuid4().hex[:8]}"
            subprocess.run([*common, "--database", url], check=True)
    if not postgres:
        print(f"\nPostgreSQL at {args.postgres} did not answer: skipped")


if __name__ == "__main__":
    main()
