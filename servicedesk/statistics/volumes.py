"""Keeping ``ticket_volume_tallies``: how many numbers, calls, no-shows and finished
services each day brought, per service point and matter and per point and hour.

Like the time tallies (``tallies``), database triggers on ``tickets`` keep them in the
same transaction as every write, whichever code path (or bulk load) made it: an updated
row takes back what its old version added and adds what its new version counts;
``rebuild`` recounts them from the tickets. A month of a city's volumes is then a few
thousand tally rows, not every ticket (or an index of every ticket).

What a ticket adds, once under its matter (``per`` = ``matter``, ``key_id`` the matter,
0 for none) and once under the Beijing hour it was taken (``per`` = ``hour``):

* ``entries``: 1 for every ticket row, so a group whose tickets all moved away or were
  deleted is known to be empty (as a count of the rows would not list it);
* ``tickets``: 1 for a number issued here (not the onward row of a transfer);
* ``called``: 1 once it has been called; ``no_shows``: 1 when it ended as a no-show;
  ``done``: 1 when it was served to the end.

On PostgreSQL every number taken at a point adds to the point's row for the hour, so
concurrent takes would queue on that row's lock until each commits; the triggers
spread their writes over ``SHARDS`` rows per key instead (``shard``, by the database
session writing), and every reader sums over the shards. A rebuild writes shard 0;
SQLite (one writer at a time) always writes shard 0.

Migrations call ``install`` and ``rebuild`` as they are now, with ``sharded=False``
for 0016 (the table before 0017 added ``shard``): a later change to the tally's
columns must come with a migration of its own and keep the statements the earlier
migrations need, or an upgrade from before would run the new statements on the old
table.
"""

from __future__ import annotations

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from servicedesk.statistics.sql import Sql
from servicedesk.statistics.tallies import recount

TABLE = "ticket_volume_tallies"
KEY = ("day", "service_point_id", "per", "key_id")
COUNTS = ("entries", "tickets", "called", "no_shows", "done")
TRIGGER = "ticket_volume_tally"
SHARDS = 8
# The shard a trigger writes: the writing session's, so concurrent sessions rarely meet.
_SHARD = {"postgres": f"pg_backend_pid() % {SHARDS}", "sqlite": "0"}


def hour(dialect: str, column: str) -> str:
    """The Beijing hour of day of an instant, as the statistics' queries count it."""
    return Sql(dialect).hour(column)


def _counts(r: str) -> list[str]:
    return [
        "1",
        f"CASE WHEN {r}.transferred_from_id IS NULL THEN 1 ELSE 0 END",
        f"CASE WHEN {r}.called_at IS NOT NULL THEN 1 ELSE 0 END",
        f"CASE WHEN {r}.status = 'no_show' THEN 1 ELSE 0 END",
        f"CASE WHEN {r}.status = 'done' THEN 1 ELSE 0 END",
    ]


def _keys(dialect: str, r: str) -> list[tuple[str, str]]:
    return [("matter", f"COALESCE({r}.matter_id, 0)"), ("hour", hour(dialect, f"{r}.taken_at"))]


def contributions(dialect: str, r: str, source: str) -> str:
    """Rows (day, service_point_id, per, key_id and the COUNTS) that the tickets ``r``
    of ``source`` (a FROM clause) add."""
    counts = ", ".join(f"{c} AS {name}" for c, name in zip(_counts(r), COUNTS, strict=True))
    return " UNION ALL ".join(
        f"SELECT {r}.day AS day, {r}.service_point_id AS service_point_id,"
        f" '{per}' AS per, {key} AS key_id, {counts} {source}"
        for per, key in _keys(dialect, r)
    )


_KEEP = ", ".join(f"{c} = {TABLE}.{c} + excluded.{c}" for c in COUNTS)


def _key(sharded: bool) -> tuple[str, ...]:
    """The tally's unique key: with the shard since migration 0017."""
    return (*KEY, "shard") if sharded else KEY


def _into(sharded: bool) -> str:
    return f"INSERT INTO {TABLE} ({', '.join((*_key(sharded), *COUNTS))})"


def _conflict(sharded: bool) -> str:
    return f" ON CONFLICT ({', '.join(_key(sharded))}) DO UPDATE SET {_KEEP}"


def row_upsert(dialect: str, r: str, counts: list[str], *, sharded: bool = True) -> str:
    """Add ``counts`` (expressions, in the order of COUNTS) under both of the trigger's
    row ``r``'s keys (OLD or NEW), in one statement, in this session's shard."""
    per = _keys(dialect, r)
    keys = " UNION ALL ".join(
        f"SELECT '{name}'{' AS per' if i == 0 else ''}, {key}{' AS key_id' if i == 0 else ''}"
        for i, (name, key) in enumerate(per)
    )
    shard = f", {_SHARD[dialect]}" if sharded else ""
    return (
        f"{_into(sharded)} SELECT {r}.day, {r}.service_point_id, p.per, p.key_id{shard},"
        f" {', '.join(counts)} FROM ({keys}) p WHERE true{_conflict(sharded)}"
    )


