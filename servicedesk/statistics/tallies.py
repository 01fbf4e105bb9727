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

from collections.abc import Callable

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from servicedesk.statistics.models import BUCKETS, CAP_MINUTES

TABLE = "ticket_time_tallies"
KEY = ("day", "service_point_id", "per", "key_id", "kind")
TRIGGER = "ticket_time_tally"


def seconds(dialect: str, later: str, earlier: str) -> str:
    """Whole seconds from ``earlier`` to ``later`` (rounded), as the raw queries count."""
    if dialect == "postgres":
        return f"CAST(ROUND(date_part('epoch', {later} - {earlier})) AS INTEGER)"
    return f"CAST(ROUND((julianday({later}) - julianday({earlier})) * 86400.0) AS INTEGER)"


def bucket(dialect: str, s: str) -> str:
    """The minute bucket of whole seconds ``s`` (see the module's docstring)."""
    low, high = ("GREATEST", "LEAST") if dialect == "postgres" else ("MAX", "MIN")
    return f"{high}(({low}({s}, 0) + 30) / 60, {CAP_MINUTES})"


# Per kind: when a ticket row counts, its seconds (later, earlier), and the expressions
# whose change moves it between tally rows or buckets. A trigger redoes a kind only
# when one of these changed: a call touches the wait alone, a finish the service alone.
KINDS = {
    "wait": (
        "{r}.called_at IS NOT NULL AND {r}.transferred_from_id IS NULL",
        ("called_at", "taken_at"),
        ("day", "service_point_id", "taken_at", "called_at", "window_id", "clerk_id")
        + ("transferred_from_id",),
    ),
    "service": (
        "{r}.status = 'done' AND {r}.called_at IS NOT NULL AND {r}.finished_at IS NOT NULL",
        ("finished_at", "called_at"),
        ("day", "service_point_id", "called_at", "finished_at", "window_id", "clerk_id")
        + ("(status = 'done')",),
    ),
}


_COLUMNS = ", ".join((*KEY, "n", "seconds", *BUCKETS))
_KEEP = ", ".join(f"{c} = {TABLE}.{c} + excluded.{c}" for c in ("n", "seconds", *BUCKETS))
_CONFLICT = f" ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {_KEEP}"


def contributions(dialect: str, r: str, source: str = "") -> str:
    """Rows (day, service_point_id, per, key_id, kind, s) that ticket row ``r`` adds;
    ``source`` is the FROM clause when ``r`` is a table alias rather than OLD/NEW."""
    parts = []
    for kind, (counted, (later, earlier), _) in KINDS.items():
        s = seconds(dialect, f"{r}.{later}", f"{r}.{earlier}")
        for per, column in (("window", "window_id"), ("clerk", "clerk_id")):
            parts.append(
                f"SELECT {r}.day AS day, {r}.service_point_id AS service_point_id,"
                f" '{per}' AS per, COALESCE({r}.{column}, 0) AS key_id, '{kind}' AS kind,"
                f" {s} AS s {source} WHERE {counted.format(r=r)}"
            )
    return " UNION ALL ".join(parts)


def upsert(dialect: str, rows: str, delta: int) -> str:
    """Add (``delta`` 1) or take back (-1) the contributions ``rows`` to the tallies."""
    sums = ", ".join(f"SUM(CASE WHEN m = {m} THEN {delta} ELSE 0 END)" for m in range(len(BUCKETS)))
    return (
        f"INSERT INTO {TABLE} ({_COLUMNS})"
        f" SELECT day, service_point_id, per, key_id, kind, SUM({delta}), SUM({delta} * s), {sums}"
        f" FROM (SELECT c.*, {bucket(dialect, 'c.s')} AS m FROM ({rows}) c) x WHERE true"
        f" GROUP BY day, service_point_id, per, key_id, kind{_CONFLICT}"
    )


def _of(r: str, expression: str) -> str:
    """``expression`` (a column, or a bracketed expression on columns) of row ``r``."""
    if expression.startswith("("):
        return expression.replace("(", f"({r}.", 1)
    return f"{r}.{expression}"


def _kind_changed(dialect: str, kind: str) -> str:
    differs = "IS DISTINCT FROM" if dialect == "postgres" else "IS NOT"
    return " OR ".join(f"{_of('OLD', e)} {differs} {_of('NEW', e)}" for e in KINDS[kind][2])


