from __future__ import annotations

from datetime import date

import pytest

from servicedesk.calendar.models import WorkdayOverride
from servicedesk.calendar.service import WorkCalendar, load_calendar

CAL = WorkCalendar()


def test_national_day_2026_is_off_and_make_up_saturday_works() -> None:
    assert not any(CAL.is_working(date(2026, 10, d)) for d in range(1, 8))
    assert CAL.is_working(date(2026, 10, 10))  # Saturday, make-up working day
    assert CAL.is_working(date(2026, 9, 20))  # Sunday, make-up working day
    assert not CAL.is_working(date(2026, 10, 11))


def test_period_across_national_day_counts_the_make_up_saturday() -> None:
    # Start day not counted: Sep 30, Oct 8, Oct 9, Oct 10 (Sat, make-up), Oct 12.
    assert CAL.add_working_days(date(2026, 9, 29), 5) == date(2026, 10, 12)
    assert CAL.add_working_days(date(2026, 9, 29), 4) == date(2026, 10, 10)


def test_start_day_is_not_counted() -> None:
    assert CAL.add_working_days(date(2026, 11, 2), 1) == date(2026, 11, 3)
    assert CAL.add_working_days(date(2026, 11, 6), 1) == date(2026, 11, 9)  # Fri → Mon


def test_working_days_between_is_half_open() -> None:
    assert CAL.working_days_between(date(2026, 11, 2), date(2026, 11, 2)) == 0
    assert CAL.working_days_between(date(2026, 11, 2), date(2026, 11, 9)) == 5
    assert CAL.working_days_between(date(2026, 9, 29), date(2026, 10, 12)) == 5


@pytest.mark.usefixtures("db")
async def test_local_override_beats_the_package() -> None:
    await WorkdayOverride.create(day=date(2026, 11, 9), is_working=False, note="local closure")
    await WorkdayOverride.create(day=date(2026, 11, 14), is_working=True, note="make-up")
    cal = await load_calendar()
    assert not cal.is_working(date(2026, 11, 9))
    assert cal.is_working(date(2026, 11, 14))
    assert cal.add_working_days(date(2026, 11, 6), 1) == date(2026, 11, 10)


def test_a_fresh_process_knows_the_make_up_saturday() -> None:
    """The package loads a year lazily; a weekend must not be judged before it is."""
    import subprocess
    import sys

    code = (
        "from datetime import date\n"
        "from servicedesk.calendar.service import WorkCalendar\n"
        "print(WorkCalendar().add_working_days(date(2026, 10, 9), 1))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "2026-10-10"