def _moves(dialect: str, sharded: bool) -> tuple[str, str, str]:
    """What an update does: take back OLD's counts, add NEW's, or, when the ticket
    keeps its keys (nearly always), add the difference under them in one statement."""
    old = row_upsert(dialect, "OLD", [f"-{c}" for c in _counts("OLD")], sharded=sharded)
    new = row_upsert(dialect, "NEW", _counts("NEW"), sharded=sharded)
    pairs = zip(_counts("NEW"), _counts("OLD"), strict=True)
    difference = row_upsert(dialect, "NEW", [f"({n}) - ({o})" for n, o in pairs], sharded=sharded)
    return old, new, difference


def _same_keys(dialect: str) -> str:
    same = "IS NOT DISTINCT FROM" if dialect == "postgres" else "IS"
    return " AND ".join(
        f"OLD.{c} {same} NEW.{c}" for c in ("day", "service_point_id", "matter_id", "taken_at")
    )


def upsert(rows: str, *, sharded: bool = True) -> str:
    """Add the contributions ``rows`` to the tallies (a rebuild), in shard 0."""
    sums = ", ".join(f"SUM({c})" for c in COUNTS)
    shard = ", 0" if sharded else ""
    return (
        f"{_into(sharded)} SELECT {', '.join(KEY)}{shard}, {sums} FROM ({rows}) c WHERE true"
        f" GROUP BY {', '.join(KEY)}{_conflict(sharded)}"
    )


def _changed(dialect: str) -> str:
    """Whether an update moves the ticket between tally rows or counts."""
    differs = "IS DISTINCT FROM" if dialect == "postgres" else "IS NOT"
    checks = [f"OLD.{c} {differs} NEW.{c}" for c in ("day", "service_point_id", "matter_id")]
    checks.append(f"OLD.taken_at {differs} NEW.taken_at")
    for flag in ("transferred_from_id IS NULL", "called_at IS NULL"):
        checks.append(f"(OLD.{flag}) {differs} (NEW.{flag})")
    for status in ("no_show", "done"):  # a start or a cancel changes no count
        checks.append(f"(OLD.status = '{status}') {differs} (NEW.status = '{status}')")
    return " OR ".join(checks)


def ddl(dialect: str, *, sharded: bool = True) -> list[str]:
    """Statements that (re)create the triggers on ``tickets``."""
    old, new, difference = _moves(dialect, sharded)
    changed, same = _changed(dialect), _same_keys(dialect)
    if dialect != "postgres":
        return [
            *drop(dialect),
            f"CREATE TRIGGER {TRIGGER}_ins AFTER INSERT ON tickets BEGIN {new}; END",
            f"CREATE TRIGGER {TRIGGER}_upd AFTER UPDATE ON tickets"
            f" WHEN ({changed}) AND {same} BEGIN {difference}; END",
            f"CREATE TRIGGER {TRIGGER}_mov AFTER UPDATE ON tickets"
            f" WHEN ({changed}) AND NOT ({same}) BEGIN {old}; {new}; END",
            f"CREATE TRIGGER {TRIGGER}_del AFTER DELETE ON tickets BEGIN {old}; END",
        ]
    function = (
        f"CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$"
        f" BEGIN IF TG_OP = 'UPDATE' THEN IF {same} THEN {difference}; ELSE {old}; {new};"
        f" END IF; ELSIF TG_OP = 'INSERT' THEN {new}; ELSE {old}; END IF;"
        " RETURN NULL; END $$"
    )
    run = f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()"
    return [
        *drop(dialect),
        function,
        f"CREATE TRIGGER {TRIGGER}_ins AFTER INSERT ON tickets {run}",
        f"CREATE TRIGGER {TRIGGER}_upd AFTER UPDATE ON tickets"
        f" FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {TRIGGER}()",
        f"CREATE TRIGGER {TRIGGER}_del AFTER DELETE ON tickets {run}",
    ]


def drop(dialect: str) -> list[str]:
    on = " ON tickets" if dialect == "postgres" else ""
    names = ("ins", "upd", "mov", "del")
    statements = [f"DROP TRIGGER IF EXISTS {TRIGGER}_{name}{on}" for name in names]
    if dialect == "postgres":
        statements.append(f"DROP FUNCTION IF EXISTS {TRIGGER}()")
    return statements


async def rebuild(conn: BaseDBAsyncClient | None = None, *, sharded: bool = True) -> int:
    """Recount every volume tally from the tickets; the rows written. Without ``conn``
    in a transaction of its own (on PostgreSQL the tickets are locked against writes
    meanwhile), else in the caller's."""

    def fill(dialect: str) -> str:
        return upsert(contributions(dialect, "r", "FROM tickets r"), sharded=sharded)

    return await recount(conn, TABLE, fill)


async def install(conn: BaseDBAsyncClient | None = None, *, sharded: bool = True) -> None:
    """(Re)create the triggers that keep the volume tallies."""
    client = conn or connections.get("default")
    for statement in ddl(str(client.capabilities.dialect), sharded=sharded):
        await client.execute_query(statement)


async def uninstall(conn: BaseDBAsyncClient | None = None) -> None:
    """Drop the triggers (the tallies then stand still until ``install`` and ``rebuild``)."""
    client = conn or connections.get("default")
    for statement in drop(str(client.capabilities.dialect)):
        await client.execute_query(statement)
