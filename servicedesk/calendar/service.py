"""Working days: the State Council schedule (``holidays.China``) plus local overrides.

A period of N working days follows the rule for legal periods: the day it starts
is not counted, and the deadline is the N-th working day after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import holidays

from servicedesk.calendar.models import WorkdayOverride

_CHINA = holidays.country_holidays("CN")


@dataclass(frozen=True)
class WorkCalendar:
    overrides: dict[date, bool] = field(default_factory=dict)

    def is_working(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        # Looking the day up loads its year, make-up working weekends included;
        # it must happen before weekend_workdays is consulted.
        holiday = day in _CHINA
        if day in _CHINA.weekend_workdays:
            return True
        return day.weekday() < 5 and not holiday

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself not counted)."""
        current = start
        remaining = days
        while remaining > 0:
            current += timedelta(days=1)
            if self.is_working(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in the half-open span (start, end]; 0 when end <= start."""
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            count += self.is_working(current)
        return count


async def load_calendar() -> WorkCalendar:
    rows = await WorkdayOverride.all().values_list("day", "is_working")
    return WorkCalendar(overrides={day: bool(working) for day, working in rows})
