"""Cases: submission, and reading a case back as the view a response or page shows.

The clerk's decisions are in ``transitions``, the one-time notice and the firm's
answers in ``corrections``, the 5-day rule in ``deemed``.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from tortoise.transactions import in_transaction

from servicedesk.accounts.service import Principal
from servicedesk.audit import service as audit
from servicedesk.calendar.service import WorkCalendar, load_calendar
from servicedesk.cases import messages, overdue, ports
from servicedesk.cases.clock import ClockView, clock
from servicedesk.cases.deemed import apply_deemed_acceptance, sweep_deemed_acceptance
from servicedesk.cases.machine import DECIDED, S, check_point, fetch, fetch_for, require
from servicedesk.cases.materials import known_codes, missing
from servicedesk.cases.models import Case, CaseEvent, CaseStatus, ClockPause, Notice
from servicedesk.catalogue import service as catalogue
from servicedesk.catalogue.models import Matter, ServicePoint
from servicedesk.errors import Forbidden, InvalidInput, NotFound
from servicedesk.firms import service as firms
from servicedesk.firms.models import Firm
from servicedesk.notifications import contacts
from servicedesk.notifications.contacts import firm_holder
from servicedesk.notifications.schemas import ContactIn
from servicedesk.sequences.service import next_value
from servicedesk.settings import get_settings
from servicedesk.timeutil import beijing_date, now, today

QUERY_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L on a keypad
QUERY_CODE_LENGTH = 8
NO_SUCH_CASE = "no case with this case number and code"


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
    case = await fetch_for(case_no, principal)
    cal = await load_calendar()
    case = await overdue.apply_supplement_overdue(await apply_deemed_acceptance(case, cal))
    return await view(case, cal)


def new_query_code() -> str:
    """A random code for the receipt: 8 characters a firm can type on a keypad (40 bits)."""
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def clean_query_code(raw: str) -> str:
    """The code as stored: capitals, without the spaces or dashes a receipt groups it by."""
    return raw.replace("-", "").replace(" ", "").strip().upper()


async def check_query_code(case_no: str, query_code: str) -> Case:
    """The case, if ``query_code`` is its code; else one NotFound for both mistakes."""
    case = await Case.get_or_none(case_no=case_no.strip())
    code = clean_query_code(query_code)
    if case is None or not hmac.compare_digest(case.query_code.encode(), code.encode()):
        raise NotFound(NO_SUCH_CASE)
    return case


async def get_public(case_no: str, *, query_code: str) -> CaseView:
    """The progress query: the case number and the receipt's query code must match."""
    case = await check_query_code(case_no, query_code)
    return await _public_view(case.case_no)


async def get_at_kiosk(case_no: str, *, uscc: str, principal: Principal) -> CaseView:
    """The older query by USCC, for the firm standing at a kiosk of the case's own point."""
    case = await Case.get_or_none(case_no=case_no, firm__uscc=uscc.strip().upper())
    if (
        case is None
        or principal.kiosk is None
        or case.service_point_id != principal.service_point_id
    ):
        raise NotFound(NO_SUCH_CASE)
    return await _public_view(case.case_no)


async def _public_view(case_no: str) -> CaseView:
    cal = await load_calendar()
    case = await apply_deemed_acceptance(await fetch(case_no), cal)
    return await view(await overdue.apply_supplement_overdue(case), cal)


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
    await overdue.sweep(point_id=point.id)
    query = Case.filter(service_point=point)
    if statuses:
        query = query.filter(status__in=list(statuses))
    cases = (
        await query.order_by("-received_at")
        .limit(limit)
        .prefetch_related("matter__materials", "service_point", "firm")
    )
    return [await view(c, cal, timeline=False) for c in cases]


