"""Taking a number, and giving it up before it is called.

Numbers come from an atomic per-queue, per-day counter inside the one statement
that inserts the ticket, so two kiosks never print the same number.
"""

from __future__ import annotations

import functools
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Never

from tortoise import connections

from servicedesk.accounts.service import Principal
from servicedesk.catalogue import service as catalogue
from servicedesk.catalogue.models import Queue, ServicePointMatter
from servicedesk.errors import Conflict, Forbidden, NotFound
from servicedesk.queue import events
from servicedesk.queue.config import get_queue_settings
from servicedesk.queue.models import RANK, Priority, Ticket, ticket_db_value
from servicedesk.queue.service import (
    T,
    TicketView,
    by_code,
    check_point,
    get_ticket,
    own_point,
    view,
)
from servicedesk.queue.transitions import move
from servicedesk.timeutil import beijing_date, now, today

_expired_through: list[date] = []  # the last Beijing day this process closed


async def expire_previous_days() -> int:
    """Numbers restart every day: tickets still waiting from an earlier day are
    cancelled, so yesterday's B001 is never called before today's. Runs once a day
    per process (idempotent across workers); returns how many it closed."""
    current = today()
    if _expired_through and _expired_through[0] >= current:
        return 0
    closed = await Ticket.filter(status=T.WAITING, day__lt=current).update(status=T.CANCELLED)
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
    ticket = await issue(
        offering,
        priority=priority,
        kiosk_id=principal.kiosk.id if principal.kiosk else None,
        case_no=case_no,
        taken_at=taken_at,
    )
    if ticket is None:
        await _why_not_issued(principal, service_point=service_point, matter_code=matter_code)
    await events.publish(service_point, "taken", queue=ticket.queue.code)
    return await view(ticket)


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
    sp_code) or none, and its parameters in order."""

    sql: str
    params: tuple[Any, ...]

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
            " WHERE sp.code = {p1:text} AND m.code = {p2:text} AND NOT spm.hidden"
            " AND sp.id = COALESCE({p3:integer}, sp.id)",
            (service_point, matter_code, at),
        )

    @classmethod
    def queue(cls, queue_id: int, matter_id: int | None) -> Source:
        return cls(
            "SELECT q.service_point_id AS sp_id, q.id AS q_id, {p2:integer} AS m_id,"
            " q.code AS q_code, sp.code AS sp_code FROM queues q"
            " JOIN service_points sp ON sp.id = q.service_point_id WHERE q.id = {p1:integer}",
            (queue_id, matter_id),
        )


# Issuing a number is the kiosk's hot path, so it is one statement that reads the
# source, numbers the ticket and inserts it. SQLite runs one writer at a time, so
# MAX + 1 inside the statement is atomic there; PostgreSQL takes the number from a
# per-queue daily counter row in the same statement. The unique (queue, day, seq)
# constraint refuses a repeated number on both.
_COLUMNS = (
    "service_point_id, queue_id, matter_id, day, seq, ticket_no, priority, rank, status,"
    " taken_at, recalls, kiosk_id, code, case_no"
)
_VALUES = (
    "src.sp_id, src.q_id, src.m_id, {p1:date}, src.seq, src.q_code || {number}, {p2:text},"
    " {p3:smallint}, 'waiting', {p4:timestamptz}, 0, {p5:integer}, {p6:text}, {p7:text}"
)
_RETURNING = " RETURNING *, (SELECT code FROM queues WHERE queues.id = tickets.queue_id) AS q_code"
_ISSUE_SQLITE = (
    "INSERT INTO tickets (" + _COLUMNS + ") SELECT " + _VALUES + " FROM (SELECT s.*,"
    " (SELECT COALESCE(MAX(t.seq), 0) + 1 FROM tickets t"
    " WHERE t.queue_id = s.q_id AND t.day = {p1:date}) AS seq FROM ({src}) s LIMIT 1) src"
    + _RETURNING
)
_ISSUE_POSTGRES = (
    "WITH s AS ({src} LIMIT 1), n AS (INSERT INTO daily_sequences (scope, day, value)"
    " SELECT 'ticket:' || s.sp_code || ':' || s.q_code, {p1:date}, 1 FROM s"
    " ON CONFLICT (scope, day) DO UPDATE SET value = daily_sequences.value + 1"
    " RETURNING value AS seq) INSERT INTO tickets ("
    + _COLUMNS
    + ") SELECT "
    + _VALUES
    + " FROM (SELECT s.*, n.seq FROM s, n) src"
    + _RETURNING
)
_NUMBER = {
    "sqlite": "printf('%03d', src.seq)",
    "postgres": "CASE WHEN src.seq < 1000 THEN lpad(src.seq::text, 3, '0') ELSE src.seq::text END",
}


def _placeholders(sql: str, dialect: str, offset: int) -> str:
    """``{pN:type}`` -> ``$M::type`` (PostgreSQL) or ``?M`` (SQLite), M = N + offset."""

    def mark(match: re.Match[str]) -> str:
        number = int(match.group(1)) + offset
        return f"${number}::{match.group(2)}" if dialect == "postgres" else f"?{number}"

    return re.sub(r"\{p(\d+):(\w+)\}", mark, sql)


@functools.lru_cache(maxsize=16)
def _issue_sql(dialect: str, source: str) -> str:
    template = _ISSUE_POSTGRES if dialect == "postgres" else _ISSUE_SQLITE
    number = template.replace("{number}", _NUMBER[dialect])
    return _placeholders(number.replace("{src}", _placeholders(source, dialect, 7)), dialect, 0)


async def issue(
    source: Source,
    *,
    priority: Priority,
    kiosk_id: int | None = None,
    case_no: str | None = None,
    taken_at: datetime | None = None,
) -> Ticket | None:
    """Insert a waiting ticket with the queue's next number of the Beijing day, in
    one statement; None when ``source`` yields no row."""
    conn = connections.get("default")
    dialect = conn.capabilities.dialect
    moment = taken_at or now()
    sql = _issue_sql(dialect, source.sql)
    params = [
        ticket_db_value("day", beijing_date(moment)),
        priority.value,
        RANK[priority],
        ticket_db_value("taken_at", moment),
        kiosk_id,
        secrets.token_urlsafe(12),
        case_no,
        *source.params,
    ]
    rows = await conn.execute_query_dict(sql, params)
    if not rows:
        return None
    row = rows[0]
    queue_code = row.pop("q_code")
    ticket = Ticket._init_from_db(**row)
    ticket.queue = Queue._init_from_db(id=row["queue_id"], code=queue_code)
    ticket.window = None
    return ticket


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
