"""Outbox delivery with 1 and 3 worker processes on PostgreSQL, against a bare claim loop.

    .venv/bin/python bench/outbox.py [--messages 5000]
                                     [--postgres postgres://postgres@127.0.0.1:5432]

A fresh database gets the real schema. A local HTTP server stands in for the SMS
gateway (``tests/notifications/receivers.py``, in a process of its own, logging
each delivery). For each worker count the workers are started first and left
idle; then all messages are inserted in one statement and the clock runs until the
receiver has every one of them:

* outbox   ``servicedesk worker`` processes: claim a batch with ``SELECT … FOR UPDATE
           SKIP LOCKED``, post each message to the gateway, record the outcomes,
           commit (the schedulers of the periodic rules run beside them, idle here)
* bare     the least a claim loop can do, in the same number of processes: ``DELETE
           FROM bare_jobs WHERE id IN (SELECT … LIMIT 20 FOR UPDATE SKIP LOCKED)
           RETURNING …`` on a bare table filled by one ``INSERT``, the same posts to
           the same gateway with the same concurrency, then commit

It prints messages delivered per second and the outbox's rate as a share of the bare
loop's with the same number of processes, measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.notifications.receivers import ReceiverProcess  # noqa: E402

BATCH = 20
FILL_OUTBOX = (
    "INSERT INTO messages (dedup_key, holder, channel, template, lang, recipient, title, body,"
    " status, attempts, next_attempt_at, last_error, created_at)"
    " SELECT $1 || g, 'firm:bench', 'sms', 'approved', 'zh', '138' || lpad(g::text, 8, '0'),"
    " 'title', '您的申请已审核通过（第 ' || g || ' 条）', 'queued', 0, now(), '', now()"
    " FROM generate_series(1, $2) g"
)
FILL_BARE = (
    "INSERT INTO bare_jobs (recipient, body) SELECT '138' || lpad(g::text, 8, '0'),"
    " '您的申请已审核通过（第 ' || g || ' 条）' FROM generate_series(1, $1) g"
)
CLAIM_BARE = (
    "DELETE FROM bare_jobs WHERE id IN (SELECT id FROM bare_jobs ORDER BY id LIMIT $1"
    " FOR UPDATE SKIP LOCKED) RETURNING id, recipient, body"
)


async def bare_worker(url: str, gateway: str) -> None:
    """The baseline loop, run as its own process (``bench/outbox.py bare URL GATEWAY``)."""
    conn = await asyncpg.connect(url)
    async with httpx.AsyncClient(timeout=15) as http:
        while True:
            async with conn.transaction():
                rows = await conn.fetch(CLAIM_BARE, BATCH)
                await asyncio.gather(
                    *(
                        http.post(
                            gateway,
                            json={"to": r["recipient"], "text": r["body"], "id": str(r["id"])},
                        )
                        for r in rows
                    )
                )
            if not rows:
                await asyncio.sleep(0.2)


async def _create_database(server: str) -> str:
    name = f"bench_outbox_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(server.replace("postgres://", "postgresql://") + "/postgres")
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    url = f"{server}/{name}"
    from tortoise import Tortoise

    from servicedesk.db import tortoise_config

    await Tortoise.init(config=tortoise_config(url))
    await Tortoise.generate_schemas()
    await Tortoise.close_connections()
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://"))
    try:
        await conn.execute(
            "CREATE TABLE bare_jobs (id serial PRIMARY KEY, recipient text, body text)"
        )
    finally:
        await conn.close()
    return name


async def _drop_database(server: str, name: str) -> None:
    conn = await asyncpg.connect(server.replace("postgres://", "postgresql://") + "/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def _start(kind: str, count: int, url: str, gw: ReceiverProcess) -> list[subprocess.Popen[bytes]]:
    if kind == "bare":
        argv = [
            sys.executable,
            __file__,
            "bare",
            url.replace("postgres://", "postgresql://"),
            gw.gateway_url,
        ]
    else:
        argv = [sys.executable, "-m", "servicedesk.cli", "worker"]
    env = {
        **os.environ,
        "SERVICEDESK_DATABASE_URL": url,
        "SERVICEDESK_ENVIRONMENT": "development",
        "SERVICEDESK_SMS_GATEWAY_URL": gw.gateway_url,
        "SERVICEDESK_WORKER_POLL_SECONDS": "0.2",
        "SERVICEDESK_WORKER_BATCH": str(BATCH),
    }
    return [
        subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(count)
    ]


async def _measure(
    kind: str, count: int, url: str, gw: ReceiverProcess, messages: int, run: int
) -> float:
    procs = _start(kind, count, url, gw)
    await asyncio.sleep(4)  # let them start and go idle
    for proc in procs:
        if proc.poll() is not None:
            raise SystemExit(
                f"{kind} worker died: {proc.stderr.read().decode() if proc.stderr else ''}"
            )
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://"))
    before = sum(gw.received().values())
    try:
        started = time.perf_counter()
        if kind == "bare":
            await conn.execute(FILL_BARE, messages)
        else:
            await conn.execute(FILL_OUTBOX, f"bench:{run}:", messages)
        while sum(gw.received().values()) - before < messages:
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - started
    finally:
        await conn.close()
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
    return messages / elapsed


async def main(messages: int, server: str) -> None:
    name = await _create_database(server)
    url = f"{server}/{name}"
    log = Path(tempfile.mkdtemp()) / "received.log"
    try:
        rates: dict[tuple[str, int], float] = {}
        run = 0
        with ReceiverProcess(log) as gw:
            for count in (1, 3):
                for kind in ("bare", "outbox"):
                    run += 1
                    rates[kind, count] = await _measure(kind, count, url, gw, messages, run)
    finally:
        await _drop_database(server, name)
    print(f"{messages} messages to a local SMS gateway, PostgreSQL, batches of {BATCH}")
    print(f"{'workers':>8} {'bare msg/s':>11} {'outbox msg/s':>13} {'ratio':>6}")
    for count in (1, 3):
        bare, ours = rates["bare", count], rates["outbox", count]
        print(f"{count:>8} {bare:>11.0f} {ours:>13.0f} {ours / bare:>6.2f}")
    print(
        f"scaling 1 -> 3 workers: outbox x{rates['outbox', 3] / rates['outbox', 1]:.2f},"
        f" bare x{rates['bare', 3] / rates['bare', 1]:.2f}"
    )
    print(json.dumps({f"{k}_{n}": round(v, 1) for (k, n), v in rates.items()}))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "bare":
        asyncio.run(bare_worker(sys.argv[2], sys.argv[3]))
        raise SystemExit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    asyncio.run(main(args.messages, args.postgres.rstrip("/")))
