"""Live queue events for the display board and the clerk console.

Subscribers are Server-Sent-Events streams in this process. With SQLite there is
only one process, so a publish is delivered in-process. With PostgreSQL every
worker publishes through ``pg_notify`` and each worker listens on one dedicated
asyncpg connection (``add_listener``), so a call made at any worker reaches every
board, whichever worker serves it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from tortoise import connections

CHANNEL = "servicedesk_queue"
QUEUE_SIZE = 100
log = logging.getLogger(__name__)


def _client() -> Any:
    return connections.get("default")


def _is_postgres(client: Any) -> bool:
    return bool(client.capabilities.dialect == "postgres")


class Broker:
    """Fan-out of events to this process's subscribers, per service point."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)
        self._listener: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()

    async def publish(self, service_point: str, event: dict[str, Any]) -> None:
        """Send ``event`` to every subscriber of ``service_point`` in every worker."""
        payload = {"sp": service_point, **event}
        client = _client()
        if _is_postgres(client):
            await client.execute_query(
                "SELECT pg_notify($1, $2)", [CHANNEL, json.dumps(payload, default=str)]
            )
        else:
            self._deliver(payload)

    def _deliver(self, payload: dict[str, Any]) -> None:
        for queue in list(self._subscribers.get(str(payload.get("sp")), ())):
            with contextlib.suppress(asyncio.QueueFull):  # a stalled client misses events
                queue.put_nowait(payload)

    def _on_notify(self, _conn: object, _pid: int, _channel: str, data: str) -> None:
        try:
            self._deliver(json.loads(data))
        except ValueError:
            log.warning("ignored a malformed queue event: %r", data[:200])

    async def _ensure_listener(self) -> None:
        client = _client()
        if not _is_postgres(client):
            return
        async with self._lock:
            if self._listener is not None and not self._listener.is_closed():
                return
            self._listener = await asyncpg.connect(
                host=client.host,
                port=client.port,
                user=client.user,
                password=client.password,
                database=client.database,
            )
            await self._listener.add_listener(CHANNEL, self._on_notify)

    async def _release_listener(self) -> None:
        async with self._lock:
            if any(self._subscribers.values()) or self._listener is None:
                return
            listener, self._listener = self._listener, None
            with contextlib.suppress(Exception):
                await listener.close()

    @contextlib.asynccontextmanager
    async def subscribe(self, service_point: str) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        """A queue receiving the service point's events while the block runs."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        self._subscribers[service_point].add(queue)
        try:
            await self._ensure_listener()
            yield queue
        finally:
            self._subscribers[service_point].discard(queue)
            if not self._subscribers[service_point]:
                del self._subscribers[service_point]
            await self._release_listener()

    async def healthy(self) -> bool:
        """Reconnect a listener that the server dropped; True when events can flow."""
        if self._listener is not None and self._listener.is_closed():
            self._listener = None
            await self._ensure_listener()
        return True


broker = Broker()


async def publish(service_point: str, kind: str, **data: Any) -> None:
    """Tell the service point's boards and consoles that ``kind`` happened."""
    await broker.publish(service_point, {"type": kind, **data})


async def stream(service_point: str, *, heartbeat: float = 15.0) -> AsyncIterator[str]:
    """Server-Sent Events text for one service point, with keep-alive comments."""
    async with broker.subscribe(service_point) as queue:
        yield "retry: 3000\n\n"
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), timeout=heartbeat)
            except TimeoutError:
                await broker.healthy()
                yield ": keep-alive\n\n"
                continue
            kind = event.get("type", "message")
            yield f"event: {kind}\ndata: {json.dumps(event, default=str)}\n\n"
