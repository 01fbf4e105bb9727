"""Live queue events for the display board and the clerk console.

Subscribers are Server-Sent-Events streams in this process. With SQLite there is
only one process, so a publish is delivered in-process. With PostgreSQL every
worker publishes through ``pg_notify`` (the hot paths inside their own statement, so
the event leaves on commit) and each worker listens on one dedicated asyncpg
connection (``add_listener``), so a call made at any worker reaches every board,
whichever worker serves it.

Fan-out costs the same whatever the number of screens: each service point has one
:class:`Channel` per process, which encodes an event once and keeps the last
:data:`BACKLOG` of them; its streams sleep on one wake-up. Events are handed out in
batches: a call within :data:`CALL_DELAY` seconds, other events (a number taken,
a ticket moved on) within :data:`OTHER_DELAY`, so a hall taking numbers by the
hundred wakes each screen a few times a second, not once per number; the numbers
taken meanwhile go out as one ``taken`` event per queue with their ``count``. Every
stream gets every other event, in order; one that falls more than :data:`BACKLOG`
events behind (a stalled client) misses the oldest, and the board and console
re-read their state on any event anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from tortoise import connections

CHANNEL = "servicedesk_queue"
BACKLOG = 2048
CALL_DELAY = 0.02
OTHER_DELAY = 0.25
HEARTBEAT = 15.0
log = logging.getLogger(__name__)


def _client() -> Any:
    return connections.get("default")


def _is_postgres(client: Any) -> bool:
    return bool(client.capabilities.dialect == "postgres")


def encode(event: dict[str, Any]) -> str:
    """One event as Server-Sent-Events text."""
    return f"event: {event.get('type', 'message')}\ndata: {json.dumps(event, default=str)}\n\n"


class Channel:
    """One service point's events in this process: a short backlog and one wake-up."""

    def __init__(self) -> None:
        self.backlog: deque[tuple[int, str]] = deque(maxlen=BACKLOG)
        self.last = 0  # number of the newest event
        self.flushed = 0  # number of the newest event handed to the streams
        self.subscribers = 0
        self.wakeup = asyncio.Event()
        self._due: asyncio.TimerHandle | None = None
        self._taken: dict[str, dict[str, Any]] = {}
        self._chunk: tuple[int, int, str] = (0, 0, "")

    def add(self, event: dict[str, Any]) -> None:
        if event.get("type") == "taken":
            # Numbers taken between two hand-outs go out as one event per queue.
            merged = self._taken.setdefault(str(event.get("queue")), {**event, "count": 0})
            merged["count"] += int(event.get("count", 1))
        else:
            self._append(event)
        delay = CALL_DELAY if event.get("type") == "call" else OTHER_DELAY
        loop = asyncio.get_running_loop()
        due = loop.time() + delay
        if self._due is None or due < self._due.when():
            if self._due is not None:
                self._due.cancel()
            self._due = loop.call_at(due, self.flush)

    def _append(self, event: dict[str, Any]) -> None:
        self.last += 1
        self.backlog.append((self.last, encode(event)))

    def flush(self) -> None:
        """Wake every stream of this channel (also without new events: a keep-alive)."""
        if self._due is not None:
            self._due.cancel()
            self._due = None
        for event in self._taken.values():
            self._append(event)
        self._taken.clear()
        self.flushed = self.last
        woken, self.wakeup = self.wakeup, asyncio.Event()
        woken.set()

    def since(self, seen: int) -> tuple[int, str]:
        """The events handed out after number ``seen``, as one piece of text, and the
        number of the newest; the text is built once for all the streams that ask."""
        upto = self.flushed
        if self._chunk[:2] != (seen, upto):
            text = "".join(t for n, t in self.backlog if seen < n <= upto)
            self._chunk = (seen, upto, text)
        return upto, self._chunk[2]


