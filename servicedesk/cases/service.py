"""Cases: submission, the one-time notice, acceptance, review and decision.

Every transition is a conditional update on the expected status (so two clerks
acting at once cannot both succeed), an event on the case's timeline and an
entry in the audit log, all in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from tortoise.transactions import in_transaction

from servicedesk.accounts.service import Principal
from servicedesk.audit import service as audit
from servicedesk.calendar.service import WorkCalendar, load_calendar
from servicedesk.cases.clock import ClockView, clock
from servicedesk.cases.models import Case, CaseEvent, CaseStatus, ClockPause, Notice
from servicedesk.catalogue import service as catalogue
from servicedesk.catalogue.models import Matter, ServicePoint
from servicedesk.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
)
from servicedesk.exemptions import recommendations
from servicedesk.exemptions import service as exemptions
from servicedesk.firms import service as firms
from servicedesk.sequences.service import next_value
from servicedesk.settings import get_settings
from servicedesk.timeutil import beijing_date, now, today

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
    "deny": {S.UNDER_REVIEW},
    "issue_result": {S.APPROVED, S.DENIED},
    "close": {S.RESULT_ISSUED},
    "withdraw": {S.SUBMITTED, S.RETURNED, S.ACCEPTED, S.ACCEPTED_WITH_DEFICIENCY, S.UNDER_REVIEW},
}


@dataclass
class CaseView:
    """A case with everything a response or page shows, fetched once."""

    case: Case
    clock: ClockView
    missing_core: list[str]
    missing_optional: list[str]
    acceptance_due: date | None
    events: list[CaseEvent]
    notice: Notice | None


# ---------------------------------------------------------------- reading


async def _fetch(case_no: str) -> Case:
    case = await Case.get_or_none(case_no=case_no).prefetch_related(
        "matter__materials", "service_point", "firm"
    )
    if case is None:
        raise NotFound(f"case {case_no!r} does not exist")
    return case


def missing(case: Case, *, core: bool) -> list[str]:
    present = set(case.materials)
    return [m.code for m in case.matter.materials if m.core == core and m.code not in present]


async def view(case: Case, cal: WorkCalendar | None = None, *, timeline: bool = True) -> CaseView:
    """Clock, missing materials and (unless ``timeline`` is False) the timeline."""
    cal = cal or await load_calendar()
    pauses = await ClockPause.filter(case=case) if case.accepted_on else []
    events = await CaseEvent.filter(case=case) if timeline else []
    notice = None
    if case.status is S.RETURNED:
        notice = await Notice.filter(case=case).order_by("-issued_at", "-id").first()
    settings = get_settings()
    stopped = case.decided_on if case.status in DECIDED else None
    acceptance_due = None
    if case.status is S.SUBMITTED:
        acceptance_due = cal.add_working_days(
            beijing_date(case.received_at), settings.deemed_acceptance_days
        )
    return CaseView(
        case=case,
        clock=clock(
            accepted_on=case.accepted_on,
            promised_days=case.matter.promised_days,
            pauses=pauses,
            cal=cal,
            today=today(),
            stopped_on=stopped,
            warning_share=settings.warning_share,
        ),
        missing_core=missing(case, core=True),
        missing_optional=missing(case, core=False),
        acceptance_due=acceptance_due,
        events=events,
        notice=notice,
    )


async def get_for_staff(case_no: str, principal: Principal) -> CaseView:
    case = await _fetch(case_no)
    _check_point(principal, case.service_point)
    cal = await load_calendar()
    case = await _apply_deemed_acceptance(case, cal)
    return await view(case, cal)


async def get_public(case_no: str, uscc: str) -> CaseView:
    """The progress query: both the case number and the firm's code must match."""
    case = await Case.get_or_none(case_no=case_no, firm__uscc=uscc.strip().upper())
    if case is None:
        raise NotFound("no case with this case number and USCC")
    cal = await load_calendar()
    case = await _apply_deemed_acceptance(await _fetch(case_no), cal)
    return await view(case, cal)


