"""Deficiency deadlines and the list of cases running late.

When ``supplement_due`` passes and the firm still owes materials promised at an
acceptance with deficiency, the pause ends on that day (the clock runs again from
the next working day), the case is marked "supplement overdue" with an event on its
timeline, and its clerk may then either deny it with a reason or grant ONE extension
that ends no later than the promised deadline. Like deemed acceptance, this is
applied whenever a case is read or listed: no scheduler is needed for correctness.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise.transactions import in_transaction

from servicedesk.accounts.service import Principal
from servicedesk.calendar.service import WorkCalendar, load_calendar
from servicedesk.cases.machine import DECIDED, S, transition
from servicedesk.cases.models import Case, ClockPause
from servicedesk.errors import Conflict, InvalidInput
from servicedesk.timeutil import today

OWING = (S.ACCEPTED_WITH_DEFICIENCY, S.UNDER_REVIEW, S.RETURNED)
KINDS = ("red", "yellow", "supplement")


async def apply_supplement_overdue(case: Case) -> Case:
    """End the supplement pause on ``supplement_due`` once it has passed unanswered."""
    due = case.supplement_due
    if case.supplement_overdue or not case.owed_materials or due is None or due >= today():
        return case
    try:
        async with in_transaction():
            await ClockPause.filter(case=case, reason="supplement", end_on__isnull=True).update(
                end_on=due
            )
            await transition(
                case,
                case.status,
                actor="system",
                action="supplement_overdue",
                reason=f"the materials promised by {due} did not arrive: "
                f"{', '.join(case.owed_materials)}; the clock runs again from {due}",
                changes={"supplement_overdue": True},
            )
    except Conflict:  # another request marked it first
        return await Case.get(id=case.id).prefetch_related(
            "matter__materials", "service_point", "firm"
        )
    return case


async def sweep(*, point_id: int | None = None) -> int:
    """Mark every case whose supplement is overdue; returns how many were marked."""
    query = Case.filter(
        supplement_overdue=False, supplement_due__lt=today(), status__in=list(OWING)
    )
    if point_id is not None:
        query = query.filter(service_point_id=point_id)
    count = 0
    for case in await query.prefetch_related("matter__materials", "service_point", "firm"):
        if case.owed_materials:
            await apply_supplement_overdue(case)
            count += 1
    return count


def check_extension(case: Case, *, new_due: date, promised_deadline: date) -> None:
    """One extension, only once the supplement is overdue, within the promised limit."""
    if not case.supplement_overdue:
        raise Conflict("the supplement is not overdue; nothing to extend")
    if case.supplement_extended:
        raise Conflict("the supplement deadline was extended once already; deny or wait")
    if not today() < new_due <= promised_deadline:
        raise InvalidInput(
            f"supplement_due must lie after today and no later than the promised deadline "
            f"{promised_deadline}",
            extra={"field": "supplement_due"},
        )


@dataclass(frozen=True)
class Filters:
    service_point: str | None = None
    matter: str | None = None
    kind: str | None = None  # red / yellow / supplement

    def check(self) -> None:
        if self.kind and self.kind not in KINDS:
            raise InvalidInput(f"kind must be one of {', '.join(KINDS)}", extra={"field": "kind"})


async def candidates(filters: Filters, principal: Principal | None = None) -> list[Case]:
    """Open accepted cases (of the filters' point and matter), for the overdue list."""
    filters.check()
    await sweep()
    query = Case.filter(accepted_on__isnull=False).exclude(status__in=list(DECIDED))
    if filters.service_point:
        query = query.filter(service_point__code=filters.service_point)
    if filters.matter:
        query = query.filter(matter__code=filters.matter)
    if principal is not None and principal.role not in {"official", "admin"}:
        # everyone but officials sees their own point only (a clerk, a supervisor)
        query = query.filter(service_point_id=principal.service_point_id)
    return await query.prefetch_related("matter__materials", "service_point", "firm").order_by(
        "accepted_on"
    )


async def calendar() -> WorkCalendar:
    return await load_calendar()
