"""The demo seeds at any hour of the day."""

from __future__ import annotations

from datetime import date

import pytest

from servicedesk.queue.models import Ticket
from servicedesk.seed.demo import seed_demo
from servicedesk.timeutil import beijing, frozen


@pytest.mark.usefixtures("db")
async def test_the_demo_seeds_just_after_midnight() -> None:
    """The morning's tickets are the last two hours' but never yesterday's: at 00:05 in
    Beijing some used to fall on the previous day, which the month of history numbers
    from 001 again, and `make run` failed on a unique key until 02:00."""
    with frozen(beijing(2026, 12, 8, 0, 5)):
        assert await seed_demo()
    morning = await Ticket.filter(kiosk_id__isnull=False).values_list("day", flat=True)
    assert morning
    assert set(morning) == {date(2026, 12, 8)}
    assert await Ticket.filter(day=date(2026, 12, 7)).exists()  # the history's last day
