"""The clerk's decisions on a case: accept, return, reject and the moves after review.

Each runs in one transaction: the conditional status update, the timeline, the audit
entry, and any clock pause it opens or closes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tortoise.transactions import in_transaction

from servicedesk.accounts.service import Principal
from servicedesk.calendar.service import load_calendar
from servicedesk.cases import overdue, ports
from servicedesk.cases.clock import close_pauses, deadlines_at, open_pause
from servicedesk.cases.corrections import issue_notice
from servicedesk.cases.machine import DECIDED, S, transition
from servicedesk.cases.materials import missing
from servicedesk.cases.models import Case, CaseStatus
from servicedesk.cases.service import CaseView, load_for_action, view
from servicedesk.errors import Conflict, IllegalTransition, InvalidInput
from servicedesk.timeutil import today

SIMPLE_TARGETS = {
    "start_review": S.UNDER_REVIEW,
    "approve": S.APPROVED,
    "deny": S.DENIED,
    "issue_result": S.RESULT_ISSUED,
    "close": S.CLOSED,
    "reject": S.REJECTED,
    "withdraw": S.WITHDRAWN,
}
NEEDS_REASON = {"deny", "reject"}


async def accept(
    case_no: str,
    *,
    principal: Principal,
    with_deficiency: bool | None = None,
    supplement_due: date | None = None,
) -> CaseView:
    async with in_transaction():
        case = await load_for_action(case_no, principal, "accept")
        to, changes, data = await _acceptance(
            case, with_deficiency=with_deficiency, supplement_due=supplement_due
        )
        decision = await ports.decide_inspection(case=case, actor=principal.label)
        changes |= {
            "inspection": decision.inspection,
            "inspection_reasons": decision.reasons,
            "spot_check_id": decision.spot_check_id,
        }
        data["inspection"] = decision.inspection
        await transition(
            case, to, actor=principal.label, action="accept", data=data, changes=changes
        )
        if to is S.ACCEPTED_WITH_DEFICIENCY:
            await open_pause(case, "supplement")
    return await view(case)


async def _acceptance(
    case: Case, *, with_deficiency: bool | None, supplement_due: date | None
) -> tuple[CaseStatus, dict[str, Any], dict[str, Any]]:
    """Target status, field changes and event data of accepting ``case`` today."""
    core, optional = missing(case, core=True), missing(case, core=False)
    if core:
        raise Conflict(
            f"core materials missing: {', '.join(core)}; return the case with a "
            "one-time notice instead",
            extra={"missing_core": core},
        )
    if optional and with_deficiency is False:
        raise Conflict(
            f"non-core materials missing: {', '.join(optional)}; accept with "
            "deficiency (the firm promises them) or return the case",
            extra={"missing_optional": optional},
        )
    cal = await load_calendar()
    accepted_on = today()
    changes: dict[str, Any] = {"accepted_on": accepted_on}
    if not optional:
        return S.ACCEPTED, changes, {}
    promised_deadline = cal.add_working_days(accepted_on, case.matter.promised_days)
    due = supplement_due or promised_deadline
    if due > promised_deadline or due < accepted_on:
        raise InvalidInput(
            f"supplement_due must lie between {accepted_on} and the promised "
            f"deadline {promised_deadline}",
            extra={"field": "supplement_due"},
        )
    changes |= {"supplement_due": due, "owed_materials": optional, "accepted_deficient": True}
    data = {"owed_materials": optional, "supplement_due": due.isoformat()}
    return S.ACCEPTED_WITH_DEFICIENCY, changes, data


async def return_for_correction(
    case_no: str, *, principal: Principal, items: list[dict[str, str]] | None = None
) -> CaseView:
    """Return with ONE notice naming every missing or defective material."""
    async with in_transaction():
        case = await load_for_action(case_no, principal, "return")
        listed = await issue_notice(case, items or [], actor=principal.label)
        changes: dict[str, Any] = {"resume_status": None, "notice_issued": True}
        if case.accepted_on is not None:  # a correction after acceptance stops the clock
            changes["resume_status"] = case.status.value
        await transition(
            case,
            S.RETURNED,
            actor=principal.label,
            action="return",
            data={"items": listed},
            changes=changes,
        )
        if case.accepted_on is not None:
            await open_pause(case, "correction")
    return await view(case)


async def simple_transition(
    case_no: str, action: str, *, principal: Principal, reason: str = ""
) -> CaseView:
    """start_review, approve, deny, issue_result, close, reject, withdraw."""
    if action in NEEDS_REASON and not reason.strip():
        raise InvalidInput(f"{action} needs a reason", extra={"field": "reason"})
    async with in_transaction():
        case = await load_for_action(case_no, principal, action)
        _check_simple(case, action)
        changes: dict[str, Any] = {}
        if SIMPLE_TARGETS[action] in DECIDED and case.decided_on is None:
            changes |= await _decision(case)
        if reason:
            changes["decision_reason"] = reason.strip()
        await transition(
            case,
            SIMPLE_TARGETS[action],
            actor=principal.label,
            action=action,
            reason=reason.strip(),
            changes=changes,
        )
        if changes.get("decided_on"):
            await close_pauses(case)
    return await view(case)


async def extend_supplement(
    case_no: str, *, principal: Principal, supplement_due: date
) -> CaseView:
    """Grant the one extension of an overdue supplement, within the promised limit."""
    async with in_transaction():
        case = await load_for_action(case_no, principal, "extend_supplement")
        current = await view(case, timeline=False)
        assert current.clock.deadline is not None
        overdue.check_extension(
            case, new_due=supplement_due, promised_deadline=current.clock.deadline
        )
        await transition(
            case,
            case.status,
            actor=principal.label,
            action="extend_supplement",
            reason=f"one extension of the supplement to {supplement_due}",
            changes={
                "supplement_due": supplement_due,
                "supplement_extended": True,
                "supplement_overdue": False,
            },
        )
        await open_pause(case, "supplement")
    return await view(case)


async def _decision(case: Case) -> dict[str, Any]:
    """The decision day and, for an accepted case, the deadlines it is measured by."""
    changes: dict[str, Any] = {"decided_on": today()}
    if case.accepted_on is not None:
        promised, statutory = await deadlines_at(case, await load_calendar(), on=today())
        changes |= {"deadline_on": promised, "statutory_deadline_on": statutory}
    return changes


def _check_simple(case: Case, action: str) -> None:
    if (
        action == "deny"
        and case.status is S.ACCEPTED_WITH_DEFICIENCY
        and not case.supplement_overdue
    ):
        raise IllegalTransition(
            f"case {case.case_no} may be denied before review only once its supplement is overdue"
        )
    if action == "reject" and case.accepted_on is not None:
        raise IllegalTransition(
            f"case {case.case_no} was accepted on {case.accepted_on}: it can be denied "
            "after review, not rejected"
        )
    if action == "approve" and case.owed_materials:
        raise Conflict(
            f"the firm still owes {', '.join(case.owed_materials)} (accepted with "
            "deficiency); record the supplement first"
        )
