"""Named locks that the database holds until the transaction ends."""

from __future__ import annotations

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient


async def hold(connection: BaseDBAsyncClient | None, name: str) -> None:
    """Serialise transactions that take the same ``name``, across workers and hosts.

    PostgreSQL: a transaction-scoped advisory lock. SQLite already lets one writer
    at a time through its single connection, so nothing more is needed there.
    """
    connection = connection or connections.get("default")  # the current transaction
    if connection.capabilities.dialect == "postgres":
        await connection.execute_query("SELECT pg_advisory_xact_lock(hashtext($1))", [name])
