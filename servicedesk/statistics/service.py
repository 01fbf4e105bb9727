"""Service statistics for officials (every point) and supervisors (their own point).

The figures of DESIGN §6.1 (``summary``) and the breakdowns of the statistics page:
volumes by point, matter, day and hour; waiting and service times per point, window and
clerk; case rates; satisfaction and rectification; waivers and spot checks; and the
same summary for the period just before, for comparison.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from servicedesk.accounts.models import User
from servicedesk.accounts.service import Principal
from servicedesk.catalogue.models import Matter, ServicePoint, Window
from servicedesk.errors import Forbidden, InvalidInput, NotFound
from servicedesk.statistics import queries, tables, times
from servicedesk.statistics.figures import Table, minutes, rate
from servicedesk.statistics.queries import Rows, Scope
from servicedesk.timeutil import today

DEFAULT_DAYS = 30
MAX_DAYS = 731


def _total(rows: Rows, name: str) -> int:
    return int(sum(int(r.get(name) or 0) for r in rows.values()))


# ---------------------------------------------------------------- who sees what


async def scope_for(
    principal: Principal,
    *,
    start: date | None,
    end: date | None,
    service_point: str | None,
) -> tuple[Scope, ServicePoint | None]:
    """The range (default: the last 30 days) and the point the principal may see."""
    end = end or today()
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise InvalidInput("from must not be after to", extra={"field": "from"})
    if (end - start).days >= MAX_DAYS:
        raise InvalidInput(f"at most {MAX_DAYS} days at once", extra={"field": "from"})
    point = None
    if service_point:
        point = await ServicePoint.get_or_none(code=service_point)
        if point is None:
            raise NotFound(f"service point {service_point!r} does not exist")
    if principal.role == "supervisor":
        own = principal.service_point_id
        if point is not None and point.id != own:
            raise Forbidden("a supervisor sees the statistics of their own service point")
        point = await ServicePoint.get(id=own)
    elif principal.role not in {"official", "admin"}:
        raise Forbidden("statistics are for officials and supervisors")
    return Scope(start, end, point.id if point else None), point


# ---------------------------------------------------------------- the §6.1 figures


async def summary(scope: Scope) -> dict[str, Any]:
    """The contract's figures for one range: volumes, timeliness, waits, satisfaction."""
    tickets, spent, cases, decided, rated, follow = await asyncio.gather(
        queries.tickets_by(scope, "point"),
        times.times_by(scope, "all"),
        queries.cases_by(scope, "point"),
        queries.decisions_by_point(scope),
        queries.evaluations_by(scope, "point"),
        queries.follow_ups_by_point(scope, today=today()),
    )
    overall = spent.get(0, {})
    opened, explained = _total(follow, "opened"), _total(follow, "explained")
    return {
        "tickets": _total(tickets, "tickets"),
        "cases": _total(cases, "cases"),
        "on_time_rate": rate(_total(decided, "on_time"), _total(decided, "decided")),
        "on_time_statutory_rate": rate(
            _total(decided, "on_time_statutory"), _total(decided, "decided")
        ),
        "wait_minutes_p50": minutes(overall.get("wait_s_p50")),
        "wait_minutes_p90": minutes(overall.get("wait_s_p90")),
        "service_minutes_p50": minutes(overall.get("service_s_p50")),
        "service_minutes_p90": minutes(overall.get("service_s_p90")),
        "no_show_rate": rate(_total(tickets, "no_shows"), _total(tickets, "called")),
        "acceptance_rate": rate(_total(cases, "accepted"), _total(cases, "cases")),
        "return_rate": rate(_total(cases, "returned"), _total(cases, "cases")),
        "deficiency_rate": rate(_total(cases, "deficient"), _total(cases, "accepted")),
        "satisfaction_rate": rate(_total(rated, "good"), _total(rated, "evaluations")),
        "evaluations": _total(rated, "evaluations"),
        "bad_ratings": _total(rated, "bad"),
        "rectification_rate": rate(_total(follow, "rectified"), opened - explained),
        "follow_ups_overdue": _total(follow, "overdue"),
    }


# ---------------------------------------------------------------- the page's breakdowns


@dataclass
class ServiceStatistics:
    scope: Scope
    point: ServicePoint | None
    summary: dict[str, Any]
    previous: dict[str, Any]
    tables: dict[str, Table]


async def _labels(lang: str = "zh") -> dict[str, dict[Any, str]]:
    points = {p.id: p.code for p in await ServicePoint.all().only("id", "code")}
    matters = await Matter.all().only("id", "name", "name_en")
    return {
        "point": points,
        "matter": {m.id: (m.name_en if lang == "en" and m.name_en else m.name) for m in matters},
        "window": {w.id: w.code for w in await Window.all().only("id", "code")},
        "clerk": {
            u.id: u.display_name or u.username
            for u in await User.filter(service_point_id__isnull=False).only(
                "id", "display_name", "username"
            )
        },
    }


async def details(
    scope: Scope, point: ServicePoint | None, *, lang: str = "zh"
) -> ServiceStatistics:
    """Everything the statistics page shows, this range and the one before; matters
    named in ``lang``."""
    current, previous, labels = await asyncio.gather(
        summary(scope), summary(scope.previous()), _labels(lang)
    )
    return ServiceStatistics(
        scope=scope,
        point=point,
        summary=current,
        previous=previous,
        tables=await tables.build(scope, labels),
    )
