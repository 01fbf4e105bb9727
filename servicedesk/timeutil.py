"""The service's notion of "now", in UTC and in Beijing time.

Tests freeze time through :func:`frozen`; everything else calls :func:`now`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
_frozen: ContextVar[datetime | None] = ContextVar("servicedesk_frozen_now", default=None)


def now() -> datetime:
    """The current instant, timezone-aware (UTC)."""
    frozen = _frozen.get()
    if frozen is not None:
        return frozen
    return datetime.now(UTC)


def beijing_date(moment: datetime | None = None) -> date:
    """The calendar date in Beijing of ``moment`` (default: now)."""
    return (moment or now()).astimezone(BEIJING).date()


def today() -> date:
    return beijing_date()


@contextlib.contextmanager
def frozen(moment: datetime) -> Iterator[None]:
    """Freeze :func:`now` at ``moment`` within the block (and tasks it starts)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    token = _frozen.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _frozen.reset(token)


def beijing(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A Beijing wall-clock instant; handy in tests and seeds."""
    return datetime(year, month, day, hour, minute, tzinfo=BEIJING)