async def list_for_clerk(
    principal: Principal, *, statuses: Iterable[str] | None = None, limit: int = 200
) -> list[CaseView]:
    """Cases at the principal's service point, newest first."""
    if principal.service_point_id is None:
        raise Forbidden("you are not bound to a service point")
    point = await ServicePoint.get(id=principal.service_point_id)
    if statuses:
        unknown = sorted(set(statuses) - {s.value for s in CaseStatus})
        if unknown:
            raise InvalidInput(f"unknown status {', '.join(unknown)}", extra={"field": "status"})
    cal = await load_calendar()
    await sweep_deemed_acceptance(point=point, cal=cal)
    query = Case.filter(service_point=point)
    if statuses:
        query = query.filter(status__in=list(statuses))
    cases = (
        await query.order_by("-received_at")
        .limit(limit)
        .prefetch_related("matter__materials", "service_point", "firm")
    )
    return [await view(c, cal, timeline=False) for c in cases]


# ---------------------------------------------------------------- helpers


def _check_point(principal: Principal, point: ServicePoint) -> None:
    if principal.user is not None and principal.user.role.value in {"official", "admin"}:
        return
    if principal.service_point_id != point.id:
        raise Forbidden(f"you do not work at service point {point.code}")


def _require(action: str, case: Case) -> None:
    if case.status not in ALLOWED[action]:
        allowed = ", ".join(sorted(s.value for s in ALLOWED[action]))
        raise IllegalTransition(
            f"cannot {action.replace('_', ' ')} a case that is {case.status.value}; "
            f"only a case that is {allowed}",
            extra={"status": case.status.value},
        )


def _known_codes(matter: Matter, codes: Iterable[str], *, field: str) -> list[str]:
    known = {m.code for m in matter.materials}
    unknown = sorted(set(codes) - known)
    if unknown:
        raise InvalidInput(
            f"{field}: {', '.join(unknown)} not among the materials of matter {matter.code} "
            f"({', '.join(sorted(known))})",
            extra={"field": field},
        )
    seen: list[str] = []
    for code in codes:
        if code not in seen:
            seen.append(code)
    return seen


