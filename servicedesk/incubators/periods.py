"""Rating and reporting periods: a year ("2026") or a quarter ("2026-Q3")."""

from __future__ import annotations

import re
from datetime import date

from servicedesk.errors import InvalidInput
from servicedesk.timeutil import today

_PATTERN = re.compile(r"^(\d{4})(?:-Q([1-4]))?$")


FIRST_YEAR = 2000  # no incubator data in this service predates it


def check(period: str, *, field: str = "period") -> str:
    """The period itself, or :class:`InvalidInput` saying what a period looks like.

    Only real periods pass: a year from 2000 to next year, a quarter of such a year.
    """
    text = (period or "").strip()
    match = _PATTERN.match(text)
    if not match:
        raise InvalidInput(
            f"{field}: {period[:20]!r} is not a period; write a year (2026) or a quarter (2026-Q3)",
            extra={"field": field},
        )
    last = today().year + 1
    if not FIRST_YEAR <= int(match.group(1)) <= last:
        raise InvalidInput(
            f"{field}: {text} is not a year this service knows ({FIRST_YEAR} to {last})",
            extra={"field": field},
        )
    return text


def sort_key(period: str) -> tuple[int, int, int]:
    """Chronological order by end of period; a year sorts just after its fourth quarter."""
    match = _PATTERN.match(period)
    if match is None:
        raise InvalidInput(f"{period!r} is not a period")
    year, quarter = int(match.group(1)), match.group(2)
    return (year, int(quarter), 0) if quarter else (year, 4, 1)


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def previous_quarter(period: str) -> str:
    year, quarter, _ = sort_key(period)
    return f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}"


def next_period(period: str) -> str:
    year, quarter, annual = sort_key(period)
    if annual:
        return str(year + 1)
    return f"{year + 1}-Q1" if quarter == 4 else f"{year}-Q{quarter + 1}"


def quarters_before(period: str, count: int) -> list[str]:
    """The ``count`` quarters that end before ``period`` begins, oldest first."""
    out: list[str] = []
    current = period
    for _ in range(count):
        current = previous_quarter(current)
        out.append(current)
    return out[::-1]


def contains(period: str, day: date) -> bool:
    year, quarter, annual = sort_key(period)
    if annual:
        return day.year == year
    return quarter_of(day) == period
