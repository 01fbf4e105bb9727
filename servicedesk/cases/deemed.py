"""Deemed acceptance: a case nobody decided on within 5 working days is accepted.

There is no background job: the rule is applied whenever a case is read or acted on,
and the clerk's list sweeps every overdue case of the point first.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from servicedesk.calendar.service import WorkCalendar, load_calendar
from servicedesk.cases import ports
from servicedesk.cases.machine import S, fetch, transition
from servicedesk.cases.models import Case
from servicedesk.catalogue.models import ServicePoint
from servicedesk.errors import Conflict
from servicedesk.settings import get_settings
from servicedesk.timeutil import beijing_date, today


async def apply_deemed_acceptance(case: Case, cal: WorkCalendar) -> Case:
    """No decision or notice within 5 working days: accepted from the day of receipt."""
    if case.status is not S.SUBMITTED:
        return case
    received_on = beijing_date(case.received_at)
    days = get_settings().deemed_acceptance_days
    due = cal.add_working_days(received_on, days)
    if today() <= due:
        return case
    try:
        async with in_transaction():
            decision = await ports.decide_inspection(case=case, actor="system")
            await transition(
                case,
                S.ACCEPTED,
                actor="system",
                action="deemed_accept",
                reason=f"no decision or notice within {days} "
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
        return await fetch(case.case_no)
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
        if (await apply_deemed_acceptance(case, cal)).status is not S.SUBMITTED:
            count += 1
    return count
