"""Keeping ``ticket_time_tallies``: database triggers and the rebuild from raw rows.

Triggers on ``tickets`` keep the tallies in the same transaction as every write that
calls, recalls, finishes, transfers or cancels a ticket, whichever code path (or bulk
load) made it: an updated row takes back what its old version added and adds what
its new version counts. ``rebuild`` recounts everything from the tickets (after a
restore, or to check the triggers); ``install`` (re)creates the triggers.

What a ticket adds (DESIGN §6.1, as the statistics page counts it):

* ``wait``: taken → call in whole seconds, for a called ticket that was issued here
  (not the onward row of a transfer); a recall moves the call, so the wait moves too;
* ``service``: call → finish, for a ticket done.

Each counts once under its window and once under the clerk who called, in the bucket
of its whole minutes: seconds rounded to the nearest minute (half up), negative as 0,
90 and more together.

Migrations 0015 and 0016 call ``install`` and ``rebuild`` as they are now: a later change to the
tally's columns must come with a migration of its own and keep the statements the
earlier migrations need (copied into them), or an upgrade from before would run the
new statements on the old table.
"""

from __future__ import annotations

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from servicedesk.statistics.models import BUCKETS, CAP_MINUTES

TABLE = "ticket_time_tallies"
KEY = ("day", "service_point_id", "per", "key_id", "kind")
TRIGGER = "ticket_time_tally"
# A row counts differently only when one of these changes.
WATCHED = (
    "day",
    "service_point_id",
    "taken_at",
    "called_at",
    "finished_at",
    "window_id",
    "clerk_id",
    "transferred_from_id",
)


def seconds(dialect: str, later: str, earlier: str) -> str:
    """Whole seconds from ``earlier`` to ``later`` (rounded), as the raw queries count."""
    if dialect == "postgres":
        return f"CAST(ROUND(date_part('epoch', {later} - {earlier})) AS INTEGER)"
    return f"CAST(ROUND((julianday({later}) - julianday({earlier})) * 86400.0) AS INTEGER)"


def bucket(dialect: str, s: str) -> str:
    """The minute bucket of whole seconds ``s`` (see the module's docstring)."""
    low, high = ("GREATEST", "LEAST") if dialect == "postgres" else ("MAX", "MIN")
    return f"{high}(({low}({s}, 0) + 30) / 60, {CAP_MINUTES})"


def contributions(dialect: str, r: str, source: str = "") -> str:
    """Rows (day, service_point_id, per, key_id, kind, s) that ticket row ``r`` adds;
    ``source`` is the FROM clause when ``r`` is a table alias rather than OLD/NEW."""
    wait = seconds(dialect, f"{r}.called_at", f"{r}.taken_at")
    served = seconds(dialect, f"{r}.finished_at", f"{r}.called_at")
    counted = {
        "wait": f"{r}.called_at IS NOT NULL AND {r}.transferred_from_id IS NULL",
        "service": f"{r}.status = 'done' AND {r}.called_at IS NOT NULL"
        f" AND {r}.finished_at IS NOT NULL",
    }
    parts = []
    for kind, s in (("wait", wait), ("service", served)):
        for per, column in (("window", "window_id"), ("clerk", "clerk_id")):
            parts.append(
                f"SELECT {r}.day AS day, {r}.service_point_id AS service_point_id,"
                f" '{per}' AS per, COALESCE({r}.{column}, 0) AS key_id, '{kind}' AS kind,"
                f" {s} AS s {source} WHERE {counted[kind]}"
            )
    return " UNION ALL ".join(parts)


def upsert(dialect: str, rows: str, delta: int) -> str:
    """Add (``delta`` 1) or take back (-1) the contributions ``rows`` to the tallies."""
    columns = ", ".join((*KEY, "n", "seconds", *BUCKETS))
    sums = ", ".join(f"SUM(CASE WHEN m = {m} THEN {delta} ELSE 0 END)" for m in range(len(BUCKETS)))
    keep = ", ".join(f"{c} = {TABLE}.{c} + excluded.{c}" for c in ("n", "seconds", *BUCKETS))
    return (
        f"INSERT INTO {TABLE} ({columns})"
        f" SELECT day, service_point_id, per, key_id, kind, SUM({delta}), SUM({delta} * s), {sums}"
        f" FROM (SELECT c.*, {bucket(dialect, 'c.s')} AS m FROM ({rows}) c) x WHERE true"
        " GROUP BY day, service_point_id, per, key_id, kind"
        f" ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {keep}"
    )


