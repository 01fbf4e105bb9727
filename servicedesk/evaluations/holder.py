"""What the firm's own pages show about rating: the window's tablet, the receipt's
status page and the case's progress query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from servicedesk.cases.models import Case
from servicedesk.catalogue.models import Window
from servicedesk.errors import Conflict, NotFound
from servicedesk.evaluations import service
from servicedesk.evaluations.models import Channel, Evaluation
from servicedesk.queue.models import Ticket, TicketStatus
from servicedesk.timeutil import now, today

TABLET_MINUTES = 10  # how long the tablet offers the ticket just finished at its window


@dataclass(frozen=True)
class RatingState:
    """A service as its holder sees it: rated (with the reply), open for rating, or not."""

    evaluation: Evaluation | None
    can_rate: bool
    last_day: date | None


async def _state(target: service.Target | None, evaluation: Evaluation | None) -> RatingState:
    if evaluation is not None or target is None:
        return RatingState(evaluation=evaluation, can_rate=False, last_day=None)
    last = service.last_rating_day(target.service_day)
    return RatingState(evaluation=None, can_rate=today() <= last, last_day=last)


async def for_ticket(ticket: Ticket) -> RatingState:
    evaluation = await service.of_service(ticket_id=ticket.id)
    target = None
    if ticket.status is TicketStatus.DONE and ticket.finished_at is not None:
        target = service.ticket_target(ticket)
    return await _state(target, evaluation)


async def for_case(case: Case) -> RatingState:
    evaluation = await service.of_service(case_id=case.id)
    target = None
    if case.status in service.RATEABLE_CASE and case.decided_on is not None:
        target = service.Target(
            case=case, service_point_id=case.service_point_id, service_day=case.decided_on
        )
    return await _state(target, evaluation)


# ---------------------------------------------------------------- the window's tablet


@dataclass(frozen=True)
class Tablet:
    window: Window
    ticket: Ticket | None  # the ticket just finished here, not yet rated


async def tablet(window_code: str) -> Tablet:
    """The window (with its point) and the ticket its tablet offers for rating."""
    window = await Window.get_or_none(code=window_code).select_related("service_point")
    if window is None:
        raise NotFound(f"window {window_code!r} does not exist")
    ticket = (
        await Ticket.filter(
            window_id=window.id,
            status=TicketStatus.DONE,
            finished_at__gte=now() - timedelta(minutes=TABLET_MINUTES),
        )
        .order_by("-finished_at", "-id")
        .select_related("matter")
        .first()
    )
    if ticket is not None and await service.of_service(ticket_id=ticket.id) is not None:
        ticket = None
    return Tablet(window=window, ticket=ticket)


async def rate_at_window(
    window_code: str, *, ticket_id: int, level: int, tags: list[str], comment: str
) -> Evaluation:
    """The tablet rates only the ticket it offers: the one just finished at its window."""
    offered = (await tablet(window_code)).ticket
    if offered is None or offered.id != ticket_id:
        raise Conflict("this service can no longer be rated at the window; use the receipt's QR")
    return await service.rate(
        service.ticket_target(offered),
        level=level,
        tags=tags,
        comment=comment,
        channel=Channel.WINDOW,
    )
