"""Two server processes on one PostgreSQL: numbering, call-next and live events hold.

The server runs as ``uvicorn servicedesk.asgi:app --workers 2`` against this test's
fresh database; the test drives it over HTTP with 32 concurrent clients.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from tortoise import connections
from tortoise.context import TortoiseContext

from servicedesk.errors import WindowBusy
from servicedesk.queue.models import Ticket
from tests.conftest import is_postgres
from tests.factories import PASSWORD, kiosk_headers, make_catalogue, make_user
from tests.queue.test_concurrency import TICKETS, assert_drained_in_order, drain

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,  # about a minute: two server processes, 1,000 tickets over HTTP
    pytest.mark.skipif(not is_postgres(), reason="needs SERVICEDESK_TEST_DATABASE_URL=postgres"),
]
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(db: TortoiseContext, tmp_path: Path) -> Iterator[str]:
    """Two uvicorn workers on this test's database."""
    del db  # the fixture creates the database and its schema
    client = connections.get("default")
    url = f"postgres://{client.user}@{client.host}:{client.port}/{client.database}"
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "servicedesk.asgi:app",
            "--workers",
            "2",
            "--port",
            str(port),
            "--log-level",
            "warning",
            # Pooled client connections sit idle while other clients drain; with the
            # default 5 s the server may close one just as the client reuses it.
            "--timeout-keep-alive",
            "120",
        ],
        env={
            **os.environ,
            "SERVICEDESK_DATABASE_URL": url,
            "SERVICEDESK_ENVIRONMENT": "development",
        },
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, "server did not start"
            try:
                if httpx.get(f"{base}/api/v1/service-points", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


@pytest_asyncio.fixture
async def http(server: str) -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=40, max_keepalive_connections=40)
    async with httpx.AsyncClient(base_url=server, timeout=30, limits=limits) as client:
        yield client


async def test_two_workers_number_and_drain_1000_tickets(http: httpx.AsyncClient) -> None:
    from tests.queue.hall import make_big_hall

    await make_catalogue()
    await make_big_hall()
    await make_user(username="big-clerk", service_point="BIG")
    kiosk = await kiosk_headers(service_point="BIG")
    token = (
        await http.post("/api/v1/auth/token", json={"username": "big-clerk", "password": PASSWORD})
    ).json()
    clerk = {"Authorization": f"Bearer {token['access_token']}"}
    matters = [m["code"] for m in (await http.get("/api/v1/service-points/BIG/matters")).json()]

    async def take(i: int) -> str:
        r = await http.post(
            "/api/v1/service-points/BIG/tickets",
            headers=kiosk,
            json={
                "matter_code": matters[i % len(matters)],
                "priority": "green" if i % 10 == 0 else "normal",
            },
        )
        assert r.status_code == 201, r.text
        return str(r.json()["ticket_no"])

    sem = asyncio.Semaphore(32)

    async def bounded(i: int) -> str:
        async with sem:
            return await take(i)

    numbers = await asyncio.gather(*[bounded(i) for i in range(TICKETS)])
    # Numbers per queue are 1..n without gaps or repeats, whichever worker issued them.
    for letter in "ABC":
        seqs = sorted(int(n[1:]) for n in numbers if n[0] == letter)
        assert seqs == list(range(1, len(seqs) + 1))

    events: list[str] = []
    listening = asyncio.Event()

    async def listen() -> None:
        async with http.stream("GET", "/api/v1/service-points/BIG/events") as stream:
            async for line in stream.aiter_lines():
                listening.set()
                if line == "event: call":
                    events.append(line)
                    if len(events) == TICKETS:
                        return

    listener = asyncio.create_task(listen())
    await asyncio.wait_for(listening.wait(), 10)

    async def call(window: str) -> int | None:
        r = await http.post(f"/api/v1/windows/{window}/call-next", headers=clerk)
        if r.status_code == 409:
            raise WindowBusy(r.text)
        if r.status_code == 204:
            return None
        assert r.status_code == 200, r.text
        return int(r.json()["id"])

    async def complete(ticket_id: int) -> None:
        r = await http.post(f"/api/v1/tickets/{ticket_id}/complete", headers=clerk)
        assert r.status_code == 200, r.text

    calls = await drain(call, complete)
    await assert_drained_in_order(calls)
    # Every call reached the one board stream, whichever worker made it (LISTEN/NOTIFY).
    await asyncio.wait_for(listener, 20)
    assert len(events) == TICKETS


async def test_idempotent_retries_across_workers(http: httpx.AsyncClient) -> None:
    await make_catalogue()
    kiosk = await kiosk_headers()
    headers = {**kiosk, "Idempotency-Key": "receipt-7"}
    body = {"matter_code": "HTE-CERT"}
    answers = await asyncio.gather(
        *[
            http.post("/api/v1/service-points/HD-AI/tickets", json=body, headers=headers)
            for _ in range(12)
        ]
    )
    created = [r.json() for r in answers if r.status_code == 201]
    assert created
    assert all(c == created[0] for c in created)
    assert {r.status_code for r in answers} <= {201, 409}
    assert await Ticket.all().count() == 1
    again = await http.post("/api/v1/service-points/HD-AI/tickets", json=body, headers=headers)
    assert again.json() == created[0]
