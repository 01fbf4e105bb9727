"""Indicators the service derives from its own records, never uploaded.

Each derived indicator is one provider: an async function of the incubator and the
span of a period (a year, or the four quarters that end with a quarter) that answers
the value with what it was computed from, or ``value=None`` when the records hold
nothing to compute it from: missing, never zero. Providers of domains above this one
(spot checks, service evaluations) are plugged in with :func:`install` by the
composition root; an indicator with no provider is missing.
"""

from __future__ import annotations

import calendar
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta

from credit.incubator import INDICATORS
from servicedesk.incubators import periods
from servicedesk.incubators.indicators import set_derived
from servicedesk.incubators.models import (
    CreditEvent,
    Incubation,
    Incubator,
    IndicatorReport,
    IndicatorValue,
)
from servicedesk.timeutil import beijing_date, today

DERIVED = tuple(i.name for i in INDICATORS if i.source == "derived")
REPORT_DUE_DAYS = 15
"""A quarter's report is due by the 15th day after the quarter ends."""


@dataclass(frozen=True)
class Span:
    """What a period's derived indicators look at: a year, or four quarters up to one."""

    period: str
    start: date
    end: date
    quarters: tuple[str, ...]


@dataclass(frozen=True)
class Derived:
    value: float | None
    detail: str


Provider = Callable[[Incubator, Span], Awaitable[Derived]]


def span(period: str) -> Span:
    year, quarter, annual = periods.sort_key(periods.check(period))
    if annual:
        quarters = tuple(f"{year}-Q{q}" for q in range(1, 5))
    else:
        quarters = (*periods.quarters_before(period, 3), period)
    first_year, first_q, _ = periods.sort_key(quarters[0])
    start = date(first_year, 3 * first_q - 2, 1)
    month = 3 * quarter
    end = date(year, month, calendar.monthrange(year, month)[1])
    return Span(period=period, start=start, end=end, quarters=quarters)


def quarter_end(quarter: str) -> date:
    year, q, _ = periods.sort_key(quarter)
    return date(year, 3 * q, calendar.monthrange(year, 3 * q)[1])


def report_due(quarter: str) -> date:
    return quarter_end(quarter) + timedelta(days=REPORT_DUE_DAYS)


async def graduation_rate(incubator: Incubator, s: Span) -> Derived:
    rows = await Incubation.filter(incubator=incubator, since__lte=s.end)
    hosted = [
        r
        for r in rows
        if (r.left_on is None or r.left_on >= s.start)
        and (r.graduated_on is None or r.graduated_on >= s.start)
    ]
    graduated = [r for r in hosted if r.graduated_on and s.start <= r.graduated_on <= s.end]
    if not hosted:
        return Derived(None, f"no firms registered between {s.start} and {s.end}")
    value = round(100.0 * len(graduated) / len(hosted), 1)
    return Derived(
        value, f"{len(graduated)} of {len(hosted)} firms hosted graduated, {s.start}–{s.end}"
    )


async def _count(incubator: Incubator, s: Span, kind: str) -> Derived:
    count = await CreditEvent.filter(
        incubator=incubator, kind=kind, period__in=list(s.quarters)
    ).count()
    return Derived(float(count), f"{count} {kind.replace('_', ' ')} record(s), {s.start}–{s.end}")


async def violations(incubator: Incubator, s: Span) -> Derived:
    return await _count(incubator, s, "violation")


async def false_reports(incubator: Incubator, s: Span) -> Derived:
    return await _count(incubator, s, "false_report")


async def report_timeliness(incubator: Incubator, s: Span) -> Derived:
    """Share of the span's quarterly reports that came in by their due date, counted from
    the incubator's first report; a quarter past due without a report counts as late."""
    reports = {r.period: r for r in await IndicatorReport.filter(incubator=incubator)}
    quarterly = [p for p in reports if "-Q" in p]
    if not quarterly:
        return Derived(None, "no quarterly report received yet")
    first = min(quarterly, key=periods.sort_key)
    due = [
        q
        for q in s.quarters
        if periods.sort_key(q) >= periods.sort_key(first)
        and (q in reports or report_due(q) < today())
    ]
    if not due:
        return Derived(None, "no report due in the period yet")
    on_time = [
        q for q in due if q in reports and beijing_date(reports[q].submitted_at) <= report_due(q)
    ]
    value = round(100.0 * len(on_time) / len(due), 1)
    return Derived(
        value, f"{len(on_time)} of {len(due)} quarterly reports by the 15th day after the quarter"
    )


NO_PROVIDER = {"window_satisfaction": "no service evaluations yet"}


_providers: dict[str, Provider] = {
    "graduation_rate": graduation_rate,
    "violations": violations,
    "false_reports": false_reports,
    "report_timeliness": report_timeliness,
}


def install(name: str, provider: Provider) -> None:
    """Plug in the provider of a derived indicator (spot checks, evaluations, …)."""
    if name not in DERIVED:
        raise ValueError(f"{name!r} is not a derived indicator: {', '.join(DERIVED)}")
    _providers[name] = provider


async def compute(incubator: Incubator, period: str) -> dict[str, Derived]:
    """Every derived indicator for ``period``; those without a provider are missing."""
    s = span(period)
    out: dict[str, Derived] = {}
    for name in DERIVED:
        provider = _providers.get(name)
        default = Derived(None, NO_PROVIDER.get(name, "no records to derive it from yet"))
        out[name] = await provider(incubator, s) if provider else default
    return out


async def refresh(incubators: list[Incubator], period: str) -> None:
    """Store the derived values of ``period`` (missing ones are not stored: no zeros)."""
    for incubator in incubators:
        for name, item in (await compute(incubator, period)).items():
            if item.value is not None:
                await set_derived(incubator, period, name, item.value)


async def reported(incubator: Incubator, period: str) -> dict[str, IndicatorValue]:
    return {
        v.name: v
        for v in await IndicatorValue.filter(incubator=incubator, period=period, source="reported")
    }


@dataclass(frozen=True)
class IndicatorItem:
    name: str
    value: float | None
    source: str  # reported / derived
    detail: str


async def period_view(incubator: Incubator, period: str) -> list[IndicatorItem]:
    """Every indicator of ``period``: reported ones as reported (or missing), derived
    ones computed now with what they come from."""
    got = await reported(incubator, period)
    computed = await compute(incubator, period)
    items = []
    for indicator in INDICATORS:
        if indicator.source == "derived":
            d = computed[indicator.name]
            items.append(IndicatorItem(indicator.name, d.value, "derived", d.detail))
            continue
        row = got.get(indicator.name)
        detail = (
            f"reported by {row.recorded_by} on {beijing_date(row.recorded_at)}"
            if row
            else f"not reported for {period}"
        )
        items.append(IndicatorItem(indicator.name, row.value if row else None, "reported", detail))
    return items