async def overdue_list(
    filters: overdue.Filters, principal: Principal | None = None
) -> list[CaseView]:
    """Open cases that are red, yellow or owe an overdue supplement, across points."""
    cal = await load_calendar()
    views = [
        await view(c, cal, timeline=False) for c in await overdue.candidates(filters, principal)
    ]
    kind = filters.kind
    return [
        v
        for v in views
        if (v.clock.warning in {"red", "yellow"} or v.case.supplement_overdue)
        and (
            kind is None
            or (kind == "supplement" and v.case.supplement_overdue)
            or v.clock.warning == kind
        )
    ]


async def load_for_action(case_no: str, principal: Principal, action: str) -> Case:
    """The case, if the principal works at its point and ``action`` is allowed now.

    Deemed acceptance is brought up to date first, so the action is checked against
    the status the case has by law, not the one last stored.
    """
    case = await fetch_for(case_no, principal)
    case = await apply_deemed_acceptance(case, await load_calendar())
    case = await overdue.apply_supplement_overdue(case)
    require(action, case)
    return case


async def submit(
    *,
    principal: Principal,
    service_point: str,
    matter_code: str,
    uscc: str,
    firm_name: str,
    materials: list[str],
    recommendation_id: int | None = None,
    recommendation_code: str | None = None,
    contact: ContactIn | None = None,
) -> CaseView:
    """Register an application: firm, contact, case, timeline, audit and the firm's
    message in one transaction.

    The firm's name may be left out when the registry knows its USCC (a kiosk then
    needs nobody to type Chinese); a recommendation comes by id or by slip code.
    """
    point = await catalogue.get_point(service_point)
    check_point(principal, point)
    offer = await catalogue.offering(point, matter_code)
    matter = offer.matter
    codes = known_codes(matter, materials, field="materials")
    firm_name = await _firm_name(uscc, firm_name)
    if recommendation_code and recommendation_id is None:
        recommendation_id = await _recommendation_by_code(recommendation_code)
    async with in_transaction():
        firm = await firms.get_or_register(
            uscc, name=firm_name, update_name=principal.kiosk is None
        )
        if recommendation_id is not None:
            await ports.check_recommendation(
                recommendation_id, uscc=firm.uscc, matter_code=matter.code
            )
        await contacts.remember(firm_holder(firm.uscc), contact, actor=principal.label)
        case = await _register(
            point,
            matter=matter,
            firm=firm,
            materials=codes,
            recommendation_id=recommendation_id,
            actor=principal.label,
        )
    return await view(await fetch(case.case_no))


async def _firm_name(uscc: str, given: str) -> str:
    name = given.strip() or await firms.registered_name(uscc)
    if not name:
        raise InvalidInput(
            "firm.name: this USCC is not registered yet; give the firm's name",
            extra={"field": "firm.name"},
        )
    return name


async def _recommendation_by_code(code: str) -> int:
    rec_id = await ports.find_recommendation(code)
    if rec_id is None:
        raise InvalidInput(
            "no valid recommendation with this code or id for this firm and matter",
            extra={"field": "recommendation"},
        )
    return rec_id


async def _register(
    point: ServicePoint,
    *,
    matter: Matter,
    firm: Firm,
    materials: list[str],
    recommendation_id: int | None,
    actor: str,
) -> Case:
    """Number the case per point and day, store it, its first event and the audit entry."""
    received = now()
    seq = await next_value(f"case:{point.code}", beijing_date(received))
    case_no = f"{point.code}-{beijing_date(received):%Y%m%d}-{seq:04d}"
    case = await Case.create(
        case_no=case_no,
        query_code=new_query_code(),
        service_point=point,
        matter=matter,
        firm=firm,
        materials=materials,
        received_at=received,
        recommendation_id=recommendation_id,
    )
    await CaseEvent.create(
        case=case,
        at=received,
        actor=actor,
        action="submit",
        from_status=None,
        to_status=S.SUBMITTED.value,
        data={"materials": materials},
    )
    await audit.record(
        "case.submit",
        actor=actor,
        entity="case",
        entity_id=case_no,
        after={
            "status": "submitted",
            "matter": matter.code,
            "firm": firm.uscc,
            "materials": materials,
            "recommendation_id": recommendation_id,
        },
    )
    await messages.on_submit(case)
    return case
