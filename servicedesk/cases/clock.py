"""The working-day clock of a case: deadline, elapsed share, red/yellow warning, pauses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from servicedesk import timeutil
from servicedesk.calendar.service import WorkCalendar
from servicedesk.cases.models import Case, ClockPause


@dataclass(frozen=True)
class ClockView:
    deadline: date | None
    elapsed_days: int
    paused: bool
    warning: str  # none / yellow / red


def paused_days(pauses: Sequence[ClockPause], cal: WorkCalendar, *, until: date) -> int:
    """Working days the firm owed a correction or supplement, up to ``until``.

    Pauses may overlap (a correction asked while a supplement is owed); each
    working day counts once.
    """
    days: set[date] = set()
    for pause in pauses:
        day, end = pause.start_on, min(pause.end_on or until, until)
        while day < end:
            day += timedelta(days=1)
            if cal.is_working(day):
                days.add(day)
    return len(days)


def clock(
    *,
    accepted_on: date | None,
    promised_days: int,
    pauses: Sequence[ClockPause],
    cal: WorkCalendar,
    today: date,
    stopped_on: date | None = None,
    warning_share: float = 0.8,
) -> ClockView:
    """The clock starts the day after acceptance and skips every paused working day.

    While a pause is open the deadline moves one working day later for each working
    day the firm still owes; once the case is decided (``stopped_on``) it stands still.
    """
    if accepted_on is None:
        return ClockView(deadline=None, elapsed_days=0, paused=False, warning="none")
    until = stopped_on or today
    paused = paused_days(pauses, cal, until=until)
    deadline = cal.add_working_days(accepted_on, promised_days + paused)
    elapsed = cal.working_days_between(accepted_on, until) - paused
    is_paused = stopped_on is None and any(p.end_on is None for p in pauses)
    if stopped_on is not None:
        warning = "none"
    elif today > deadline:
        warning = "red"
    elif promised_days and elapsed >= warning_share * promised_days:
        warning = "yellow"
    else:
        warning = "none"
    return ClockView(
        deadline=deadline, elapsed_days=max(elapsed, 0), paused=is_paused, warning=warning
    )


async def deadlines_at(case: Case, cal: WorkCalendar, *, on: date) -> tuple[date, date]:
    """The promised and statutory deadlines of an accepted case as they stand ``on``
    (each moved on by the working days the firm owed something)."""
    assert case.accepted_on is not None
    pauses = await ClockPause.filter(case=case)
    paused = paused_days(pauses, cal, until=on)
    return (
        cal.add_working_days(case.accepted_on, case.matter.promised_days + paused),
        cal.add_working_days(case.accepted_on, case.matter.statutory_days + paused),
    )


async def open_pause(case: Case, reason: str) -> None:
    await ClockPause.create(case=case, reason=reason, start_on=timeutil.today())


async def close_pauses(case: Case, reason: str | None = None) -> None:
    """End the open pauses (only those for ``reason`` if given) as of today."""
    query = ClockPause.filter(case=case, end_on__isnull=True)
    if reason:
        query = query.filter(reason=reason)
    await query.update(end_on=timeutil.today())
