"""Calling at a window: call the next ticket, call the same one again.

Every claim is decided by the database, never by process memory: call-next is one
conditional ``UPDATE … WHERE status = 'waiting'`` (with ``FOR UPDATE SKIP LOCKED``
on PostgreSQL) whose returned row says who won, and the unique ``holding_window``
column refuses a second open ticket at one window.

Call-next costs one claim: on PostgreSQL one statement locks the window (SKIP
LOCKED: a second caller at the same window gets 409 at once instead of locking a
ticket it could not take, which would make other windows skip it), sees what the
window holds, claims its best waiting ticket, logs the call, audits it, lowers the
queue's waiting tally and notifies every worker, all or nothing. SQLite runs the
same steps in one hand-off to its thread, in one transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from servicedesk.accounts.service import Principal
from servicedesk.audit import service as audit
from servicedesk.audit.models import AuditEntry
from servicedesk.catalogue.models import Queue, Window
from servicedesk.errors import Conflict, IllegalTransition, NotFound, WindowBusy
from servicedesk.queue import events, statements
from servicedesk.queue.config import get_queue_settings
from servicedesk.queue.issuing import expire_previous_days
from servicedesk.queue.models import Ticket, TicketCall, ticket_db_value
from servicedesk.queue.service import (
    T,
    TicketView,
    check_point,
    clerk_ticket,
    get_ticket,
    own_point,
    view,
)
from servicedesk.timeutil import now

CLAIM_ATTEMPTS = 8


async def get_window(code: str, *, principal: Principal) -> Window:
    window = await Window.get_or_none(code=code).select_related("service_point")
    if window is None:
        raise NotFound(f"window {code!r} does not exist")
    check_point(principal, window.service_point_id)
    return window


async def call_next(window_code: str, *, principal: Principal) -> TicketView | None:
    """Claim the best waiting ticket for the window; None when nothing waits."""
    await expire_previous_days()
    for _ in range(CLAIM_ATTEMPTS):
        found = await _claim(window_code, principal=principal)
        if found.get("id") is not None:
            return _called(found)
        if found["w_id"] is None:  # not found, not the caller's, or locked by a colleague
            await get_window(window_code, principal=principal)  # 404 or 403 if so
            raise WindowBusy(f"window {window_code} just called another ticket")
        if found.get("held_id") is not None:
            raise WindowBusy(
                f"window {window_code} still has {found['held_no']} ({found['held_status']}); "
                "complete, no-show or transfer it first",
                extra={"ticket_id": found["held_id"]},
            )
        if not found.get("more"):
            return None
    return None  # every candidate went to other windows meanwhile; the clerk tries again


async def _claim(window_code: str, *, principal: Principal) -> dict[str, Any]:
    """One claim: the window's ids, what it holds, the claimed ticket, whether more wait."""
    client = connections.get("default")
    moment = ticket_db_value("called_at", now())
    after = AuditEntry._meta.fields_map["after"].to_db_value({"window": window_code}, AuditEntry)
    values = {
        "window": window_code,
        "own": own_point(principal),
        "at": moment,
        "at_text": moment.isoformat(),
        "actor": principal.label,
        "clerk": principal.user.id if principal.user else None,
        "after": after,
        "channel": events.CHANNEL,
    }
    try:
        if statements.is_postgres(client):
            return (await statements.fetch(client, _CALL_POSTGRES, values))[0]
        found = await statements.on_sqlite_thread(client, lambda db: _call_sqlite(db, values))
    except IntegrityError:  # the unique holding_window: a colleague's call won
        raise WindowBusy(f"window {window_code} just called another ticket") from None
    if found.get("id") is not None:
        await events.publish(
            found["sp_code"],
            "call",
            ticket_no=found["ticket_no"],
            window=found["w_code"],
            called_at=values["at_text"],
            recall=False,
        )
    return found