class Broker:
    """Fan-out of events to this process's subscribers, per service point."""

    def __init__(self) -> None:
        self._channels: dict[str, Channel] = {}
        self._listener: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()
        self._heartbeat: asyncio.Task[None] | None = None
        self._taken: dict[tuple[str, str], int] = {}
        self._taken_due: asyncio.TimerHandle | None = None
        self._taken_loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def publish(
        self, service_point: str, event: dict[str, Any], *, client: Any = None
    ) -> None:
        """Send ``event`` to every subscriber of ``service_point`` in every worker."""
        payload = {"sp": service_point, **event}
        client = client or _client()
        if _is_postgres(client):
            await client.execute_query(
                "SELECT pg_notify($1, $2)", [CHANNEL, json.dumps(payload, default=str)]
            )
        else:
            self._deliver(payload)

    def taken(self, service_point: str, queue: str) -> None:
        """A number was taken. Screens want to know within :data:`OTHER_DELAY`, not
        each number on its own: on PostgreSQL this worker sends the numbers taken
        meanwhile as one notification per queue with their count, so taking a number
        never waits on ``NOTIFY``'s cluster-wide lock, which is held through each
        notifying commit's disk flush."""
        if not _is_postgres(_client()):
            self._deliver({"sp": service_point, "type": "taken", "queue": queue})
            return
        loop = asyncio.get_running_loop()
        if self._taken_loop is not loop:  # a new event loop (tests start one each)
            self._taken, self._taken_due, self._taken_loop = {}, None, loop
        key = (service_point, queue)
        self._taken[key] = self._taken.get(key, 0) + 1
        if self._taken_due is None:
            self._taken_due = loop.call_later(
                OTHER_DELAY, lambda: self._tasks.add(loop.create_task(self._send_taken()))
            )

    async def _send_taken(self) -> None:
        self._taken_due = None
        counts, self._taken = self._taken, {}
        # The timer carries the context of the take that started it, maybe inside a
        # transaction that has ended since (a kiosk page's idempotent write): notify on
        # the connection pool itself.
        client = _client()
        while getattr(client, "_parent", None) is not None:
            client = client._parent
        try:
            for (point, queue), count in counts.items():
                event = {"type": "taken", "queue": queue, "count": count}
                await self.publish(point, event, client=client)
        except Exception:  # the database went away meanwhile: the screens miss a hint
            log.warning("could not announce %d numbers taken", sum(counts.values()))
        finally:
            self._tasks.difference_update({asyncio.current_task()})

    def _deliver(self, payload: dict[str, Any]) -> None:
        channel = self._channels.get(str(payload.get("sp")))
        if channel is not None:
            channel.add(payload)

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
            if self._channels or self._listener is None:
                return
            listener, self._listener = self._listener, None
            with contextlib.suppress(Exception):
                await listener.close()

    async def _beat(self) -> None:
        """Every :data:`HEARTBEAT` seconds: reconnect a dropped listener, then wake every
        stream, so each sends a keep-alive (one timer for all of them)."""
        while self._channels:
            await asyncio.sleep(HEARTBEAT)
            with contextlib.suppress(Exception):
                await self.healthy()
            for channel in list(self._channels.values()):
                channel.flush()

    @contextlib.asynccontextmanager
    async def subscribe(self, service_point: str) -> AsyncIterator[Channel]:
        """The service point's channel, counted as subscribed while the block runs."""
        channel = self._channels.setdefault(service_point, Channel())
        channel.subscribers += 1
        if self._heartbeat is None or self._heartbeat.done():
            self._heartbeat = asyncio.create_task(self._beat())
        try:
            await self._ensure_listener()
            yield channel
        finally:
            channel.subscribers -= 1
            if not channel.subscribers and self._channels.get(service_point) is channel:
                del self._channels[service_point]
            if not self._channels and self._heartbeat is not None:
                self._heartbeat.cancel()
                self._heartbeat = None
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


def taken(service_point: str, queue: str) -> None:
    """Tell the service point's screens that a number of ``queue`` was taken."""
    broker.taken(service_point, queue)


async def stream(service_point: str) -> AsyncIterator[str]:
    """Server-Sent Events text for one service point, with keep-alive comments."""
    async with broker.subscribe(service_point) as channel:
        seen = channel.flushed
        yield "retry: 3000\n\n"
        while True:
            if channel.flushed == seen:
                await channel.wakeup.wait()
            seen, text = channel.since(seen)
            yield text or ": keep-alive\n\n"