async def _transition(
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
    await CaseEvent.create(
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
    return case


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


async def _open_pause(case: Case, reason: str) -> None:
    await ClockPause.create(case=case, reason=reason, start_on=today())


async def _close_pauses(case: Case, reason: str | None = None) -> None:
    query = ClockPause.filter(case=case, end_on__isnull=True)
    if reason:
        query = query.filter(reason=reason)
    await query.update(end_on=today())


# ---------------------------------------------------------------- submission


async def submit(
    *,
    principal: Principal,
    service_point: str,
    matter_code: str,
    uscc: str,
    firm_name: str,
    materials: list[str],
    recommendation_id: int | None = None,
) -> CaseView:
    """Register an application: firm, case, timeline and audit in one transaction."""
    point = await catalogue.get_point(service_point)
    _check_point(principal, point)
    offer = await catalogue.offering(point, matter_code)
    matter = offer.matter
    codes = _known_codes(matter, materials, field="materials")
    if not firm_name.strip():
        raise InvalidInput("firm.name must not be empty", extra={"field": "firm.name"})
    async with in_transaction():
        firm = await firms.get_or_register(
            uscc, name=firm_name, update_name=principal.kiosk is None
        )
        if recommendation_id is not None:
            await recommendations.check_for_case(
                recommendation_id, uscc=firm.uscc, matter_code=matter.code
            )
        received = now()
        seq = await next_value(f"case:{point.code}", beijing_date(received))
        case_no = f"{point.code}-{beijing_date(received):%Y%m%d}-{seq:04d}"
        case = await Case.create(
            case_no=case_no,
            service_point=point,
            matter=matter,
            firm=firm,
            materials=codes,
            received_at=received,
            recommendation_id=recommendation_id,
        )
        await CaseEvent.create(
            case=case,
            at=received,
            actor=principal.label,
            action="submit",
            from_status=None,
            to_status=S.SUBMITTED.value,
            data={"materials": codes},
        )
        await audit.record(
            "case.submit",
            actor=principal.label,
            entity="case",
            entity_id=case_no,
            after={
                "status": "submitted",
                "matter": matter.code,
                "firm": firm.uscc,
                "materials": codes,
                "recommendation_id": recommendation_id,
            },
        )
    case = await _fetch(case_no)
    return await view(case)


# ---------------------------------------------------------------- transitions


async def _load_for_action(case_no: str, principal: Principal, action: str) -> Case:
    case = await _fetch(case_no)
    _check_point(principal, case.service_point)
    case = await _apply_deemed_acceptance(case, await load_calendar())
    _require(action, case)
    return case


async def accept(
    case_no: str,
    *,
    principal: Principal,
    with_deficiency: bool | None = None,
    supplement_due: date | None = None,
) -> CaseView:
    async with in_transaction():
        case = await _load_for_action(case_no, principal, "accept")
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
        to = S.ACCEPTED
        data: dict[str, Any] = {}
        if optional:
            promised_deadline = cal.add_working_days(accepted_on, case.matter.promised_days)
            due = supplement_due or promised_deadline
            if due > promised_deadline or due < accepted_on:
                raise InvalidInput(
                    f"supplement_due must lie between {accepted_on} and the promised "
                    f"deadline {promised_deadline}",
                    extra={"field": "supplement_due"},
                )
            to = S.ACCEPTED_WITH_DEFICIENCY
            changes |= {"supplement_due": due, "owed_materials": optional}
            data = {"owed_materials": optional, "supplement_due": due.isoformat()}
        decision = await exemptions.decide(case=case, actor=principal.label)
        changes |= {
            "inspection": decision.inspection,
            "inspection_reasons": decision.reasons,
            "spot_check_id": decision.spot_check_id,
        }
        data["inspection"] = decision.inspection
        await _transition(
            case, to, actor=principal.label, action="accept", data=data, changes=changes
        )
        if to is S.ACCEPTED_WITH_DEFICIENCY:
            await _open_pause(case, "supplement")
    return await view(case)


async def return_for_correction(
    case_no: str, *, principal: Principal, items: list[dict[str, str]] | None = None
) -> CaseView:
    """Return with ONE notice naming every missing or defective material."""
    async with in_transaction():
        case = await _load_for_action(case_no, principal, "return")
        listed = _notice_items(case, items or [])
        await _check_one_time_rule(case, [i["material_code"] for i in listed])
        if not listed:
            raise BadRequest(
                "nothing to return: every material is present; name each defective "
                "material in items"
            )
        issued = now()
        await Notice.create(
            case=case,
            issued_at=issued,
            issued_by=principal.label,
            items=listed,
            materials_seen=list(case.materials),
        )
        changes: dict[str, Any] = {"resume_status": None}
        if case.accepted_on is not None:  # a correction after acceptance stops the clock
            changes["resume_status"] = case.status.value
        await _transition(
            case,
            S.RETURNED,
            actor=principal.label,
            action="return",
            data={"items": listed},
            changes=changes,
        )
        if case.accepted_on is not None:
            await _open_pause(case, "correction")
    return await view(case)


def _notice_items(case: Case, items: list[dict[str, str]]) -> list[dict[str, str]]:
    codes = _known_codes(case.matter, [i["material_code"] for i in items], field="items")
    problems = {i["material_code"]: i["problem"].strip() for i in items}
    listed = [{"material_code": c, "problem": problems[c] or "defective"} for c in codes]
    for code in missing(case, core=True):
        if code not in problems:
            listed.append({"material_code": code, "problem": "missing"})
    return listed


async def _check_one_time_rule(case: Case, codes: list[str]) -> None:
    """A later notice may only name what the firm changed since, or named before."""
    notices = await Notice.filter(case=case)
    if not notices:
        return
    named = {i["material_code"] for n in notices for i in n.items}
    last = notices[-1]
    resubmits = await CaseEvent.filter(
        case=case, action__in=["resubmit", "supplement"], at__gte=last.issued_at
    )
    changed = {code for e in resubmits for code in e.data.get("materials", [])}
    late = sorted(set(codes) - named - changed)
    if late:
        raise Conflict(
            f"one-time notice: {', '.join(late)} could have been named in the first "
            "notice and may not be raised now",
            extra={"materials": late},
        )


async def resubmit(case_no: str, *, principal: Principal, materials: list[str]) -> CaseView:
    """The firm answers a notice: the listed materials are now provided."""
    async with in_transaction():
        case = await _load_for_action(case_no, principal, "resubmit")
        codes = _known_codes(case.matter, materials, field="materials")
        if not codes:
            raise BadRequest("materials: name the materials provided in answer to the notice")
        merged = list(dict.fromkeys([*case.materials, *codes]))
        changes: dict[str, Any] = {"materials": merged, "resume_status": None}
        if case.accepted_on is None:
            to = S.SUBMITTED
            changes["received_at"] = now()  # the 5-day acceptance period restarts
        else:
            to = S(case.resume_status or S.UNDER_REVIEW.value)
        await Notice.filter(case=case, answered_at__isnull=True).update(answered_at=now())
        await _transition(
            case,
            to,
            actor=principal.label,
            action="resubmit",
            data={"materials": codes},
            changes=changes,
        )
        await _close_pauses(case, "correction")
    return await view(case)


async def supplement(case_no: str, *, principal: Principal, materials: list[str]) -> CaseView:
    """The firm delivers materials it promised when accepted with deficiency."""
    async with in_transaction():
        case = await _load_for_action(case_no, principal, "supplement")
        codes = _known_codes(case.matter, materials, field="materials")
        if not case.owed_materials:
            raise Conflict("this case owes no supplement")
        stray = sorted(set(codes) - set(case.owed_materials))
        if stray or not codes:
            raise InvalidInput(
                f"materials: the case owes {', '.join(case.owed_materials)}"
                + (f", not {', '.join(stray)}" if stray else ""),
                extra={"field": "materials"},
            )
        owed = [c for c in case.owed_materials if c not in codes]
        to = case.status
        if not owed and case.status is S.ACCEPTED_WITH_DEFICIENCY:
            to = S.ACCEPTED
        changes = {
            "materials": list(dict.fromkeys([*case.materials, *codes])),
            "owed_materials": owed,
        }
        await _transition(
            case,
            to,
            actor=principal.label,
            action="supplement",
            data={"materials": codes, "still_owed": owed},
            changes=changes,
        )
        if not owed:
            await _close_pauses(case, "supplement")
    return await view(case)


async def simple_transition(
    case_no: str, action: str, *, principal: Principal, reason: str = ""
) -> CaseView:
    """start_review, approve, deny, issue_result, close, reject, withdraw."""
    targets = {
        "start_review": S.UNDER_REVIEW,
        "approve": S.APPROVED,
        "deny": S.DENIED,
        "issue_result": S.RESULT_ISSUED,
        "close": S.CLOSED,
        "reject": S.REJECTED,
        "withdraw": S.WITHDRAWN,
    }
    needs_reason = {"deny", "reject"}
    if action in needs_reason and not reason.strip():
        raise InvalidInput(f"{action} needs a reason", extra={"field": "reason"})
    async with in_transaction():
        case = await _load_for_action(case_no, principal, action)
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
        changes: dict[str, Any] = {}
        if targets[action] in DECIDED and case.decided_on is None:
            changes["decided_on"] = today()
        if reason:
            changes["decision_reason"] = reason.strip()
        await _transition(
            case,
            targets[action],
            actor=principal.label,
            action=action,
            reason=reason.strip(),
            changes=changes,
        )
        if changes.get("decided_on"):
            await _close_pauses(case)
    return await view(case)


# ---------------------------------------------------------------- deemed acceptance


async def _apply_deemed_acceptance(case: Case, cal: WorkCalendar) -> Case:
    """No decision or notice within 5 working days: accepted from the day of receipt."""
    if case.status is not S.SUBMITTED:
        return case
    received_on = beijing_date(case.received_at)
    due = cal.add_working_days(received_on, get_settings().deemed_acceptance_days)
    if today() <= due:
        return case
    try:
        async with in_transaction():
            decision = await exemptions.decide(case=case, actor="system")
            await _transition(
                case,
                S.ACCEPTED,
                actor="system",
                action="deemed_accept",
                reason=f"no decision or notice within {get_settings().deemed_acceptance_days} "
                f"working days of receipt (by {due}); accepted from {received_on}",
                changes={
                    "accepted_on": received_on,
                    "deemed_accepted": True,
                    "inspection": decision.inspection,
                    "inspection_reasons": decision.reasons,
                    "spot_check_id": decision.spot_check_id,
                },
            )
    except Conflict:  # another request applied it first
        return await _fetch(case.case_no)
    return case


async def sweep_deemed_acceptance(
    *, point: ServicePoint | None = None, cal: WorkCalendar | None = None
) -> int:
    """Apply deemed acceptance to every overdue submitted case; returns how many."""
    cal = cal or await load_calendar()
    query = Case.filter(status=S.SUBMITTED)
    if point is not None:
        query = query.filter(service_point=point)
    count = 0
    for case in await query.prefetch_related("matter__materials", "service_point", "firm"):
        if (await _apply_deemed_acceptance(case, cal)).status is not S.SUBMITTED:
            count += 1
    return count
