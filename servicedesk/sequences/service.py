"""Counters that the database increments atomically, safe across workers and hosts."""

from __future__ import annotations

from datetime import date

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

_UPSERT = (
    "INSERT INTO daily_sequences (scope, day, value) VALUES ({p1}, {p2}, 1) "
    "ON CONFLICT (scope, day) DO UPDATE SET value = daily_sequences.value + 1 "
    "RETURNING value"
)


async def next_value(scope: str, day: date, *, connection: BaseDBAsyncClient | None = None) -> int:
    """The next number of ``scope`` on ``day``: 1, 2, 3 … without gaps or repeats."""
    conn = connection or connections.get("default")
    dialect = conn.capabilities.dialect
    sql = (
        _UPSERT.format(p1="$1", p2="$2")
        if dialect == "postgres"
        else _UPSERT.format(p1="?", p2="?")
    )
    rows = await conn.execute_query_dict(sql, [scope, day])
    return int(rows[0]["value"])
