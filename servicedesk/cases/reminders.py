"""Reminders the worker's clock sends about cases: materials owed falling due, and a
case past its promised time limit. Each is keyed by its due date, so it goes once."""

from __future__ import annotations

from servicedesk.calendar.service import load_calendar
from servicedesk.cases import messages
from servicedesk.cases.machine import S
from servicedesk.cases.models import Case
from servicedesk.cases.service import view
from servicedesk.notifications.contacts import consenting, firm_holder
from servicedesk.settings import get_settings
from servicedesk.timeutil import today

CLOCK_RUNNING = (S.ACCEPTED, S.ACCEPTED_WITH_DEFICIENCY, S.UNDER_REVIEW)
RELATED = ("matter__materials", "service_point", "firm")


async def _with_consent(cases: list[Case]) -> list[Case]:
    holders = await consenting([firm_holder(c.firm.uscc) for c in cases])
    return [c for c in cases if firm_holder(c.firm.uscc) in holders]


async def supplement_due() -> int:
    """Materials promised at an acceptance with deficiency, due within the next
    ``notify_supplement_days`` working days; how many cases were reminded."""
    cal = await load_calendar()
    first, last = today(), cal.add_working_days(today(), get_settings().notify_supplement_days)
    cases = await Case.filter(
        status__in=CLOCK_RUNNING, supplement_due__gte=first, supplement_due__lte=last
    ).prefetch_related(*RELATED)
    count = 0
    for case in await _with_consent([c for c in cases if c.owed_materials]):
        assert case.supplement_due is not None  # filtered above
        await messages.send(
            case,
            "supplement_due",
            event_key=f"case:{case.case_no}:supplement_due:{case.supplement_due}",
            params={
                "owed": await messages.material_names(case, list(case.owed_materials)),
                "due": case.supplement_due.isoformat(),
            },
        )
        count += 1
    return count


async def overdue() -> int:
    """Cases past their promised deadline (red), once per deadline; how many."""
    cal = await load_calendar()
    cases = await Case.filter(status__in=CLOCK_RUNNING).prefetch_related(*RELATED)
    count = 0
    for case in await _with_consent(cases):
        clock = (await view(case, cal, timeline=False)).clock
        if clock.warning != "red" or clock.deadline is None:
            continue
        await messages.send(
            case,
            "overdue",
            event_key=f"case:{case.case_no}:overdue:{clock.deadline}",
            params={"deadline": clock.deadline.isoformat()},
        )
        count += 1
    return count
