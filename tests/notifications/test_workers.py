"""Three worker processes on one PostgreSQL share 10,000 messages: each reaches the
local SMTP server or SMS gateway once, and a worker killed mid-way loses none.

A killed worker's open batch goes back to the others when PostgreSQL ends its
transaction. A message that a receiver had accepted just before the kill is sent
again with the same Message-ID / message_id (at-least-once delivery with a stable
id, the only honest promise across a crash), and the receivers keep one delivery
per id as an operator's gateway does; the test counts both.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tortoise import connections
from tortoise.context import TortoiseContext

from servicedesk.notifications.channels import message_id
from servicedesk.notifications.models import Message, MessageStatus
from tests.conftest import is_postgres
from tests.notifications.receivers import ReceiverProcess

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,  # about a minute: three worker processes, 10,000 messages each time
    pytest.mark.skipif(not is_postgres(), reason="needs SERVICEDESK_TEST_DATABASE_URL=postgres"),
]
ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 10_000
BATCH = 20
FILL = (
    "INSERT INTO messages (dedup_key, holder, channel, template, lang, recipient, title, body,"
    " status, attempts, next_attempt_at, last_error, created_at)"
    " SELECT 'bulk:' || g, 'firm:bulk', CASE WHEN g % 2 = 0 THEN 'email' ELSE 'sms' END,"
    " 'approved', 'zh', CASE WHEN g % 2 = 0 THEN 'firm' || g || '@example.com'"
    " ELSE '138' || lpad(g::text, 8, '0') END, '办件 ' || g || ' 审核通过', '第 ' || g || ' 条',"
    " 'queued', 0, now(), '', now() FROM generate_series(1, $1) g"
)


def database_url() -> str:
    client = connections.get("default")
    return f"postgres://{client.user}@{client.host}:{client.port}/{client.database}"


def start_workers(count: int, env: dict[str, str], log: Path) -> list[subprocess.Popen[bytes]]:
    workers = []
    for i in range(count):
        with (log.parent / f"{log.name}.{i}").open("wb") as out:  # the child keeps its copy
            workers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "servicedesk.cli", "worker"],
                    env={**os.environ, **env},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    cwd=ROOT,
                )
            )
    return workers


def stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for proc in workers:
        if proc.poll() is None:
            proc.terminate()
    for proc in workers:
        proc.wait(timeout=30)


@pytest.fixture
def receivers(tmp_path: Path) -> Iterator[ReceiverProcess]:
    with ReceiverProcess(tmp_path / "received.log") as process:
        yield process


def worker_env(receivers: ReceiverProcess) -> dict[str, str]:
    return {
        "SERVICEDESK_DATABASE_URL": database_url(),
        "SERVICEDESK_ENVIRONMENT": "development",
        "SERVICEDESK_SMTP_HOST": "127.0.0.1",
        "SERVICEDESK_SMTP_PORT": str(receivers.smtp_port),
        "SERVICEDESK_SMTP_TLS": "none",
        "SERVICEDESK_SMS_GATEWAY_URL": receivers.gateway_url,
        "SERVICEDESK_WORKER_POLL_SECONDS": "0.2",
        "SERVICEDESK_WORKER_BATCH": str(BATCH),
    }


async def _run(
    receivers: ReceiverProcess, tmp_path: Path, *, kill_at: int | None
) -> tuple[int, int]:
    await connections.get("default").execute_query(FILL, [MESSAGES])
    expected = {
        f"email <{message_id(f'bulk:{g}')}@localhost>"
        if g % 2 == 0
        else f"sms {message_id(f'bulk:{g}')}"
        for g in range(1, MESSAGES + 1)
    }
    workers = start_workers(3, worker_env(receivers), tmp_path / "worker.log")
    killed = None
    try:
        deadline = time.monotonic() + 240
        while (sent := await Message.filter(status=MessageStatus.SENT).count()) < MESSAGES:
            alive = [w for w in workers if w is not killed]
            assert all(w.poll() is None for w in alive), "a worker died by itself"
            assert time.monotonic() < deadline, f"{sent} of {MESSAGES} delivered in 240 s"
            if kill_at is not None and killed is None and sent >= kill_at:
                killed = workers[0]
                killed.send_signal(signal.SIGKILL)
            await asyncio.sleep(0.2)
    finally:
        stop(workers)
    await asyncio.sleep(0.5)  # the receivers' last flush
    received = receivers.received()
    assert kill_at is None or killed is not None
    assert set(received) == expected  # nothing lost, nothing foreign
    assert await Message.filter(status=MessageStatus.SENT, attempts=1).count() == MESSAGES
    return sum(received.values()), len(received)


async def test_three_workers_deliver_10000_messages_exactly_once(
    db: TortoiseContext,  # noqa: ARG001
    receivers: ReceiverProcess,
    tmp_path: Path,
) -> None:
    raw, distinct = await _run(receivers, tmp_path, kill_at=None)
    assert raw == distinct == MESSAGES


async def test_a_worker_killed_mid_way_loses_nothing(
    db: TortoiseContext,  # noqa: ARG001
    receivers: ReceiverProcess,
    tmp_path: Path,
) -> None:
    raw, distinct = await _run(receivers, tmp_path, kill_at=MESSAGES // 3)
    assert distinct == MESSAGES
    # Repeats only of what the killed worker's last batch had handed over (same ids).
    assert raw - distinct <= BATCH, f"{raw - distinct} repeated deliveries"
