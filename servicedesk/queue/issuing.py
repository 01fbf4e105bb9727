"""Taking a number, and giving it up before it is called.

Numbers come from an atomic per-queue, per-day counter inside the one statement
that inserts the ticket, so two kiosks never print the same number.
"""

from __future__ import annotations

import asyncio
import functools
import secrets
import weakref
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Never

from tortoise import connections

from servicedesk.accounts.service import Principal
from servicedesk.catalogue import service as catalogue
from servicedesk.catalogue.models import Queue, ServicePointMatter
from servicedesk.errors import Conflict, Forbidden, NotFound
from servicedesk.queue import events, statements
from servicedesk.queue.config import get_queue_settings
from servicedesk.queue.estimate import fresh_estimate
from servicedesk.queue.models import RANK, Priority, Ticket, ticket_db_value
from servicedesk.queue.service import (
    T,
    TicketView,
    by_code,
    check_point,
    get_ticket,
    own_point,
)
from servicedesk.queue.transitions import move
from servicedesk.timeutil import beijing_date, now, today

_expired_through: list[date] = []  # the last Beijing day this process closed
_expiring: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


async def expire_previous_days() -> int:
    """Numbers restart every day: tickets still waiting from an earlier day are
    cancelled, so yesterday's B001 is never called before today's. Runs once a day
    per process (idempotent across workers; the process's other requests meanwhile
    wait for it rather than run it again); returns how many it closed."""
    current = today()
    if _expired_through and _expired_through[0] >= current:
        return 0
    lock = _expiring.setdefault(asyncio.get_running_loop(), asyncio.Lock())
    async with lock:
        if _expired_through and _expired_through[0] >= current:
            return 0
        closed = await Ticket.filter(status=T.WAITING, day__lt=current).update(status=T.CANCELLED)
        # Once a day the waiting tallies are counted afresh (whether or not any closed).
        client = connections.get("default")
        await statements.fetch(client, statements.recount_sql(client.capabilities.dialect), {})
        _expired_through[:] = [current]
    return int(closed)


async def take(
    *,
    principal: Principal,
    service_point: str,
    matter_code: str,
    priority: Priority = Priority.NORMAL,
    case_no: str | None = None,
    taken_at: datetime | None = None,
) -> TicketView:
    """Give the firm the next number of the matter's queue at ``service_point``."""
    await expire_previous_days()
    # Not cached: an official's pin or hide applies at once, on every worker. The
    # statement finds the offering at the principal's own service point and inserts
    # the ticket; when it inserts nothing, the slower path below says why.
    offering = Source.offering(service_point, matter_code, at=own_point(principal))
    issued = await issue_counted(
        offering,
        priority=priority,
        kiosk_id=principal.kiosk.id if principal.kiosk else None,
        case_no=case_no,
        taken_at=taken_at,
    )
    if issued is None:
        await _why_not_issued(principal, service_point=service_point, matter_code=matter_code)
    return await issued.view()


async def _why_not_issued(principal: Principal, *, service_point: str, matter_code: str) -> Never:
    await catalogue.get_point(service_point)  # 404 names the point if that is wrong
    found = await ServicePointMatter.get_or_none(
        service_point__code=service_point, matter__code=matter_code, hidden=False
    )
    if found is None:
        raise NotFound(f"matter {matter_code!r} is not offered at service point {service_point}")
    check_point(principal, found.service_point_id)
    raise Conflict("the matter's queue changed meanwhile; try again")


@dataclass(frozen=True)
class Source:
    """Where a new ticket goes: a SELECT yielding one row (sp_id, q_id, m_id, q_code,
    sp_code) or none, and its named parameters."""

    sql: str
    params: dict[str, Any]

    @classmethod
    def offering(cls, service_point: str, matter_code: str, *, at: int | None) -> Source:
        """The matter's queue at the service point, if offered there and visible;
        ``at`` limits it to one service point (the caller's own)."""
        return cls(
            "SELECT spm.service_point_id AS sp_id, spm.queue_id AS q_id, spm.matter_id AS m_id,"
            " q.code AS q_code, sp.code AS sp_code FROM service_point_matters spm"
            " JOIN service_points sp ON sp.id = spm.service_point_id"
            " JOIN matters m ON m.id = spm.matter_id"
            " JOIN queues q ON q.id = spm.queue_id"
            " WHERE sp.code = {sp_code:text} AND m.code = {matter_code:text} AND NOT spm.hidden"
            " AND sp.id = COALESCE({own_point:integer}, sp.id)",
            {"sp_code": service_point, "matter_code": matter_code, "own_point": at},
        )

    @classmethod
    def queue(cls, queue_id: int, matter_id: int | None) -> Source:
        return cls(
            "SELECT q.service_point_id AS sp_id, q.id AS q_id, {matter_id:integer} AS m_id,"
            " q.code AS q_code, sp.code AS sp_code FROM queues q"
            " JOIN service_points sp ON sp.id = q.service_point_id WHERE q.id = {queue_id:integer}",
            {"queue_id": queue_id, "matter_id": matter_id},
        )