def _called(found: dict[str, Any]) -> TicketView:
    ticket = Ticket._init_from_db(**{k: found[k] for k in Ticket._meta.db_fields})
    ticket.queue = Queue._init_from_db(id=ticket.queue_id, code=found["q_code"])
    ticket.window = Window._init_from_db(id=found["w_id"], code=found["w_code"])
    return TicketView(ticket=ticket, queue=found["q_code"], window=found["w_code"], estimate=None)


_WINDOW = (
    "SELECT w.id, w.code, w.service_point_id, sp.code AS sp_code FROM windows w"
    " JOIN service_points sp ON sp.id = w.service_point_id"
    " WHERE w.code = {window:text}"
    " AND w.service_point_id = COALESCE({own:integer}, w.service_point_id)"
)
# window_queues is Window.queues' table: (windows_id, queue_id).
_BEST = (
    "SELECT t.id FROM tickets t WHERE t.status = 'waiting' AND t.queue_id IN"
    " (SELECT wq.queue_id FROM window_queues wq WHERE wq.windows_id = {w})"
    " ORDER BY t.rank, t.taken_at, t.id LIMIT 1"
)
_CLAIM = (
    "UPDATE tickets SET status = 'called', called_at = {at:timestamptz}, window_id = {w},"
    " holding_window = {w}, clerk_id = {clerk:integer} WHERE status = 'waiting' AND id = ({best})"
)
_LOG = (
    "INSERT INTO ticket_calls (ticket_id, service_point_id, window_id, ticket_no, window_code,"
    " called_at, recall) SELECT {ticket}, {point}, {w}, {ticket_no}, {window_code}, {at}, {no}"
)
_AUDIT = (
    "INSERT INTO audit_log (at, actor, action, entity, entity_id, after)"
    " SELECT {at}, {actor:text}, 'ticket.call', 'ticket', {ticket_text}, {after:jsonb}"
)
_TALLY = (
    "UPDATE queue_tallies SET"
    " priority_waiting = priority_waiting - CASE WHEN {rank} = 0 THEN 1 ELSE 0 END,"
    " normal_waiting = normal_waiting - CASE WHEN {rank} = 0 THEN 0 ELSE 1 END"
    " WHERE queue_id = {queue}"
)


def _in_pg(sql: str, **columns: str) -> str:
    for name, column in columns.items():
        sql = sql.replace("{" + name + "}", column)
    return sql


_W = "(SELECT id FROM w)"
_CALL_POSTGRES = (
    "WITH w AS (" + _WINDOW + " FOR UPDATE OF w SKIP LOCKED),"
    " h AS (SELECT t.id, t.ticket_no, t.status FROM tickets t WHERE t.holding_window = " + _W + "),"
    " c AS ("
    + _in_pg(_CLAIM, w=_W, best=_in_pg(_BEST, w=_W) + " FOR UPDATE SKIP LOCKED")
    + " AND NOT EXISTS (SELECT 1 FROM h) RETURNING *),"
    " l AS ("
    + _in_pg(
        _LOG,
        ticket="c.id",
        point="w.service_point_id",
        w="w.id",
        ticket_no="c.ticket_no",
        window_code="w.code",
        no="false",
    )
    + " FROM c, w),"
    " a AS (" + _in_pg(_AUDIT, ticket_text="c.id::text") + " FROM c),"
    " k AS ("
    + _in_pg(_TALLY, rank="c.rank", queue="c.queue_id")
    .replace("UPDATE queue_tallies SET", "UPDATE queue_tallies x SET")
    .replace("WHERE queue_id", "FROM c WHERE x.queue_id")
    + "),"
    " n AS (SELECT pg_notify({channel:text}, json_build_object('sp', w.sp_code, 'type', 'call',"
    " 'ticket_no', c.ticket_no, 'window', w.code, 'called_at', {at_text:text},"
    " 'recall', false)::text) FROM c, w)"
    " SELECT w.id AS w_id, w.code AS w_code, w.sp_code, h.id AS held_id,"
    " h.ticket_no AS held_no, h.status AS held_status, c.*, q.code AS q_code,"
    " (SELECT COUNT(*) FROM n) AS notified, (" + _in_pg(_BEST, w="w.id") + ") IS NOT NULL AS more"
    " FROM (SELECT 1) one LEFT JOIN w ON true LEFT JOIN h ON true LEFT JOIN c ON true"
    " LEFT JOIN queues q ON q.id = c.queue_id"
)
_CLAIM_SQLITE = (
    _in_pg(_CLAIM, best=_BEST)
    + " RETURNING *, (SELECT code FROM queues q WHERE q.id = tickets.queue_id) AS q_code"
)
_HELD = "SELECT id, ticket_no, status FROM tickets WHERE holding_window = {w}"


