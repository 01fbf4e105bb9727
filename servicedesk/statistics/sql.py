"""Hand-written aggregate SQL for both databases: parameters, times, percentiles.

Statistics are aggregates the database computes over an indexed date range; Python
only combines the few rows that come back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tortoise import connections

from servicedesk.timeutil import BEIJING


@dataclass
class Sql:
    """A statement under construction: placeholders in the dialect's style."""

    dialect: str
    params: list[Any] = field(default_factory=list)

    def p(self, value: Any) -> str:
        """A placeholder for ``value``, converted as the ORM stores it."""
        self.params.append(self._stored(value))
        return f"${len(self.params)}" if self.dialect == "postgres" else "?"

    def _stored(self, value: Any) -> Any:
        if self.dialect == "postgres":
            return value
        if isinstance(value, datetime):  # Tortoise keeps UTC ISO text on SQLite
            return value.astimezone(UTC).isoformat(sep=" ")
        if isinstance(value, date):
            return value.isoformat()
        return value

    def seconds(self, later: str, earlier: str) -> str:
        """Whole seconds from ``earlier`` to ``later`` (rounded)."""
        if self.dialect == "postgres":  # date_part is double precision: faster than numeric
            return f"CAST(ROUND(date_part('epoch', {later} - {earlier})) AS INTEGER)"
        return f"CAST(ROUND((julianday({later}) - julianday({earlier})) * 86400.0) AS INTEGER)"

    def hour(self, column: str) -> str:
        """The Beijing hour of day of an instant (UTC+8: China keeps no summer time)."""
        if self.dialect == "postgres":  # arithmetic, not a time-zone lookup per row
            epoch = f"CAST(FLOOR(date_part('epoch', {column})) AS BIGINT)"
            return f"CAST((({epoch} + 28800) % 86400) / 3600 AS INTEGER)"
        return f"CAST(strftime('%H', {column}, '+8 hours') AS INTEGER)"  # no DST in China

    def day(self, column: str) -> str:
        """The Beijing date of an instant, as ISO text."""
        if self.dialect == "postgres":
            return f"to_char({column} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')"
        return f"date({column}, '+8 hours')"


def dialect() -> str:
    return str(connections.get("default").capabilities.dialect)


async def fetch(sql: Sql, text: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await connections.get("default").execute_query_dict(
        text, sql.params
    )
    return rows


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The instants at which Beijing day ``start`` begins and the day after ``end`` begins."""
    low = datetime.combine(start, time(0), tzinfo=BEIJING)
    return low, datetime.combine(end + timedelta(days=1), time(0), tzinfo=BEIJING)


def percentiles(sql: Sql, source: str, *, columns: tuple[str, ...]) -> str:
    """Per group ``g`` of ``source`` (columns g and each of ``columns``, NULL where a row
    does not count): the count and the nearest-rank 50th and 90th percentile of each.

    Nearest rank: the smallest value with at least p of the values at or below it
    (PostgreSQL's ``percentile_disc``, numpy's ``inverted_cdf``). SQLite has no
    percentile aggregate, so there the ranks come from window functions.
    """
    if sql.dialect == "postgres":
        parts = [
            f"COUNT({c}) AS {c}_n, "
            f"percentile_disc(0.5) WITHIN GROUP (ORDER BY {c}) AS {c}_p50, "
            f"percentile_disc(0.9) WITHIN GROUP (ORDER BY {c}) AS {c}_p90"
            for c in columns
        ]
        return f"SELECT g, {', '.join(parts)} FROM ({source}) src GROUP BY g"
    ranks = ", ".join(
        f"{c}, ROW_NUMBER() OVER (PARTITION BY g ORDER BY {c} IS NULL, {c}) AS {c}_rn, "
        f"COUNT({c}) OVER (PARTITION BY g) AS {c}_n"
        for c in columns
    )
    picks = ", ".join(
        f"MAX({c}_n) AS {c}_n, "
        f"MIN(CASE WHEN {c} IS NOT NULL AND 2 * {c}_rn >= {c}_n THEN {c} END) AS {c}_p50, "
        f"MIN(CASE WHEN {c} IS NOT NULL AND 10 * {c}_rn >= 9 * {c}_n THEN {c} END) AS {c}_p90"
        for c in columns
    )
    return f"SELECT g, {picks} FROM (SELECT g, {ranks} FROM ({source}) src) r GROUP BY g"
