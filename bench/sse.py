"""Live screens at scale: 200 event-stream clients on one service point.

    python bench/sse.py [--screens 200] [--seconds 5] [--databases sqlite,postgres]

On a fresh database the real app is served as ``servicedesk serve`` serves it (one
worker). The bench measures take a number with wrk (32 connections) without
screens; opens 200 streams of ``GET /api/v1/service-points/BENCH/events`` (what
each board and clerk console keeps open) and reads the server's memory before and
after; then measures take a number again with the screens connected while a clerk
calls and completes a ticket every 0.1 s, and checks that every screen received
every call, in order. The screens are raw sockets in this process, which only read.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from harness import LUA, Database, Server, ensure_wrk, fresh_database, postgres_up, reset_waiting

CALL = re.compile(rb'event: call\r?\ndata: \{[^\n]*?"ticket_no": "([^"]+)"')
POINT = "BENCH"


class Screen:
    """One board or console: an open event stream, the calls it has seen."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.calls: list[str] = []
        self.opened = asyncio.Event()
        self.task = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, port: int) -> Screen:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        path = f"/api/v1/service-points/{POINT}/events"
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n".encode()
        )
        return cls(reader, writer)

    async def _read(self) -> None:
        pending = b""
        while chunk := await self.reader.read(65536):
            self.opened.set()
            pending += chunk
            end = pending.rfind(b"\n\n")
            if end < 0:
                continue
            self.calls += [m.decode() for m in CALL.findall(pending, 0, end + 2)]
            pending = pending[end + 2 :]

    def close(self) -> None:
        self.task.cancel()
        self.writer.close()


async def _request(port: int, method: str, path: str, token: str) -> tuple[int, Any]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        head = f"{method} {path} HTTP/1.1\r\nHost: bench\r\nContent-Length: 0\r\n"
        writer.write(f"{head}Authorization: Bearer {token}\r\nConnection: close\r\n\r\n".encode())
        raw = await reader.read()
    finally:
        writer.close()
    status = int(raw.split(b" ", 2)[1])
    body = raw.partition(b"\r\n\r\n")[2]
    return status, json.loads(body) if body.strip() else None


async def _clerk(port: int, prepared: dict[str, Any], stop: asyncio.Event) -> list[str]:
    """Call and complete a ticket every 0.1 s until ``stop``; the numbers called."""
    called: list[str] = []
    window = prepared["windows"][0]
    while not stop.is_set():
        status, ticket = await _request(
            port, "POST", f"/api/v1/windows/{window}/call-next", prepared["clerk"]
        )
        if status == 200:
            called.append(ticket["ticket_no"])
            done, _ = await _request(
                port, "POST", f"/api/v1/tickets/{ticket['id']}/complete", prepared["clerk"]
            )
            assert done == 200, done
        await asyncio.sleep(0.1)
    return called


async def _wrk(server: Server, env: dict[str, str], seconds: float) -> dict[str, Any]:
    """wrk in a child process while this loop keeps reading the screens."""
    command = [ensure_wrk(), "-t2", "-c32", f"-d{max(1, round(seconds))}s"]
    command += ["--timeout", "10s", "-s", str(LUA / "post.lua"), server.url]
    cpu = server.cpu_seconds()
    proc = await asyncio.create_subprocess_exec(
        *command,
        env={**os.environ, "BENCH_LUA": str(LUA), **env},
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await proc.communicate()
    line = [x for x in out.decode().splitlines() if x.startswith("BENCH ")][-1]
    raw = json.loads(line.removeprefix("BENCH "))
    used = (server.cpu_seconds() - cpu) * 1000 / max(raw["requests"], 1)
    return {**raw, "rps": raw["requests"] / (raw["duration_us"] / 1e6), "cpu_ms": used}


async def _live(
    server: Server, prepared: dict[str, Any], *, screens: int, seconds: float, db: Database
) -> dict[str, Any]:
    from tickets import take_env

    env = take_env(prepared)
    await _wrk(server, env, 1)
    # A clerk calls meanwhile in both figures, so they differ only by the screens.
    stop = asyncio.Event()
    clerk = asyncio.create_task(_clerk(server.port, prepared, stop))
    without = await _wrk(server, env, seconds)
    stop.set()
    await clerk
    await asyncio.to_thread(reset_waiting, db, 10)  # both figures start from ten waiting
    before = server.rss_kib()
    opened = [await Screen.open(server.port) for _ in range(screens)]
    await asyncio.wait_for(asyncio.gather(*(s.opened.wait() for s in opened)), 60)
    await asyncio.sleep(1)
    after = server.rss_kib()
    stop = asyncio.Event()
    clerk = asyncio.create_task(_clerk(server.port, prepared, stop))
    with_screens = await _wrk(server, env, seconds)
    stop.set()
    called = await clerk
    deadline = asyncio.get_running_loop().time() + 10
    while any(s.calls != called for s in opened) and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.1)
    complete = sum(s.calls == called for s in opened)
    for s in opened:
        s.close()
    return {
        "without": without,
        "with": with_screens,
        "kib_per_screen": (after - before) / screens,
        "calls": len(called),
        "complete": complete,
        "screens": screens,
    }


def run(db: Database, *, args: argparse.Namespace) -> dict[str, Any]:
    from tickets import prepare_hall

    # The history every figure's database has (on a ten-row table the second figure
    # ran slower, on plans PostgreSQL made for a tiny table).
    prepared = prepare_hall(db, waiting=10, windows=args.windows)
    with Server("tickets:served_app", {"SERVICEDESK_DATABASE_URL": db.url}) as server:
        result = asyncio.run(
            _live(server, prepared, screens=args.screens, seconds=args.seconds, db=db)
        )
    share = result["with"]["rps"] / result["without"]["rps"]
    print(
        f"\n{db.label}, one worker, {result['screens']} event-stream screens on one point:\n"
        f"  take a number without screens {result['without']['rps']:8.0f} req/s"
        f"  (p99 {result['without']['p99_us'] / 1000:.1f} ms,"
        f" app CPU {result['without']['cpu_ms']:.2f} ms/req)\n"
        f"  take a number with screens    {result['with']['rps']:8.0f} req/s"
        f"  (p99 {result['with']['p99_us'] / 1000:.1f} ms,"
        f" app CPU {result['with']['cpu_ms']:.2f} ms/req)  = {share:.2f} of it"
        f"  ({'met' if share >= 0.8 else 'NOT met'}: at most 20 % lost)\n"
        f"  memory per open stream        {result['kib_per_screen']:8.1f} KiB (server RSS)\n"
        f"  calls made meanwhile          {result['calls']:8d}; screens that received every"
        f" call in order: {result['complete']} of {result['screens']}"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--screens", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--windows", type=int, default=8)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--databases", default="sqlite,postgres")
    args = parser.parse_args()
    ensure_wrk()
    kinds = args.databases.split(",")
    if "postgres" in kinds and not postgres_up(args.postgres):
        kinds.remove("postgres")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            with fresh_database(kind, tmp=Path(tmp), server=args.postgres) as db:
                run(db, args=args)


if __name__ == "__main__":
    main()
