"""The aggregate queries behind service statistics, one statement each, grouped by a key.

Every query filters on an indexed date column first (cases.received_at, cases.decided_on,
evaluations.day, the tallies' day) and returns one row per group. Ticket volumes come
from their tallies (``volumes``), waiting and service times from theirs (``times``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from servicedesk.statistics import volumes
from servicedesk.statistics.sql import Sql, day_bounds, dialect, fetch

Rows = dict[Any, dict[str, Any]]


@dataclass(frozen=True)
class Scope:
    """A date range (Beijing days, both included) and optionally one service point."""

    start: date
    end: date
    point_id: int | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Scope:
        """The range of the same length just before."""
        return Scope(
            self.start - timedelta(days=self.days), self.start - timedelta(days=1), self.point_id
        )


def _point(sql: Sql, scope: Scope, column: str = "service_point_id") -> str:
    return f" AND {column} = {sql.p(scope.point_id)}" if scope.point_id is not None else ""


def _keyed(rows: list[dict[str, Any]]) -> Rows:
    return {row.pop("g"): row for row in rows}


# key → (the volume tallies' grain, the group): every ticket counts once under each grain.
TICKET_KEYS = {
    "point": ("hour", "service_point_id"),
    "matter": ("matter", "key_id"),
    "day": ("hour", "day"),
    "hour": ("hour", "key_id"),
}


async def tickets_by(scope: Scope, key: str) -> Rows:
    """Numbers issued (onward rows of transfers not counted again), calls, no-shows and
    services done, from the volume tallies (``volumes``)."""
    sql = Sql(dialect())
    per, group = TICKET_KEYS[key]
    text = (
        f"SELECT {group} AS g, SUM(tickets) AS tickets, SUM(called) AS called,"
        " SUM(no_shows) AS no_shows, SUM(done) AS done"
        f" FROM {volumes.TABLE} WHERE day >= {sql.p(scope.start)} AND day <= {sql.p(scope.end)}"
        f" AND per = {sql.p(per)}{_point(sql, scope)} GROUP BY {group}"
        " HAVING SUM(entries) > 0"
    )
    rows = _keyed(await fetch(sql, text))
    if key == "matter":  # 0: tickets without a matter, or whose matter was removed
        return {(g or None): row for g, row in rows.items()}
    if key == "day":
        return {g if isinstance(g, str) else g.isoformat(): row for g, row in rows.items()}
    return rows


async def cases_by(scope: Scope, key: str) -> Rows:
    """Cases received in the range: accepted, returned with a notice, with a deficiency."""
    sql = Sql(dialect())
    low, high = day_bounds(scope.start, scope.end)
    group = {"point": "service_point_id", "matter": "matter_id", "day": sql.day("received_at")}[key]
    text = (
        f"SELECT {group} AS g, COUNT(*) AS cases, COUNT(accepted_on) AS accepted,"
        " COUNT(CASE WHEN notice_issued THEN 1 END) AS returned,"
        " COUNT(CASE WHEN accepted_deficient THEN 1 END) AS deficient,"
        " COUNT(CASE WHEN status = 'rejected' THEN 1 END) AS rejected"
        f" FROM cases WHERE received_at >= {sql.p(low)} AND received_at < {sql.p(high)}"
        f"{_point(sql, scope)} GROUP BY {group}"
    )
    return _keyed(await fetch(sql, text))


async def decisions_by_point(scope: Scope) -> Rows:
    """Accepted cases decided in the range, and how many within each limit."""
    sql = Sql(dialect())
    text = (
        "SELECT service_point_id AS g, COUNT(*) AS decided,"
        " COUNT(CASE WHEN decided_on <= deadline_on THEN 1 END) AS on_time,"
        " COUNT(CASE WHEN decided_on <= statutory_deadline_on THEN 1 END) AS on_time_statutory"
        f" FROM cases WHERE decided_on >= {sql.p(scope.start)} AND decided_on <= "
        f"{sql.p(scope.end)} AND deadline_on IS NOT NULL AND status <> 'withdrawn'"
        f"{_point(sql, scope)} GROUP BY service_point_id"
    )
    return _keyed(await fetch(sql, text))


EVALUATION_KEYS = {"point": "service_point_id", "window": "window_id", "clerk": "clerk_id"}


async def evaluations_by(scope: Scope, key: str) -> Rows:
    """Ratings given in the range: how many, the top two levels, the bottom two."""
    sql = Sql(dialect())
    group = EVALUATION_KEYS[key]
    text = (
        f"SELECT {group} AS g, COUNT(*) AS evaluations,"
        " COUNT(CASE WHEN level >= 4 THEN 1 END) AS good,"
        " COUNT(CASE WHEN level <= 2 THEN 1 END) AS bad, SUM(level) AS level_sum"
        f" FROM evaluations WHERE day >= {sql.p(scope.start)} AND day <= {sql.p(scope.end)}"
        f"{_point(sql, scope)} GROUP BY {group}"
    )
    return _keyed(await fetch(sql, text))


async def follow_ups_by_point(scope: Scope, *, today: date) -> Rows:
    """Follow-ups of bad ratings given in the range and how they ended."""
    sql = Sql(dialect())
    text = (
        "SELECT service_point_id AS g, COUNT(*) AS opened,"
        " COUNT(CASE WHEN status = 'closed' AND reply_kind = 'rectified' THEN 1 END)"
        " AS rectified,"
        " COUNT(CASE WHEN status = 'closed' AND reply_kind = 'explained' THEN 1 END)"
        " AS explained,"
        f" COUNT(CASE WHEN status <> 'closed' AND due < {sql.p(today)} THEN 1 END) AS overdue,"
        " COUNT(CASE WHEN status = 'closed' AND closed_on > due THEN 1 END) AS closed_late"
        f" FROM follow_ups WHERE opened_on >= {sql.p(scope.start)}"
        f" AND opened_on <= {sql.p(scope.end)}{_point(sql, scope)} GROUP BY service_point_id"
    )
    return _keyed(await fetch(sql, text))


async def waivers(scope: Scope) -> Rows:
    """Inspection decisions taken at acceptance in the range, by outcome."""
    sql = Sql(dialect())
    low, high = day_bounds(scope.start, scope.end)
    text = (
        "SELECT w.inspection AS g, COUNT(*) AS n FROM waiver_decisions w"
        " JOIN cases c ON c.case_no = w.case_no"
        f" WHERE w.decided_at >= {sql.p(low)} AND w.decided_at < {sql.p(high)}"
        f"{_point(sql, scope, 'c.service_point_id')} GROUP BY w.inspection"
    )
    return _keyed(await fetch(sql, text))


async def spot_checks(scope: Scope) -> Rows:
    """Spot checks drawn in the range, by result (open while not yet inspected)."""
    sql = Sql(dialect())
    low, high = day_bounds(scope.start, scope.end)
    text = (
        "SELECT COALESCE(s.outcome, 'open') AS g, COUNT(*) AS n FROM spot_checks s"
        " JOIN cases c ON c.case_no = s.case_no"
        f" WHERE s.drawn_at >= {sql.p(low)} AND s.drawn_at < {sql.p(high)}"
        f"{_point(sql, scope, 'c.service_point_id')} GROUP BY COALESCE(s.outcome, 'open')"
    )
    return _keyed(await fetch(sql, text))
