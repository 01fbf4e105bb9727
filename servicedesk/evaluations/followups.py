"""Follow-ups of bad ratings: verify, then rectify or explain, within 15 working days.

The point's supervisor (or an official) answers. A rectification closes the follow-up;
an explanation (the rating was not justified) closes only when a second person
approves it, and may be sent back instead. Yellow and red warnings follow the cases'
rule: yellow from the warning share of the period, red once the due day has passed.
Each step is a conditional update on the expected status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tortoise.transactions import in_transaction

from servicedesk.accounts.service import Principal
from servicedesk.audit import service as audit
from servicedesk.calendar.service import WorkCalendar, load_calendar
from servicedesk.errors import Conflict, Forbidden, FourEyesRequired, InvalidInput, NotFound
from servicedesk.evaluations.models import Evaluation, FollowUp, FollowUpStatus, ReplyKind
from servicedesk.notifications import outbox
from servicedesk.notifications.contacts import firm_holder, ticket_holder
from servicedesk.settings import get_settings
from servicedesk.timeutil import now, today

F = FollowUpStatus
HANDLERS = {"supervisor", "official", "admin"}
MAX_TEXT = 2000


@dataclass(frozen=True)
class FollowUpView:
    follow_up: FollowUp
    evaluation: Evaluation
    warning: str  # none / yellow / red
    service: str  # the ticket number or case number rated


def warning(follow_up: FollowUp, cal: WorkCalendar, *, on: date) -> str:
    """none once closed; red after the due day; yellow from the warning share."""
    if follow_up.status is F.CLOSED:
        return "none"
    if on > follow_up.due:
        return "red"
    period = cal.working_days_between(follow_up.opened_on, follow_up.due)
    elapsed = cal.working_days_between(follow_up.opened_on, on)
    return "yellow" if period and elapsed >= get_settings().warning_share * period else "none"


def point_scope(principal: Principal) -> int | None:
    """The one point whose follow-ups ``principal`` handles; None for all (officials)."""
    if principal.role in {"official", "admin"}:
        return None
    if principal.role == "supervisor" and principal.service_point_id is not None:
        return principal.service_point_id
    raise Forbidden("follow-ups are answered by the service point's supervisor or an official")


def _check_scope(principal: Principal, follow_up: FollowUp) -> None:
    scope = point_scope(principal)
    if scope is not None and scope != follow_up.service_point_id:
        raise Forbidden("this follow-up belongs to another service point")


async def _views(rows: list[FollowUp]) -> list[FollowUpView]:
    cal, on = await load_calendar(), today()
    return [
        FollowUpView(
            follow_up=row,
            evaluation=row.evaluation,
            warning=warning(row, cal, on=on),
            service=_service_label(row.evaluation),
        )
        for row in rows
    ]


def _service_label(evaluation: Evaluation) -> str:
    if evaluation.ticket is not None:
        return evaluation.ticket.ticket_no
    return evaluation.case.case_no if evaluation.case is not None else ""


def _with_related(query: Any) -> Any:
    return query.prefetch_related("evaluation__ticket", "evaluation__case", "service_point")


async def list_for(principal: Principal, *, status: str | None = None) -> list[FollowUpView]:
    """The follow-ups ``principal`` handles, the most urgent first."""
    query = FollowUp.all()
    scope = point_scope(principal)
    if scope is not None:
        query = query.filter(service_point_id=scope)
    if status:
        if status not in {s.value for s in F}:
            allowed = ", ".join(s.value for s in F)
            raise InvalidInput(f"status must be one of {allowed}", extra={"field": "status"})
        query = query.filter(status=status)
    rows = await _with_related(query.order_by("due", "id").limit(500))
    return await _views(list(rows))


async def get(follow_up_id: int, principal: Principal) -> FollowUpView:
    row = await _with_related(FollowUp.filter(id=follow_up_id)).first()
    if row is None:
        raise NotFound(f"follow-up {follow_up_id} does not exist")
    _check_scope(principal, row)
    return (await _views([row]))[0]


async def _move(
    current: FollowUp,
    *,
    to: FollowUpStatus,
    actor: str,
    action: str,
    changes: dict[str, Any],
    note: dict[str, str] | None = None,
) -> None:
    async with in_transaction():
        moved = await FollowUp.filter(id=current.id, status=current.status).update(
            status=to, **changes
        )
        if not moved:
            raise Conflict(f"follow-up {current.id} was changed by someone else; reload it")
        await audit.record(
            f"follow_up.{action}",
            actor=actor,
            entity="follow_up",
            entity_id=current.id,
            before={"status": current.status.value},
            after={"status": to.value, **{k: str(v) for k, v in changes.items()}, **(note or {})},
        )


def _require(view: FollowUpView, status: FollowUpStatus, action: str) -> None:
    if view.follow_up.status is not status:
        raise Conflict(
            f"cannot {action} follow-up {view.follow_up.id}: it is "
            f"{view.follow_up.status.value}, not {status.value}",
            extra={"status": view.follow_up.status.value},
        )


async def reply(
    follow_up_id: int, *, principal: Principal, kind: ReplyKind, text: str
) -> FollowUpView:
    """Answer the firm: rectified closes; explained waits for a second person."""
    text = text.strip()
    if not text:
        raise InvalidInput("text: say what was done or why", extra={"field": "text"})
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"text: at most {MAX_TEXT} characters", extra={"field": "text"})
    view = await get(follow_up_id, principal)
    _require(view, F.OPEN, "reply to")
    changes: dict[str, Any] = {
        "reply_kind": kind,
        "reply_text": text,
        "replied_by": principal.label,
        "replied_at": now(),
    }
    if kind is ReplyKind.RECTIFIED:
        to = F.CLOSED
        changes |= {"closed_at": now(), "closed_on": today()}
    else:
        to = F.AWAITING_APPROVAL
    async with in_transaction():
        await _move(view.follow_up, to=to, actor=principal.label, action="reply", changes=changes)
        if to is F.CLOSED:
            await _tell_firm(view, text)
    return await get(follow_up_id, principal)


async def approve(follow_up_id: int, *, principal: Principal) -> FollowUpView:
    """A second person accepts the explanation; the follow-up closes."""
    view = await get(follow_up_id, principal)
    _require(view, F.AWAITING_APPROVAL, "approve")
    if view.follow_up.replied_by == principal.label:
        raise FourEyesRequired("an explanation is approved by someone other than its author")
    changes = {"approved_by": principal.label, "closed_at": now(), "closed_on": today()}
    async with in_transaction():
        await _move(
            view.follow_up, to=F.CLOSED, actor=principal.label, action="approve", changes=changes
        )
        await _tell_firm(view, view.follow_up.reply_text)
    return await get(follow_up_id, principal)


async def _tell_firm(view: FollowUpView, text: str) -> None:
    """The closed follow-up's answer goes to the firm, on the channels it consented to
    (an explanation only once a second person has approved it)."""
    evaluation, point = view.evaluation, view.follow_up.service_point
    if evaluation.case is not None:
        await evaluation.case.fetch_related("firm")
        holder, case_no = firm_holder(evaluation.case.firm.uscc), evaluation.case.case_no
    elif evaluation.ticket is not None:
        holder, case_no = ticket_holder(evaluation.ticket.id), None
    else:
        return
    await outbox.enqueue(
        holder,
        template="rating_reply",
        event_key=f"rating_reply:{view.follow_up.id}",
        params={"point": {"zh": point.name, "en": point.name_en or point.name}, "text": text},
        case_no=case_no,
        service_point_id=point.id,
    )


async def send_back(follow_up_id: int, *, principal: Principal, reason: str) -> FollowUpView:
    """The second person does not accept the explanation: the follow-up opens again."""
    if not reason.strip():
        raise InvalidInput(
            "reason: say why the explanation is not accepted", extra={"field": "reason"}
        )
    view = await get(follow_up_id, principal)
    _require(view, F.AWAITING_APPROVAL, "send back")
    if view.follow_up.replied_by == principal.label:
        raise FourEyesRequired("an explanation is reviewed by someone other than its author")
    changes: dict[str, Any] = {
        "reply_kind": None,
        "reply_text": "",
        "replied_by": None,
        "replied_at": None,
    }
    await _move(
        view.follow_up,
        to=F.OPEN,
        actor=principal.label,
        action="send_back",
        changes=changes,
        note={"reason": reason.strip()},
    )
    return await get(follow_up_id, principal)


async def overdue_count(*, service_point_id: int | None = None) -> int:
    """Follow-ups not closed by their due day."""
    query = FollowUp.filter(status__not=F.CLOSED, due__lt=today())
    if service_point_id is not None:
        query = query.filter(service_point_id=service_point_id)
    return await query.count()