# Issuing a number is the kiosk's hot path: the source, the number, the insert, the
# queue's waiting tally and what the estimate needs, in one statement on PostgreSQL
# and one hand-off on SQLite (see statements.py). SQLite runs one writer at a time, so
# MAX + 1 inside the statement is atomic there; PostgreSQL takes the number from a
# per-queue daily counter row in the same statement. The unique (queue, day, seq)
# constraint refuses a repeated number on both.
_COLUMNS = (
    "service_point_id, queue_id, matter_id, day, seq, ticket_no, priority, rank, status,"
    " taken_at, recalls, kiosk_id, code, case_no"
)
_VALUES = (
    "src.sp_id, src.q_id, src.m_id, {day:date}, src.seq, src.q_code || {number},"
    " {priority:text}, {rank:smallint}, 'waiting', {taken_at:timestamptz}, 0, {kiosk:integer},"
    " {code:text}, {case_no:text}"
)
_ISSUE_SQLITE = (
    "INSERT INTO tickets (" + _COLUMNS + ") SELECT " + _VALUES + " FROM (SELECT s.*,"
    " (SELECT COALESCE(MAX(t.seq), 0) + 1 FROM tickets t"
    " WHERE t.queue_id = s.q_id AND t.day = {day}) AS seq FROM ({src}) s LIMIT 1) src"
    " RETURNING *, (SELECT code FROM queues WHERE queues.id = tickets.queue_id) AS q_code,"
    " (SELECT code FROM service_points sp WHERE sp.id = tickets.service_point_id) AS sp_code"
)
_TALLY_SQLITE = (
    statements.TALLY
    + " RETURNING priority_waiting AS own_first, normal_waiting AS own_normal, "
    + statements.surroundings("queue_tallies.queue_id")
)
_ISSUE_POSTGRES = (
    "WITH s AS ({src} LIMIT 1), n AS (INSERT INTO daily_sequences (scope, day, value)"
    " SELECT 'ticket:' || s.sp_code || ':' || s.q_code, {day:date}, 1 FROM s"
    " ON CONFLICT (scope, day) DO UPDATE SET value = daily_sequences.value + 1"
    " RETURNING value AS seq),"
    " c AS (INSERT INTO queue_tallies (queue_id, priority_waiting, normal_waiting)"
    " SELECT s.q_id, CASE WHEN {rank:smallint} = 0 THEN 1 ELSE 0 END,"
    " CASE WHEN {rank} = 0 THEN 0 ELSE 1 END FROM s ON CONFLICT (queue_id) DO UPDATE SET"
    " priority_waiting = queue_tallies.priority_waiting + excluded.priority_waiting,"
    " normal_waiting = queue_tallies.normal_waiting + excluded.normal_waiting"
    " RETURNING priority_waiting AS own_first, normal_waiting AS own_normal),"
    " t AS (INSERT INTO tickets ("
    + _COLUMNS
    + ") SELECT "
    + _VALUES
    + " FROM (SELECT s.*, n.seq FROM s, n) src RETURNING *)"
    " SELECT t.*, s.q_code, s.sp_code, c.own_first, c.own_normal, "
    + statements.surroundings("s.q_id")
    + " FROM t, s, c"
)
_NUMBER = {
    "sqlite": "printf('%03d', src.seq)",
    "postgres": "CASE WHEN src.seq < 1000 THEN lpad(src.seq::text, 3, '0') ELSE src.seq::text END",
}


@functools.lru_cache(maxsize=16)
def _issue_sql(template: str, dialect: str, source: str) -> str:
    return template.replace("{number}", _NUMBER[dialect]).replace("{src}", source)


@dataclass(frozen=True)
class Issued:
    """A new ticket and where it stands, read from the queues' tallies."""

    ticket: Ticket
    point_code: str
    in_queue: int  # waiting ahead of it in its own queue
    ahead: int  # waiting ahead of it in every queue its windows serve
    busy: int  # windows serving its queue that hold a ticket

    async def view(self) -> TicketView:
        return TicketView(
            ticket=self.ticket,
            queue=self.ticket.queue.code,
            window=None,
            estimate=await fresh_estimate(
                self.ticket, in_queue=self.in_queue, ahead=self.ahead, busy=self.busy
            ),
        )


