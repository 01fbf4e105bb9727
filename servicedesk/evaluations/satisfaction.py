"""Window satisfaction: the credit indicator an incubator's service windows earn.

The share (in %) of ratings at the top two levels among all ratings given at the
incubator's service points in the period. With fewer ratings than
``SERVICEDESK_SATISFACTION_MIN_RATINGS`` it is missing (None), never zero: a quiet
window is not a bad one.
"""

from __future__ import annotations

from datetime import date

from tortoise.functions import Count

from servicedesk.catalogue.models import ServicePoint
from servicedesk.evaluations.levels import GOOD_LEVELS
from servicedesk.evaluations.models import Evaluation
from servicedesk.incubators import periods
from servicedesk.incubators.derived import Derived, Span
from servicedesk.incubators.models import Incubator
from servicedesk.settings import get_settings

INDICATOR = "window_satisfaction"


def period_days(period: str) -> tuple[date, date]:
    """First and last day of a year ("2026") or a quarter ("2026-Q3")."""
    year, quarter, annual = periods.sort_key(periods.check(period))
    if annual:
        return date(year, 1, 1), date(year, 12, 31)
    first = date(year, 3 * quarter - 2, 1)
    last = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, date.fromordinal(last.toordinal() - 1)


async def window_satisfaction(incubator: Incubator, period: str) -> float | None:
    """The incubator's window satisfaction in ``period`` (0–100), or None when its
    points were rated fewer times than the threshold."""
    points = await ServicePoint.filter(incubator_code=incubator.code).values_list("id", flat=True)
    if not points:
        return None
    first, last = period_days(period)
    rows = (
        await Evaluation.filter(service_point_id__in=list(points), day__gte=first, day__lte=last)
        .annotate(n=Count("id"))
        .group_by("level")
        .values("level", "n")
    )
    total = sum(int(r["n"]) for r in rows)
    if total == 0 or total < get_settings().satisfaction_min_ratings:
        return None
    good = sum(int(r["n"]) for r in rows if r["level"] in GOOD_LEVELS)
    return round(100.0 * good / total, 1)


async def provider(incubator: Incubator, span: Span) -> Derived:
    """Window satisfaction as a derived indicator of the credit rating (installed by
    servicedesk.wiring): missing, not zero, below the threshold of ratings."""
    value = await window_satisfaction(incubator, span.period)
    detail = (
        "share of 满意 and 非常满意 among the ratings at its service points"
        if value is not None
        else "too few ratings at its service points"
    )
    return Derived(value=value, detail=detail)
