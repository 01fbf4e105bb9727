"""Rating a service: once, by its holder, within the rating period.

The holder is whoever holds the ticket's receipt code (the QR on the receipt) or the
case number with its query code; the window's tablet rates the ticket just finished
there. A rating is never changed: there is no update, and the database refuses a
second rating of the same ticket or case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from servicedesk.audit import service as audit
from servicedesk.calendar.service import load_calendar
from servicedesk.cases import service as cases
from servicedesk.cases.machine import DECIDED
from servicedesk.cases.models import Case, CaseStatus
from servicedesk.errors import Conflict, InvalidInput, ServiceDeskError
from servicedesk.evaluations.levels import BAD_LEVELS, LEVELS, TAGS
from servicedesk.evaluations.models import Channel, Evaluation, FollowUp
from servicedesk.queue import service as queue
from servicedesk.queue.models import Ticket, TicketStatus
from servicedesk.settings import get_settings
from servicedesk.timeutil import beijing_date, now, today

RATEABLE_CASE = DECIDED - {CaseStatus.WITHDRAWN}
MAX_COMMENT = 500


class RatingPeriodOver(ServiceDeskError):
    """The service is older than the rating period."""

    status_code = 422


class AlreadyRated(Conflict):
    """The service has been rated; a rating is never changed."""


@dataclass(frozen=True)
class Target:
    """The service a rating is about, and where it happened."""

    service_point_id: int
    service_day: date
    ticket: Ticket | None = None
    case: Case | None = None
    window_id: int | None = None
    clerk_id: int | None = None
    matter_id: int | None = None

    @property
    def label(self) -> str:
        if self.ticket is not None:
            return f"ticket {self.ticket.ticket_no}"
        assert self.case is not None
        return f"case {self.case.case_no}"


def ticket_target(ticket: Ticket) -> Target:
    """A finished ticket as a rating target; 409 while it is not done."""
    if ticket.status is not TicketStatus.DONE or ticket.finished_at is None:
        raise Conflict(
            f"ticket {ticket.ticket_no} is {ticket.status.value}: a service can be rated "
            "once it is done",
            extra={"status": ticket.status.value},
        )
    return Target(
        ticket=ticket,
        service_point_id=ticket.service_point_id,
        service_day=beijing_date(ticket.finished_at),
        window_id=ticket.window_id,
        clerk_id=ticket.clerk_id,
        matter_id=ticket.matter_id,
    )


async def by_receipt_code(code: str) -> Target:
    """The service behind a receipt's code (following transfers); 404 for a wrong code."""
    return ticket_target((await queue.by_code(code.strip())).ticket)


async def by_case_code(case_no: str, query_code: str) -> Target:
    """The decided case behind a case number and its query code; 404 for a wrong pair."""
    case = await cases.check_query_code(case_no, query_code)
    if case.status not in RATEABLE_CASE or case.decided_on is None:
        raise Conflict(
            f"case {case.case_no} is {case.status.value}: a case can be rated once it is decided",
            extra={"status": case.status.value},
        )
    return Target(
        case=case,
        service_point_id=case.service_point_id,
        service_day=case.decided_on,
        matter_id=case.matter_id,
    )


def check_rating(level: int, tags: list[str], comment: str) -> list[str]:
    """The tags, de-duplicated in order; 422 names what is wrong."""
    if level not in LEVELS:
        raise InvalidInput("level must be 1 (非常不满意) to 5 (非常满意)", extra={"field": "level"})
    unknown = [t for t in tags if t not in TAGS[level]]
    if unknown:
        raise InvalidInput(
            f"tag(s) {', '.join(unknown)} do not go with level {level}; "
            f"choose from {', '.join(TAGS[level])}",
            extra={"field": "tags"},
        )
    if len(comment) > MAX_COMMENT:
        raise InvalidInput(f"comment: at most {MAX_COMMENT} characters", extra={"field": "comment"})
    return list(dict.fromkeys(tags))


def last_rating_day(service_day: date) -> date:
    return service_day + timedelta(days=get_settings().evaluation_period_days)


async def _check_open(target: Target) -> None:
    last = last_rating_day(target.service_day)
    if today() > last:
        raise RatingPeriodOver(
            f"{target.label} was served on {target.service_day}; ratings are accepted "
            f"until {last} ({get_settings().evaluation_period_days} days)",
            extra={"last_day": last.isoformat()},
        )
    if await already_rated(target):
        raise AlreadyRated(f"{target.label} has already been rated; a rating is not changed")


async def already_rated(target: Target) -> bool:
    if target.ticket is not None:
        return await Evaluation.exists(ticket_id=target.ticket.id)
    assert target.case is not None
    return await Evaluation.exists(case_id=target.case.id)


async def rate(
    target: Target, *, level: int, tags: list[str], comment: str, channel: Channel
) -> Evaluation:
    """Store the rating and, for a bad one, its follow-up, in one transaction."""
    tags = check_rating(level, tags, comment.strip())
    await _check_open(target)
    rated_on = today()
    try:
        async with in_transaction():
            evaluation = await Evaluation.create(
                ticket=target.ticket,
                case=target.case,
                service_point_id=target.service_point_id,
                window_id=target.window_id,
                clerk_id=target.clerk_id,
                matter_id=target.matter_id,
                level=level,
                tags=tags,
                comment=comment.strip(),
                channel=channel,
                service_day=target.service_day,
                day=rated_on,
                created_at=now(),
            )
            if level in BAD_LEVELS:
                await _open_follow_up(evaluation, rated_on)
            await audit.record(
                "evaluation.create",
                actor="firm",
                entity="evaluation",
                entity_id=evaluation.id,
                after={"service": target.label, "level": level, "channel": channel.value},
            )
    except IntegrityError:  # the same service rated at the same moment elsewhere
        raise AlreadyRated(f"{target.label} has already been rated") from None
    return await get(evaluation.id)


async def _open_follow_up(evaluation: Evaluation, opened_on: date) -> FollowUp:
    cal = await load_calendar()
    return await FollowUp.create(
        evaluation=evaluation,
        service_point_id=evaluation.service_point_id,
        opened_on=opened_on,
        due=cal.add_working_days(opened_on, get_settings().follow_up_days),
    )


async def get(evaluation_id: int) -> Evaluation:
    return await Evaluation.get(id=evaluation_id).prefetch_related("follow_up")


async def of_service(
    *, ticket_id: int | None = None, case_id: int | None = None
) -> Evaluation | None:
    """A ticket's or case's rating with its follow-up, if it has been rated."""
    if ticket_id is None and case_id is None:
        return None
    query = (
        Evaluation.filter(ticket_id=ticket_id) if ticket_id else Evaluation.filter(case_id=case_id)
    )
    return await query.prefetch_related("follow_up").first()
