"""Position and estimated wait of a waiting ticket.

A window calls the best ticket across every queue it serves (priority, then time
taken), so a ticket waits behind the tickets ahead of it in all the queues that
its windows serve, shared among those windows that are open. The service time is
the mean of those queues' recent finished tickets (call to finish).

The hall's layout (and which matter goes to which queue), its recent service
time and which windows are open change slowly, so each is kept for half a
minute of service time (``timeutil.now``, so frozen clocks in tests and simulations
behave).

A ticket just taken learns its place from the per-queue waiting tallies, which the
statement issuing it reads (:func:`fresh_estimate`): constant time, however long the
queue. Later looks at a waiting ticket (its receipt's status page) count the tickets
ahead of it in one pass over an index (:func:`estimate`), since tickets leave a queue
out of order (priorities, cancellations, transfers) and only a count is exact then.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from tortoise import connections

from servicedesk.catalogue.models import Window
from servicedesk.queue.config import get_queue_settings
from servicedesk.queue.models import Ticket, TicketCall, TicketStatus, ticket_db_value
from servicedesk.timeutil import now

W = TicketStatus
TTL = timedelta(seconds=30)
V = TypeVar("V")
_cache: dict[tuple[Any, ...], tuple[datetime, Any]] = {}


@dataclass(frozen=True)
class Estimate:
    position: int
    ahead: int
    minutes: int


def clear_cache() -> None:
    _cache.clear()


async def cached(key: tuple[Any, ...], load: Callable[[], Awaitable[V]]) -> V:
    """``load()``'s value, reused for :data:`TTL` of service time."""
    moment = now()
    hit = _cache.get(key)
    if hit is not None and abs(moment - hit[0]) < TTL:
        value: V = hit[1]
        return value
    value = await load()
    _cache[key] = (moment, value)
    return value


async def service_minutes(queue_ids: list[int]) -> float:
    """Mean minutes from call to finish over the queues' recent finished tickets."""
    settings = get_queue_settings()
    rows = (
        await Ticket.filter(queue_id__in=queue_ids, status=W.DONE, called_at__isnull=False)
        .order_by("-finished_at")
        .limit(settings.estimate_sample)
        .values_list("called_at", "finished_at")
    )
    spans = [(f - c).total_seconds() / 60 for c, f in rows if c and f]
    return sum(spans) / len(spans) if spans else settings.default_service_minutes


async def _layout(queue_id: int) -> tuple[list[int], list[int]]:
    """Windows serving the queue, and every queue those windows serve."""
    windows = await Window.filter(queues__id=queue_id).prefetch_related("queues")
    window_ids = sorted(w.id for w in windows)
    queue_ids = sorted({q.id for w in windows for q in w.queues} | {queue_id})
    return window_ids, queue_ids


async def _open_windows(window_ids: list[int]) -> int:
    since = now() - timedelta(minutes=get_queue_settings().open_window_minutes)
    recent = await TicketCall.filter(window_id__in=window_ids, called_at__gte=since).values_list(
        "window_id", flat=True
    )
    return len(set(recent)) or len(window_ids) or 1


def _ints(values: list[int]) -> str:
    return ", ".join(str(int(v)) for v in values) or "-1"


@functools.lru_cache(maxsize=256)
def _counts_sql(dialect: str, queue_ids: tuple[int, ...], window_ids: tuple[int, ...]) -> str:
    """Only the layout is written into the SQL, so the statement is built and prepared
    once per layout and reused (SQLite's statement cache, asyncpg's prepared ones)."""
    mark = "$" if dialect == "postgres" else "?"
    ahead = (
        f"status = 'waiting' AND (rank < {mark}1 OR (rank = {mark}1"
        f" AND (taken_at < {mark}2 OR (taken_at = {mark}2 AND id < {mark}3))))"
    )
    return (
        f"SELECT COUNT(*) AS ahead, COALESCE(SUM(CASE WHEN queue_id = {mark}4 THEN 1 ELSE 0 END),"
        f" 0) AS in_queue, (SELECT COUNT(*) FROM tickets WHERE holding_window"
        f" IN ({_ints(list(window_ids))})) AS busy FROM tickets"
        f" WHERE queue_id IN ({_ints(list(queue_ids))}) AND {ahead}"
    )


async def _counts(ticket: Ticket, window_ids: list[int], queue_ids: list[int]) -> tuple[int, ...]:
    """Tickets ahead across the windows' queues, ahead in its own queue, busy windows.

    One pass over the index (queue, status, rank, taken_at) counts the waiting
    tickets ahead, and the unique holding_window index counts the busy windows.
    """
    conn = connections.get("default")
    sql = _counts_sql(conn.capabilities.dialect, tuple(queue_ids), tuple(window_ids))
    taken = ticket_db_value("taken_at", ticket.taken_at)
    params = [int(ticket.rank), taken, int(ticket.id), int(ticket.queue_id)]
    row = (await conn.execute_query_dict(sql, params))[0]
    return int(row["ahead"]), int(row["in_queue"]), int(row["busy"])


async def estimate(ticket: Ticket) -> Estimate:
    """Where a waiting ``ticket`` stands and how many minutes it will probably wait."""
    queue_id = int(ticket.queue_id)
    window_ids, queue_ids = await cached(("layout", queue_id), lambda: _layout(queue_id))
    ahead, in_queue, busy = await _counts(ticket, window_ids, queue_ids)
    return await _wait(window_ids, queue_ids, ahead=ahead, in_queue=in_queue, busy=busy)


async def fresh_estimate(ticket: Ticket, *, in_queue: int, ahead: int, busy: int) -> Estimate:
    """The estimate of a ticket just taken, whose place the statement that issued it
    read from the queues' waiting tallies: no counting, and with the layout, open
    windows and service time cached, no query either."""
    queue_id = int(ticket.queue_id)
    window_ids, queue_ids = await cached(("layout", queue_id), lambda: _layout(queue_id))
    return await _wait(window_ids, queue_ids, ahead=ahead, in_queue=in_queue, busy=busy)


async def _wait(
    window_ids: list[int], queue_ids: list[int], *, ahead: int, in_queue: int, busy: int
) -> Estimate:
    servers = await cached(("open", *window_ids), lambda: _open_windows(window_ids))
    minutes = await cached(("minutes", *queue_ids), lambda: service_minutes(queue_ids))
    # Windows that are all busy free up half a service time from now on average.
    residual = minutes / 2 if busy >= servers else 0.0
    wait = residual + ahead * minutes / max(servers, 1)
    return Estimate(position=in_queue + 1, ahead=ahead, minutes=math.ceil(wait))