def _changed(dialect: str) -> str:
    differs = "IS DISTINCT FROM" if dialect == "postgres" else "IS NOT"
    checks = [f"OLD.{c} {differs} NEW.{c}" for c in WATCHED]
    checks.append(f"(OLD.status = 'done') {differs} (NEW.status = 'done')")
    return " OR ".join(checks)


def _postgres_ddl() -> list[str]:
    old = upsert("postgres", contributions("postgres", "OLD"), -1)
    new = upsert("postgres", contributions("postgres", "NEW"), 1)
    function = (
        f"CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$"
        f" BEGIN IF TG_OP <> 'INSERT' THEN {old}; END IF;"
        f" IF TG_OP <> 'DELETE' THEN {new}; END IF; RETURN NULL; END $$"
    )
    run = f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()"
    return [
        *_drop("postgres"),
        function,
        # A ticket is taken uncalled (nothing to count) unless a bulk load brings it.
        f"CREATE TRIGGER {TRIGGER}_ins AFTER INSERT ON tickets"
        f" FOR EACH ROW WHEN (NEW.called_at IS NOT NULL) EXECUTE FUNCTION {TRIGGER}()",
        f"CREATE TRIGGER {TRIGGER}_upd AFTER UPDATE ON tickets"
        f" FOR EACH ROW WHEN ({_changed('postgres')}) EXECUTE FUNCTION {TRIGGER}()",
        f"CREATE TRIGGER {TRIGGER}_del AFTER DELETE ON tickets {run}",
    ]


def _sqlite_ddl() -> list[str]:
    old = upsert("sqlite", contributions("sqlite", "OLD"), -1)
    new = upsert("sqlite", contributions("sqlite", "NEW"), 1)
    return [
        *_drop("sqlite"),
        f"CREATE TRIGGER {TRIGGER}_ins AFTER INSERT ON tickets"
        f" WHEN NEW.called_at IS NOT NULL BEGIN {new}; END",
        f"CREATE TRIGGER {TRIGGER}_upd AFTER UPDATE ON tickets"
        f" WHEN {_changed('sqlite')} BEGIN {old}; {new}; END",
        f"CREATE TRIGGER {TRIGGER}_del AFTER DELETE ON tickets BEGIN {old}; END",
    ]


def _drop(dialect: str) -> list[str]:
    on = " ON tickets" if dialect == "postgres" else ""
    return [f"DROP TRIGGER IF EXISTS {TRIGGER}_{op}{on}" for op in ("ins", "upd", "del")]


def _client(conn: BaseDBAsyncClient | None) -> BaseDBAsyncClient:
    return conn or connections.get("default")


async def install(conn: BaseDBAsyncClient | None = None) -> None:
    """(Re)create the triggers that keep the tallies."""
    client = _client(conn)
    dialect = str(client.capabilities.dialect)
    for statement in _postgres_ddl() if dialect == "postgres" else _sqlite_ddl():
        await client.execute_query(statement)


async def uninstall(conn: BaseDBAsyncClient | None = None) -> None:
    """Drop the triggers (the tallies then stand still until ``install`` and ``rebuild``)."""
    client = _client(conn)
    for statement in _drop(str(client.capabilities.dialect)):
        await client.execute_query(statement)
    if str(client.capabilities.dialect) == "postgres":
        await client.execute_query(f"DROP FUNCTION IF EXISTS {TRIGGER}()")


async def rebuild(conn: BaseDBAsyncClient | None = None) -> int:
    """Recount every tally from the tickets; the rows written. Without ``conn`` in a
    transaction of its own, else in the caller's (a migration's).

    On PostgreSQL the tickets are locked against writes meanwhile (reads go on), so no
    move is counted twice or lost."""
    if conn is None:
        async with in_transaction() as tx:
            return await rebuild(tx)
    dialect = str(conn.capabilities.dialect)
    if dialect == "postgres":
        await conn.execute_query("LOCK TABLE tickets IN SHARE MODE")
    await conn.execute_query(f"DELETE FROM {TABLE}")
    await conn.execute_query(upsert(dialect, contributions(dialect, "r", "FROM tickets r"), 1))
    found = await conn.execute_query_dict(f"SELECT COUNT(*) AS n FROM {TABLE}")
    return int(found[0]["n"])