def _call_sqlite(db: statements.Batch, values: dict[str, Any]) -> dict[str, Any]:
    """The claim's steps on SQLite's thread, in one transaction."""
    window = db.one(_WINDOW, values)
    if window is None:
        return {"w_id": None}
    w = window["id"]
    found = {"w_id": w, "w_code": window["code"], "sp_code": window["sp_code"]}
    held = db.one(_HELD, {"w": w})
    if held is not None:
        return (
            found
            | {"held_id": held["id"], "held_no": held["ticket_no"]}
            | {"held_status": held["status"]}
        )
    row = db.one(_CLAIM_SQLITE, values | {"w": w})
    if row is None:
        return found | {"more": db.one(_BEST, {"w": w}) is not None}
    step = values | {"w": w, "point": window["service_point_id"], "no": 0}
    step |= {"ticket": row["id"], "ticket_no": row["ticket_no"], "window_code": window["code"]}
    step |= {"ticket_text": str(row["id"]), "rank": row["rank"], "queue": row["queue_id"]}
    db.run(_LOG, step)
    db.run(_AUDIT, step)
    db.run(_TALLY, step)
    return found | row


async def record_call(
    ticket: Ticket,
    window: Window,
    *,
    moment: datetime,
    principal: Principal,
    conn: TransactionalDBClient,
    after: dict[str, Any],
    recall: bool = False,
) -> None:
    """A call (or recall) goes on the board's log and the audit log."""
    await TicketCall.create(
        ticket=ticket,
        service_point_id=window.service_point_id,
        window=window,
        ticket_no=ticket.ticket_no,
        window_code=window.code,
        called_at=moment,
        recall=recall,
        using_db=conn,
    )
    await audit.record(
        "ticket.recall" if recall else "ticket.call",
        actor=principal.label,
        entity="ticket",
        entity_id=ticket.id,
        after=after,
        connection=conn,
    )


async def recall(ticket_id: int, *, principal: Principal) -> TicketView:
    """Call the same number again, up to the configured number of recalls."""
    ticket = await clerk_ticket(ticket_id, principal)
    limit = get_queue_settings().max_recalls
    if ticket.status is not T.CALLED:
        raise IllegalTransition(
            f"only a called ticket can be recalled; {ticket.ticket_no} is {ticket.status.value}",
            extra={"status": ticket.status.value},
        )
    window = ticket.window
    if window is None:  # a called ticket always has its window; keeps the types honest
        raise IllegalTransition(f"ticket {ticket.ticket_no} has no window to be recalled to")
    if ticket.recalls >= limit:
        raise Conflict(f"{ticket.ticket_no} was recalled {limit} times; mark it no-show")
    moment = now()
    async with in_transaction() as conn:
        moved = (
            await Ticket.filter(id=ticket.id, status=T.CALLED, recalls=ticket.recalls)
            .using_db(conn)
            .update(recalls=F("recalls") + 1, called_at=moment)
        )
        if not moved:
            raise IllegalTransition(f"ticket {ticket.ticket_no} was changed by someone else")
        await record_call(
            ticket,
            window,
            moment=moment,
            principal=principal,
            conn=conn,
            after={"recalls": ticket.recalls + 1},
            recall=True,
        )
    await events.publish(
        ticket.service_point.code,
        "call",
        ticket_no=ticket.ticket_no,
        window=window.code,
        called_at=moment.isoformat(),
        recall=True,
    )
    return await view(await get_ticket(ticket.id))
