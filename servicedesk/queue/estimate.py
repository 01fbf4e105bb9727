"""Position and estimated wait of a waiting ticket.

A window calls the best ticket across every queue it serves (priority, then time
taken), so a ticket waits behind the tickets ahead of it in all the queues that
its windows serve, shared among those windows that are open. The service time is
the mean of the queue's recent finished tickets (call to finish).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from tortoise.expressions import Q

from servicedesk.catalogue.models import Window
from servicedesk.queue.config import get_queue_settings
from servicedesk.queue.models import Ticket, TicketCall, TicketStatus
from servicedesk.timeutil import now

W = TicketStatus


@dataclass(frozen=True)
class Estimate:
    position: int
    ahead: int
    minutes: int


def _ahead_filter(ticket: Ticket) -> Q:
    return Q(rank__lt=ticket.rank) | Q(rank=ticket.rank, taken_at__lt=ticket.taken_at) | Q(
        rank=ticket.rank, taken_at=ticket.taken_at, id__lt=ticket.id
    )


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


async def _windows_of(queue_id: int) -> tuple[list[int], list[int]]:
    """Windows serving the queue, and every queue those windows serve."""
    windows = await Window.filter(queues__id=queue_id).prefetch_related("queues")
    window_ids = [w.id for w in windows]
    queue_ids = sorted({q.id for w in windows for q in w.queues} | {queue_id})
    return window_ids, queue_ids


async def _open_windows(window_ids: list[int]) -> int:
    since = now() - timedelta(minutes=get_queue_settings().open_window_minutes)
    recent = await TicketCall.filter(window_id__in=window_ids, called_at__gte=since).values_list(
        "window_id", flat=True
    )
    return len(set(recent)) or len(window_ids) or 1


async def estimate(ticket: Ticket) -> Estimate:
    """Where ``ticket`` stands and how many minutes it will probably wait."""
    window_ids, queue_ids = await _windows_of(ticket.queue_id)  # type: ignore[attr-defined]
    waiting = Ticket.filter(status=W.WAITING).filter(_ahead_filter(ticket))
    in_queue = await waiting.filter(queue_id=ticket.queue_id).count()  # type: ignore[attr-defined]
    ahead = await waiting.filter(queue_id__in=queue_ids).count()
    busy = await Ticket.filter(holding_window__in=window_ids).count()
    servers = max(await _open_windows(window_ids), 1)
    minutes = await service_minutes(queue_ids)
    # Windows that are busy free up half a service time from now on average.
    residual = minutes / 2 if busy >= servers else 0.0
    wait = residual + ahead * minutes / servers
    return Estimate(position=in_queue + 1, ahead=ahead, minutes=math.ceil(wait))