def row_upsert(dialect: str, kind: str, r: str, delta: int) -> str:
    """Add (``delta`` 1) or take back (-1) what the trigger's row ``r`` (OLD or NEW)
    counts for ``kind``: its bucket computed once, one row per window and clerk."""
    counted, (later, earlier), _ = KINDS[kind]
    s = seconds(dialect, f"{r}.{later}", f"{r}.{earlier}")
    marks = ", ".join(f"CASE WHEN x.m = {m} THEN {delta} ELSE 0 END" for m in range(len(BUCKETS)))
    return (
        f"INSERT INTO {TABLE} ({_COLUMNS}) SELECT {r}.day, {r}.service_point_id, p.per,"
        f" p.key_id, '{kind}', {delta}, {delta} * x.s, {marks}"
        f" FROM (SELECT y.s, {bucket(dialect, 'y.s')} AS m FROM (SELECT {s} AS s) y) x,"
        f" (SELECT 'window' AS per, COALESCE({r}.window_id, 0) AS key_id"
        f" UNION ALL SELECT 'clerk', COALESCE({r}.clerk_id, 0)) p"
        f" WHERE {counted.format(r=r)}{_CONFLICT}"
    )


def _postgres_kind(kind: str) -> str:
    """The function's part for one kind: redone only when its inputs changed."""
    counted = KINDS[kind][0]
    old = f"IF {counted.format(r='OLD')} THEN {row_upsert('postgres', kind, 'OLD', -1)}; END IF;"
    new = f"IF {counted.format(r='NEW')} THEN {row_upsert('postgres', kind, 'NEW', 1)}; END IF;"
    return (
        f" IF TG_OP = 'UPDATE' THEN IF {_kind_changed('postgres', kind)} THEN {old} {new}"
        f" END IF; ELSIF TG_OP = 'INSERT' THEN {new} ELSE {old} END IF;"
    )


def _changed(dialect: str) -> str:
    return " OR ".join(f"({_kind_changed(dialect, kind)})" for kind in KINDS)


def _postgres_ddl() -> list[str]:
    function = (
        f"CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$"
        f" BEGIN{_postgres_kind('wait')}{_postgres_kind('service')} RETURN NULL; END $$"
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
    def both(r: str, delta: int) -> str:
        return "; ".join(row_upsert("sqlite", kind, r, delta) for kind in KINDS)

    updates = [
        f"CREATE TRIGGER {TRIGGER}_upd_{kind} AFTER UPDATE ON tickets"
        f" WHEN {_kind_changed('sqlite', kind)} BEGIN {row_upsert('sqlite', kind, 'OLD', -1)};"
        f" {row_upsert('sqlite', kind, 'NEW', 1)}; END"
        for kind in KINDS
    ]
    return [
        *_drop("sqlite"),
        f"CREATE TRIGGER {TRIGGER}_ins AFTER INSERT ON tickets"
        f" WHEN NEW.called_at IS NOT NULL BEGIN {both('NEW', 1)}; END",
        *updates,
        f"CREATE TRIGGER {TRIGGER}_del AFTER DELETE ON tickets BEGIN {both('OLD', -1)}; END",
    ]


def _drop(dialect: str) -> list[str]:
    on = " ON tickets" if dialect == "postgres" else ""
    names = ("ins", "upd", "upd_wait", "upd_service", "del")
    return [f"DROP TRIGGER IF EXISTS {TRIGGER}_{name}{on}" for name in names]


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
    return await recount(
        conn, TABLE, lambda d: upsert(d, contributions(d, "r", "FROM tickets r"), 1)
    )


async def recount(conn: BaseDBAsyncClient | None, table: str, fill: Callable[[str], str]) -> int:
    """Empty ``table`` and fill it with the statement ``fill(dialect)`` from the tickets;
    the rows written. Without ``conn`` in a transaction of its own, else in the
    caller's; on PostgreSQL the tickets are locked against writes meanwhile."""
    if conn is None:
        async with in_transaction() as tx:
            return await recount(tx, table, fill)
    dialect = str(conn.capabilities.dialect)
    if dialect == "postgres":
        await conn.execute_query("LOCK TABLE tickets IN SHARE MODE")
    await conn.execute_query(f"DELETE FROM {table}")
    await conn.execute_query(fill(dialect))
    found = await conn.execute_query_dict(f"SELECT COUNT(*) AS n FROM {table}")
    return int(found[0]["n"])
