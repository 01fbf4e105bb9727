"""A window's ticket moves on (serving starts, the matter is done) at the cost of one update.

On PostgreSQL one statement locks the ticket, moves it if its status allows, audits
the move and notifies every worker; SQLite runs the same steps in one hand-off to its
thread. When nothing moved (no such ticket, another service point's, or a status that
does not allow it) the caller takes the slower path that says why.
"""

from __future__ import annotations

import functools
from typing import Any

from tortoise import connections

from servicedesk.accounts.service import Principal
from servicedesk.audit.models import AuditEntry
from servicedesk.catalogue.models import Queue, Window
from servicedesk.queue import events, statements
from servicedesk.queue.models import Ticket, TicketStatus, ticket_db_value
from servicedesk.queue.service import OPEN, TicketView, own_point
from servicedesk.timeutil import now

# The instant each move stamps on the ticket.
STAMP = {TicketStatus.SERVING: "served_at", TicketStatus.DONE: "finished_at"}

_OWN = (
    "SELECT id, status FROM tickets WHERE id = {id:integer}"
    " AND service_point_id = COALESCE({own:integer}, service_point_id)"
)
_AUDIT = (
    "INSERT INTO audit_log (at, actor, action, entity, entity_id, before, after)"
    " SELECT {at}, {actor:text}, {action:text}, 'ticket', {ticket_text}, {before}, {after}"
)
_CODES = (
    "(SELECT code FROM queues q WHERE q.id = tickets.queue_id) AS q_code,"
    " (SELECT code FROM windows w WHERE w.id = tickets.window_id) AS w_code,"
    " (SELECT code FROM service_points sp WHERE sp.id = tickets.service_point_id) AS sp_code"
)


@functools.lru_cache(maxsize=8)
def _update(to: TicketStatus, allowed: tuple[str, ...]) -> str:
    release = "" if to in OPEN else ", holding_window = NULL"
    statuses = ", ".join(f"'{s}'" for s in allowed)  # enum values, never user input
    return (
        f"UPDATE tickets SET status = '{to.value}', {STAMP[to]} = {{at:timestamptz}}{release}"
        f" WHERE id = {{id}} AND status IN ({statuses})"
    )


@functools.lru_cache(maxsize=8)
def _postgres(to: TicketStatus, allowed: tuple[str, ...]) -> str:
    update = _update(to, allowed).replace(" WHERE id = {id}", " FROM o WHERE tickets.id = o.id")
    update = update.replace("AND status IN", "AND o.status IN")
    audit = (
        _AUDIT.replace("{ticket_text}", "t.id::text")
        .replace("{before}", "jsonb_build_object('status', t.was)")
        .replace("{after}", "jsonb_build_object('status', t.status)")
    )
    return (
        "WITH o AS (" + _OWN + " FOR UPDATE),"
        " t AS (" + update + " RETURNING tickets.*, o.status AS was, " + _CODES + "),"
        " a AS (" + audit + " FROM t),"
        " n AS (SELECT pg_notify({channel:text}, json_build_object('sp', t.sp_code,"
        " 'type', 'update', 'ticket_no', t.ticket_no, 'status', t.status)::text) FROM t)"
        " SELECT t.*, (SELECT COUNT(*) FROM n) AS notified FROM t"
    )


def _json(value: dict[str, Any]) -> Any:
    return AuditEntry._meta.fields_map["after"].to_db_value(value, AuditEntry)


def _sqlite(
    db: statements.Batch, to: TicketStatus, allowed: tuple[str, ...], values: dict[str, Any]
) -> dict[str, Any] | None:
    current = db.one(_OWN, values)
    if current is None or current["status"] not in allowed:
        return None
    row = db.one(_update(to, allowed) + " RETURNING *, " + _CODES, values)
    if row is None:
        return None
    audit = values | {"ticket_text": str(row["id"]), "before": _json({"status": current["status"]})}
    db.run(_AUDIT, audit | {"after": _json({"status": to.value})})
    return row | {"was": current["status"]}


async def finish(
    ticket_id: int,
    allowed: set[TicketStatus],
    to: TicketStatus,
    *,
    principal: Principal,
    action: str,
) -> TicketView | None:
    """Move the ticket from an ``allowed`` status to ``to``, audited and announced;
    None when it moved nothing (the caller finds out why)."""
    client = connections.get("default")
    statuses = tuple(sorted(s.value for s in allowed))
    values = {
        "id": ticket_id,
        "own": own_point(principal),
        "at": ticket_db_value(STAMP[to], now()),
        "actor": principal.label,
        "action": f"ticket.{action}",
        "channel": events.CHANNEL,
    }
    if statements.is_postgres(client):
        rows = await statements.fetch(client, _postgres(to, statuses), values)
        row = rows[0] if rows else None
    else:
        row = await statements.on_sqlite_thread(
            client, lambda db: _sqlite(db, to, statuses, values)
        )
        if row is not None:
            await events.publish(
                row["sp_code"], "update", ticket_no=row["ticket_no"], status=to.value
            )
    if row is None:
        return None
    ticket = Ticket._init_from_db(**{k: row[k] for k in Ticket._meta.db_fields})
    ticket.queue = Queue._init_from_db(id=ticket.queue_id, code=row["q_code"])
    ticket.window = (
        Window._init_from_db(id=ticket.window_id, code=row["w_code"]) if row["w_code"] else None
    )
    return TicketView(ticket=ticket, queue=row["q_code"], window=row["w_code"], estimate=None)
