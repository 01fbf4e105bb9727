"""Small shared pieces of the statistics: rates, minutes, tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def rate(part: float, whole: float) -> float | None:
    """part / whole rounded to 4 places; None when there is nothing to divide."""
    return round(part / whole, 4) if whole else None


def minutes(seconds: Any) -> float | None:
    return None if seconds is None else round(float(seconds) / 60.0, 1)


@dataclass
class Table:
    """A named table of rows for a page, a chart and the exports."""

    name: str
    columns: list[tuple[str, str]]  # (key, Chinese heading)
    rows: list[dict[str, Any]] = field(default_factory=list)