async def issue(
    source: Source,
    *,
    priority: Priority,
    kiosk_id: int | None = None,
    case_no: str | None = None,
    taken_at: datetime | None = None,
) -> Ticket | None:
    """Insert a waiting ticket with the queue's next number of the Beijing day; None
    when ``source`` yields no row."""
    issued = await issue_counted(
        source, priority=priority, kiosk_id=kiosk_id, case_no=case_no, taken_at=taken_at
    )
    return issued.ticket if issued else None


async def issue_counted(
    source: Source,
    *,
    priority: Priority,
    kiosk_id: int | None = None,
    case_no: str | None = None,
    taken_at: datetime | None = None,
) -> Issued | None:
    """:func:`issue`, also telling where the ticket stands; the point's boards and
    consoles hear of it (event ``taken``, see :func:`events.taken`)."""
    client = connections.get("default")
    moment = taken_at or now()
    day = beijing_date(moment)
    values = {
        "day": ticket_db_value("day", day),
        "priority": priority.value,
        "rank": RANK[priority],
        "taken_at": ticket_db_value("taken_at", moment),
        "kiosk": kiosk_id,
        "code": secrets.token_urlsafe(12),
        "case_no": case_no,
        "delta": 1,
        **source.params,
    }
    if statements.is_postgres(client):
        rows = await statements.fetch(
            client, _issue_sql(_ISSUE_POSTGRES, "postgres", source.sql), values
        )
        row = rows[0] if rows else None
    else:
        sql = _issue_sql(_ISSUE_SQLITE, "sqlite", source.sql)
        row = await statements.on_sqlite_thread(client, lambda db: _issue_sqlite(db, sql, values))
    if row is None:
        return None
    events.taken(row["sp_code"], row["q_code"])
    # The day and the instant as inserted, rather than parsed back from SQLite's text
    # (the same values; parsing them was a twentieth of a take's CPU).
    row["day"], row["taken_at"] = day, moment.astimezone(UTC)  # as read back: UTC
    return _issued(row, RANK[priority])


def _issue_sqlite(db: statements.Batch, sql: str, values: dict[str, Any]) -> dict[str, Any] | None:
    row = db.one(sql, values)
    if row is None:
        return None
    counts = db.one(_TALLY_SQLITE, {**values, "queue": row["queue_id"]})
    assert counts is not None  # an upsert always answers its row
    return {**row, **counts}


def _issued(row: dict[str, Any], rank: int) -> Issued:
    extra = {k: row.pop(k) for k in _EXTRA if k in row}
    ticket = Ticket._init_from_db(**row)
    ticket.queue = Queue._init_from_db(id=row["queue_id"], code=extra["q_code"])
    ticket.window = None
    # The tallies count the new ticket itself; a priority ticket goes behind only the
    # priority tickets, a normal one behind every waiting ticket (all taken earlier).
    own = int(extra["own_first"]) + (int(extra["own_normal"]) if rank else 0) - 1
    others = int(extra["others"])  # the statement counted them for the ticket's rank
    return Issued(
        ticket=ticket,
        point_code=str(extra["sp_code"]),
        in_queue=max(own, 0),
        ahead=max(own, 0) + max(others, 0),
        busy=int(extra["busy"]),
    )


_EXTRA = (
    *("q_code", "sp_code"),
    *("own_first", "own_normal", "others", "busy"),
)


# ---------------------------------------------------------------- giving a number up


async def void(ticket_id: int, *, principal: Principal) -> TicketView:
    """A kiosk voids a ticket whose receipt failed to print, before anyone calls it."""
    ticket = await get_ticket(ticket_id)
    check_point(principal, ticket.service_point_id)
    if principal.kiosk is None or ticket.kiosk_id != principal.kiosk.id:
        raise Forbidden("only the kiosk that printed a ticket may void it")
    limit = get_queue_settings().void_seconds
    if now() - ticket.taken_at > timedelta(seconds=limit):
        raise Conflict(f"a ticket can be voided only within {limit} seconds of taking it")
    return await move(
        ticket,
        {T.WAITING},
        T.CANCELLED,
        principal=principal,
        action="void",
        changes={"finished_at": now()},
    )


async def cancel_by_holder(code: str) -> TicketView:
    """The firm gives up its waiting ticket from the receipt's status page."""
    current = await by_code(code)
    actor = Principal()
    return await move(
        current.ticket,
        {T.WAITING},
        T.CANCELLED,
        principal=actor,
        action="cancel",
        changes={"finished_at": now()},
        actor="firm",
    )
