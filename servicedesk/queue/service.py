"""Tickets as they are looked up and shown: one ticket, a window's desk, the hall.

Taking a number is in :mod:`servicedesk.queue.issuing`, calling at a window in
:mod:`servicedesk.queue.calls`, every other move of a ticket in
:mod:`servicedesk.queue.transitions`. This module is what they share: the view of a
ticket, the service-point rule and the read-only overviews pages and endpoints show.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from tortoise import connections

from servicedesk.accounts.service import Principal
from servicedesk.catalogue.models import Queue, ServicePoint, Window
from servicedesk.errors import Forbidden, NotFound
from servicedesk.queue.estimate import Estimate, estimate
from servicedesk.queue.models import Ticket, TicketCall, TicketStatus

T = TicketStatus
OPEN = (T.CALLED, T.SERVING)


@dataclass
class TicketView:
    """A ticket with its queue letter, window and, while waiting, its estimate."""

    ticket: Ticket
    queue: str
    window: str | None
    estimate: Estimate | None
    transferred_to: int | None = None


# ---------------------------------------------------------------- who may act where


def own_point(principal: Principal) -> int | None:
    """The one service point ``principal`` may act at; None for an admin (any)."""
    if principal.user is not None and principal.user.role.value == "admin":
        return None
    if principal.service_point_id is None:
        raise Forbidden("you do not work at this service point")
    return principal.service_point_id


def check_point(principal: Principal, point_id: int) -> None:
    own = own_point(principal)
    if own is not None and own != point_id:
        raise Forbidden("you do not work at this service point")


# ---------------------------------------------------------------- one ticket


async def get_ticket(ticket_id: int, *, with_matter: bool = False) -> Ticket:
    """The ticket with its queue, window and service point (and matter, if asked)."""
    related = ("queue", "window", "service_point", *(("matter",) if with_matter else ()))
    ticket = await Ticket.get_or_none(id=ticket_id).select_related(*related)
    if ticket is None:
        raise NotFound(f"ticket {ticket_id} does not exist")
    return ticket


async def clerk_ticket(ticket_id: int, principal: Principal) -> Ticket:
    """A ticket a clerk may act on: one of their own service point."""
    ticket = await get_ticket(ticket_id)
    check_point(principal, ticket.service_point_id)
    return ticket


async def view(ticket: Ticket) -> TicketView:
    if not isinstance(ticket.queue, Queue):
        await ticket.fetch_related("queue", "window")
    est = await estimate(ticket) if ticket.status is T.WAITING else None
    onward: list[tuple[Any, ...]] = []
    if ticket.status is T.TRANSFERRED:
        onward = await Ticket.filter(transferred_from_id=ticket.id).values_list("id")
    return TicketView(
        ticket=ticket,
        queue=ticket.queue.code,
        window=ticket.window.code if ticket.window else None,
        estimate=est,
        transferred_to=int(onward[0][0]) if onward else None,
    )


async def receipt(ticket_id: int) -> TicketView:
    """The ticket as its printed receipt shows it, matter and service point fetched."""
    return await view(await get_ticket(ticket_id, with_matter=True))


async def by_code(code: str) -> TicketView:
    """The ticket behind a receipt's QR code, following transfers to the live one;
    its service point is fetched for the status page."""
    ticket = await Ticket.get_or_none(code=code).select_related("service_point")
    if ticket is None:
        raise NotFound("no ticket with this code")
    while ticket.status is T.TRANSFERRED:
        onward = await Ticket.get_or_none(transferred_from_id=ticket.id).select_related(
            "service_point"
        )
        if onward is None:
            break
        ticket = onward
    return await view(ticket)


# ---------------------------------------------------------------- overviews


async def waiting_counts(point: ServicePoint) -> dict[str, int]:
    """Waiting tickets per queue letter, every queue of the point listed."""
    queues = await Queue.filter(service_point=point).order_by("code")
    rows = await Ticket.filter(service_point=point, status=T.WAITING).values_list("queue_id")
    waiting = Counter(queue_id for (queue_id,) in rows)
    return {q.code: waiting[q.id] for q in queues}


async def held_by(window: Window) -> Ticket | None:
    return await Ticket.get_or_none(holding_window=window.id).select_related("queue", "matter")


async def next_waiting(queue_ids: list[int], *, limit: int = 8) -> list[Ticket]:
    return (
        await Ticket.filter(status=T.WAITING, queue_id__in=queue_ids)
        .order_by("rank", "taken_at", "id")
        .limit(limit)
        .select_related("queue")
    )


async def recent_calls(point: ServicePoint, *, limit: int = 10) -> list[TicketCall]:
    return (
        await TicketCall.filter(service_point=point)
        .order_by("-called_at", "-id")
        .limit(limit)
        .select_related("window")
    )


async def now_calling(point: ServicePoint) -> list[Ticket]:
    """The ticket each window is calling or serving, by window."""
    return (
        await Ticket.filter(service_point=point, holding_window__isnull=False)
        .select_related("window")
        .order_by("window_id")
    )


# ---------------------------------------------------------------- a clerk's window


async def windows_at(service_point_id: int | None) -> list[Window]:
    """The windows of a service point, by code, for a clerk to choose from."""
    return await Window.filter(service_point_id=service_point_id, active=True).order_by("code")


async def window_at(code: str, *, service_point_id: int | None) -> Window | None:
    """Window ``code`` if it belongs to that service point, with the point fetched."""
    return await Window.get_or_none(code=code, service_point_id=service_point_id).select_related(
        "service_point"
    )


@dataclass
class WindowDesk:
    """What a clerk's console shows for one window."""

    point: ServicePoint
    window: Window
    current: Ticket | None
    counts: dict[str, int]
    served: list[str]
    upcoming: list[Ticket]
    recent: list[TicketCall]
    queues: dict[str, Queue]  # by letter: the console labels queues by their names


async def desk(window: Window) -> WindowDesk:
    """The window's open ticket, the point's waiting counts, who comes next, recent calls."""
    point = window.service_point
    if not isinstance(point, ServicePoint):  # a window not from window_at()
        point = await ServicePoint.get(id=window.service_point_id)
    queues = await window.queues.all()
    return WindowDesk(
        point=point,
        window=window,
        current=await held_by(window),
        counts=await waiting_counts(point),
        served=sorted(q.code for q in queues),
        upcoming=await next_waiting([q.id for q in queues]),
        recent=await recent_calls(point, limit=6),
        queues={q.code: q for q in await Queue.filter(service_point=point)},
    )


def connection_dialect() -> str:
    return str(connections.get("default").capabilities.dialect)
