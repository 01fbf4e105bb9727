"""The case state machine: which action is allowed from which status, and the one move.

Every transition is a conditional update on the expected status (so two clerks
acting at once cannot both succeed), an event on the case's timeline and an
entry in the audit log, all in the caller's transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from servicedesk.accounts.service import Principal
from servicedesk.audit import service as audit
from servicedesk.cases import messages
from servicedesk.cases.models import Case, CaseEvent, CaseStatus
from servicedesk.catalogue.models import ServicePoint
from servicedesk.errors import Conflict, Forbidden, IllegalTransition, NotFound
from servicedesk.timeutil import now

S = CaseStatus
ACTIVE_CLOCK = {S.ACCEPTED, S.ACCEPTED_WITH_DEFICIENCY, S.UNDER_REVIEW, S.RETURNED}
DECIDED = {S.REJECTED, S.APPROVED, S.DENIED, S.RESULT_ISSUED, S.CLOSED, S.WITHDRAWN}
ALLOWED: dict[str, set[CaseStatus]] = {
    "accept": {S.SUBMITTED},
    "return": {S.SUBMITTED, S.ACCEPTED, S.ACCEPTED_WITH_DEFICIENCY, S.UNDER_REVIEW},
    "reject": {S.SUBMITTED, S.RETURNED},
    "resubmit": {S.RETURNED},
    "supplement": {S.ACCEPTED_WITH_DEFICIENCY, S.UNDER_REVIEW},
    "start_review": {S.ACCEPTED, S.ACCEPTED_WITH_DEFICIENCY},
    "approve": {S.UNDER_REVIEW},
    # Straight from a deficient acceptance only once its supplement is overdue.
    "deny": {S.UNDER_REVIEW, S.ACCEPTED_WITH_DEFICIENCY},
    "extend_supplement": {S.ACCEPTED_WITH_DEFICIENCY, S.UNDER_REVIEW},
    "issue_result": {S.APPROVED, S.DENIED},
    "close": {S.RESULT_ISSUED},
    "withdraw": {S.SUBMITTED, S.RETURNED, S.ACCEPTED, S.ACCEPTED_WITH_DEFICIENCY, S.UNDER_REVIEW},
}


async def fetch(case_no: str) -> Case:
    """The case with everything the rules and views read."""
    case = await Case.get_or_none(case_no=case_no).prefetch_related(
        "matter__materials", "service_point", "firm"
    )
    if case is None:
        raise NotFound(f"case {case_no!r} does not exist")
    return case


async def fetch_for(case_no: str, principal: Principal) -> Case:
    """The case, for staff or a kiosk of its service point.

    Anyone else gets the very answer a missing case gets, so that case numbers of other
    points cannot be probed for existence.
    """
    case = await Case.get_or_none(case_no=case_no).prefetch_related(
        "matter__materials", "service_point", "firm"
    )
    if case is None or not _works_at(principal, case.service_point_id):
        raise NotFound(f"case {case_no!r} does not exist")
    return case


def _works_at(principal: Principal, point_id: int) -> bool:
    if principal.user is not None and principal.user.role.value in {"official", "admin"}:
        return True
    return principal.service_point_id == point_id


def check_point(principal: Principal, point: ServicePoint) -> None:
    if not _works_at(principal, point.id):
        raise Forbidden(f"you do not work at service point {point.code}")


def require(action: str, case: Case) -> None:
    if case.status not in ALLOWED[action]:
        allowed = ", ".join(sorted(s.value for s in ALLOWED[action]))
        raise IllegalTransition(
            f"cannot {action.replace('_', ' ')} a case that is {case.status.value}; "
            f"only a case that is {allowed}",
            extra={"status": case.status.value},
        )


async def transition(
    case: Case,
    to: CaseStatus,
    *,
    actor: str,
    action: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
) -> Case:
    """Move ``case`` to ``to`` if nobody else moved it first; timeline and audit too."""
    changes = dict(changes or {})
    before = {"status": case.status.value, **{k: _jsonable(getattr(case, k)) for k in changes}}
    updated = await Case.filter(id=case.id, status=case.status).update(status=to, **changes)
    if not updated:
        raise Conflict(f"case {case.case_no} was changed by someone else; reload it")
    event = await CaseEvent.create(
        case=case,
        at=now(),
        actor=actor,
        action=action,
        from_status=case.status.value,
        to_status=to.value,
        reason=reason,
        data=data or {},
    )
    after = {"status": to.value, **{k: _jsonable(v) for k, v in changes.items()}}
    await audit.record(
        f"case.{action}",
        actor=actor,
        entity="case",
        entity_id=case.case_no,
        before=before,
        after={**after, **({"reason": reason} if reason else {})},
    )
    for key, value in changes.items():
        setattr(case, key, value)
    case.status = to
    await messages.on_transition(case, event)
    return case


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
