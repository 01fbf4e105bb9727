"""Waiting and service times, count and nearest-rank 50th and 90th percentiles, read from
the per-day tallies (``tallies``) rather than from every ticket.

Times are counted in whole minutes (seconds rounded to the nearest minute, half up): the
tallies' resolution. A percentile is the nearest rank, the smallest minute with at
least p of the times at or below it; as rounding to minutes keeps the order, it is the
rounded nearest-rank second. One falling in the tallies' last bucket (90 minutes or
more) is read from the tickets themselves, so long times stay exact.
"""

from __future__ import annotations

from typing import Any

from servicedesk.statistics.models import BUCKETS, CAP_MINUTES
from servicedesk.statistics.queries import Rows, Scope
from servicedesk.statistics.sql import Sql, dialect, fetch, percentiles
from servicedesk.statistics.tallies import TABLE, seconds

# key → (the tallies' grain, the group)
TIME_KEYS = {
    "all": ("window", "0"),
    "point": ("window", "service_point_id"),
    "window": ("window", "key_id"),
    "clerk": ("clerk", "key_id"),
}
RANKS = {"p50": (1, 2), "p90": (9, 10)}  # p as a fraction num / den
KINDS = ("wait", "service")


def nearest_rank(counts: list[int], *, num: int, den: int) -> int | None:
    """The first bucket at which at least num/den of the counted times lie."""
    total = sum(counts)
    if total <= 0:
        return None
    running = 0
    for m, count in enumerate(counts):
        running += count
        if den * running >= num * total:
            return m
    return None


def _point(sql: Sql, scope: Scope) -> str:
    return f" AND service_point_id = {sql.p(scope.point_id)}" if scope.point_id is not None else ""


def minute_seconds(s: Any) -> int | None:
    """Whole seconds as the seconds of their whole minute (rounded half up)."""
    return None if s is None else (max(int(s), 0) + 30) // 60 * 60


async def times_by(scope: Scope, key: str) -> Rows:
    """Waiting (taken → call) and service (called → done): count, p50 and p90 in
    seconds of whole minutes, per group of ``key`` (all, point, window, clerk)."""
    sql = Sql(dialect())
    per, group = TIME_KEYS[key]
    text = (
        f"SELECT {group} AS g, kind, SUM(n) AS n, "
        + ", ".join(f"SUM({b}) AS {b}" for b in BUCKETS)
        + f" FROM {TABLE} WHERE day >= {sql.p(scope.start)} AND day <= {sql.p(scope.end)}"
        f" AND per = {sql.p(per)}{_point(sql, scope)} GROUP BY g, kind"
    )
    out: Rows = {}
    overflow = False
    for row in await fetch(sql, text):
        g = row["g"] if key in {"all", "point"} else (row["g"] or None)
        entry = out.setdefault(g, {f"{k}_s_n": 0 for k in KINDS})
        counts = [int(row[b] or 0) for b in BUCKETS]
        entry[f"{row['kind']}_s_n"] += int(row["n"] or 0)
        for name, (num, den) in RANKS.items():
            m = nearest_rank(counts, num=num, den=den)
            entry[f"{row['kind']}_s_{name}"] = None if m is None else m * 60
            overflow |= m == CAP_MINUTES
    if overflow:
        await _long_times(scope, key, out)
    return {g: row for g, row in out.items() if any(row[f"{k}_s_n"] for k in KINDS)}


async def _long_times(scope: Scope, key: str, out: Rows) -> None:
    """Percentiles in the overflow bucket, from the tickets (rare: 90 minutes or more)."""
    cap = CAP_MINUTES * 60
    for g, row in (await raw_times_by(scope, key)).items():
        for kind in KINDS:
            for name in RANKS:
                field = f"{kind}_s_{name}"
                if g in out and out[g].get(field) == cap:
                    out[g][field] = minute_seconds(row.get(field))


async def raw_times_by(scope: Scope, key: str) -> Rows:
    """The same percentiles (in whole seconds) computed from every ticket of the range."""
    sql = Sql(dialect())
    group = {"all": "0", "point": "service_point_id"}.get(key, f"{key}_id")
    wait = seconds(sql.dialect, "called_at", "taken_at")
    served = seconds(sql.dialect, "finished_at", "called_at")
    source = (
        f"SELECT {group} AS g,"
        f" CASE WHEN transferred_from_id IS NULL THEN {wait} END AS wait_s,"
        f" CASE WHEN status = 'done' AND finished_at IS NOT NULL THEN {served} END AS service_s"
        f" FROM tickets WHERE day >= {sql.p(scope.start)} AND day <= {sql.p(scope.end)}"
        f" AND called_at IS NOT NULL{_point(sql, scope)}"
    )
    rows = await fetch(sql, percentiles(sql, source, columns=("wait_s", "service_s")))
    return {row.pop("g"): row for row in rows}
