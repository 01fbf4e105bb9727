"""Tickets: take a number, call the next, recall, no-show, transfer, complete.

Every claim is decided by the database, never by process memory: call-next is one
conditional ``UPDATE … WHERE status = 'waiting'`` (with ``FOR UPDATE SKIP LOCKED``
on PostgreSQL) whose returned row count says who won, and the unique
``holding_window`` column refuses a second open ticket at one window. Numbers come
from an atomic per-queue, per-day counter.
"""

from __future__ import annotations

import functools
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from servicedesk.accounts.service import Principal
from servicedesk.audit import service as audit
from servicedesk.catalogue import service as catalogue
from servicedesk.catalogue.models import Queue, ServicePoint, ServicePointMatter, Window
from servicedesk.errors import (
    Conflict,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
    WindowBusy,
)
from servicedesk.queue.config import get_queue_settings
from servicedesk.queue.estimate import Estimate, estimate
from servicedesk.queue.events import broker
from servicedesk.queue.models import (
    RANK,
    Priority,
    Ticket,
    TicketCall,
    TicketStatus,
    ticket_db_value,
)
from servicedesk.timeutil import beijing_date, now, today

T = TicketStatus
OPEN = (T.CALLED, T.SERVING)
CLAIM_ATTEMPTS = 8


@dataclass
class TicketView:
    """A ticket with its queue letter, window and, while waiting, its estimate."""

    ticket: Ticket
    queue: str
    window: str | None
    estimate: Estimate | None
    transferred_to: int | None = None


# ---------------------------------------------------------------- helpers


def _own_point(principal: Principal) -> int | None:
    """The one service point ``principal`` may act at; None for an admin (any)."""
    if principal.user is not None and principal.user.role.value == "admin":
        return None
    if principal.service_point_id is None:
        raise Forbidden("you do not work at this service point")
    return principal.service_point_id


def _check_point(principal: Principal, point_id: int) -> None:
    own = _own_point(principal)
    if own is not None and own != point_id:
        raise Forbidden("you do not work at this service point")


async def get_ticket(ticket_id: int) -> Ticket:
    ticket = await Ticket.get_or_none(id=ticket_id).select_related(
        "queue", "window", "service_point"
    )
    if ticket is None:
        raise NotFound(f"ticket {ticket_id} does not exist")
    return ticket


async def view(ticket: Ticket) -> TicketView:
    if not isinstance(ticket.queue, Queue):
        await ticket.fetch_related("queue", "window")
    est = await estimate(ticket) if ticket.status is T.WAITING else None
    onward = None
    if ticket.status is T.TRANSFERRED:
        onward = await Ticket.filter(transferred_from_id=ticket.id).values_list("id", flat=True)
    return TicketView(
        ticket=ticket,
        queue=ticket.queue.code,
        window=ticket.window.code if ticket.window else None,
        estimate=est,
        transferred_to=int(onward[0]) if onward else None,  # type: ignore[call-overload]
    )


async def by_code(code: str) -> TicketView:
    """The ticket behind a receipt's QR code, following transfers to the live one."""
    ticket = await Ticket.get_or_none(code=code).select_related("service_point")
    if ticket is None:
        raise NotFound("no ticket with this code")
    while ticket.status is T.TRANSFERRED:
        onward = await Ticket.get_or_none(transferred_from_id=ticket.id).select_related(
            "service_point"
        )
        if onward is None:
            break
        ticket = onward
    return await view(ticket)


async def _publish(point_code: str, kind: str, **data: Any) -> None:
    await broker.publish(point_code, {"type": kind, **data})


# ---------------------------------------------------------------- taking a number


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
    offering = _Source.offering(service_point, matter_code, at=_own_point(principal))
    ticket = await _issue(
        offering,
        priority=priority,
        kiosk_id=principal.kiosk.id if principal.kiosk else None,
        case_no=case_no,
        taken_at=taken_at,
    )
    if ticket is None:
        await catalogue.get_point(service_point)  # 404 names the point if that is wrong
        found = await ServicePointMatter.get_or_none(
            service_point__code=service_point, matter__code=matter_code, hidden=False
        )
        if found is None:
            raise NotFound(
                f"matter {matter_code!r} is not offered at service point {service_point}"
            )
        _check_point(principal, found.service_point_id)  # type: ignore[attr-defined]
        raise Conflict("the matter's queue changed meanwhile; try again")
    await _publish(service_point, "taken", queue=ticket.queue.code)
    return await view(ticket)


@dataclass(frozen=True)
class _Source:
    """Where a new ticket goes: a SELECT yielding one row (sp_id, q_id, m_id, q_code,
    sp_code) or none, and its parameters in order."""

    sql: str
    params: tuple[Any, ...]

    @classmethod
    def offering(cls, service_point: str, matter_code: str, *, at: int | None) -> _Source:
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
    def queue(cls, queue_id: int, matter_id: int | None) -> _Source:
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


async def _issue(
    source: _Source,
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


async def void(ticket_id: int, *, principal: Principal) -> TicketView:
    """A kiosk voids a ticket whose receipt failed to print, before anyone calls it."""
    ticket = await get_ticket(ticket_id)
    _check_point(principal, ticket.service_point_id)  # type: ignore[attr-defined]
    if principal.kiosk is None or ticket.kiosk_id != principal.kiosk.id:  # type: ignore[attr-defined]
        raise Forbidden("only the kiosk that printed a ticket may void it")
    limit = get_queue_settings().void_seconds
    if now() - ticket.taken_at > timedelta(seconds=limit):
        raise Conflict(f"a ticket can be voided only within {limit} seconds of taking it")
    return await _move(
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
    return await _move(
        current.ticket,
        {T.WAITING},
        T.CANCELLED,
        principal=actor,
        action="cancel",
        changes={"finished_at": now()},
        actor="firm",
    )


# ---------------------------------------------------------------- calling


async def get_window(code: str, *, principal: Principal) -> Window:
    window = await Window.get_or_none(code=code).select_related("service_point")
    if window is None:
        raise NotFound(f"window {code!r} does not exist")
    _check_point(principal, window.service_point_id)  # type: ignore[attr-defined]
    return window


def _claim_sql(dialect: str) -> str:
    """One statement: the window's best waiting ticket becomes called, if still waiting."""
    m2m = Window._meta.fields_map["queues"]
    through, forward, backward = (
        getattr(m2m, k) for k in ("through", "forward_key", "backward_key")
    )
    served = f"SELECT {forward} FROM {through} WHERE {backward} = {{w}}"
    if dialect == "postgres":
        p, lock = ("$1", "$2", "$2"), "FOR UPDATE SKIP LOCKED"
    else:
        p, lock = ("?", "?", "?"), ""
    return (
        f"UPDATE tickets SET status = 'called', called_at = {p[0]}, window_id = {p[1]}, "
        f"holding_window = {p[1]} WHERE status = 'waiting' AND id = ("
        f"SELECT id FROM tickets WHERE status = 'waiting' AND queue_id IN "
        f"({served.format(w=p[2])}) ORDER BY rank, taken_at, id LIMIT 1 {lock}) RETURNING id"
    )


async def call_next(window_code: str, *, principal: Principal) -> TicketView | None:
    """Claim the best waiting ticket for the window; None when nothing waits."""
    await expire_previous_days()
    held = await Ticket.get_or_none(window__code=window_code, holding_window__isnull=False)
    if held is not None:
        _check_point(principal, held.service_point_id)  # type: ignore[attr-defined]
        raise WindowBusy(
            f"window {window_code} still has {held.ticket_no} ({held.status.value}); "
            "complete, no-show or transfer it first",
            extra={"ticket_id": held.id},
        )
    window = await get_window(window_code, principal=principal)
    for _ in range(CLAIM_ATTEMPTS):
        claimed = await _claim(window, principal=principal)
        if claimed is not None:
            await _publish(
                window.service_point.code,
                "call",
                ticket_no=claimed.ticket_no,
                window=window.code,
                called_at=(claimed.called_at or now()).isoformat(),
                recall=False,
            )
            return await view(claimed)
        if not await Ticket.exists(status=T.WAITING, queue__windows__id=window.id):
            return None
    return None  # every candidate went to other windows meanwhile; the clerk tries again


async def _claim(window: Window, *, principal: Principal) -> Ticket | None:
    moment = now()
    try:
        async with in_transaction() as conn:
            if conn.capabilities.dialect == "postgres":
                # One claim per window at a time: a second caller at the same window
                # gets 409 at once instead of locking a ticket it could not take
                # (which would make other windows skip that ticket for a moment).
                _, locked = await conn.execute_query(
                    "SELECT id FROM windows WHERE id = $1 FOR UPDATE SKIP LOCKED", [window.id]
                )
                if (
                    not locked
                    or await Ticket.filter(holding_window=window.id).using_db(conn).exists()
                ):
                    raise WindowBusy(f"window {window.code} just called another ticket")
            sql, dialect = _claim_sql(conn.capabilities.dialect), conn.capabilities.dialect
            params = [ticket_db_value("called_at", moment), window.id]
            rows = await conn.execute_query_dict(
                sql, params if dialect == "postgres" else [*params, window.id, window.id]
            )
            if not rows:
                return None
            ticket = (
                await Ticket.filter(id=rows[0]["id"])
                .using_db(conn)
                .select_related("queue", "window")
                .get()
            )
            await _record_call(
                ticket,
                window,
                moment=moment,
                principal=principal,
                conn=conn,
                after={"window": window.code},
            )
    except IntegrityError:
        raise WindowBusy(f"window {window.code} just called another ticket") from None
    return ticket


async def _record_call(
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
        service_point_id=window.service_point_id,  # type: ignore[attr-defined]
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


async def _move(
    ticket: Ticket,
    allowed: set[TicketStatus],
    to: TicketStatus,
    *,
    principal: Principal,
    action: str,
    changes: dict[str, Any] | None = None,
    actor: str | None = None,
) -> TicketView:
    """Move ``ticket`` to ``to`` if it is still in an allowed status; audit it."""
    if ticket.status not in allowed:
        raise IllegalTransition(
            f"cannot {action.replace('_', ' ')} ticket {ticket.ticket_no}: it is "
            f"{ticket.status.value}",
            extra={"status": ticket.status.value},
        )
    changes = dict(changes or {})
    if to not in OPEN:
        changes["holding_window"] = None
    async with in_transaction() as conn:
        moved = (
            await Ticket.filter(id=ticket.id, status=ticket.status)
            .using_db(conn)
            .update(status=to, **changes)
        )
        if not moved:
            raise IllegalTransition(f"ticket {ticket.ticket_no} was changed by someone else")
        await audit.record(
            f"ticket.{action}",
            actor=actor or principal.label,
            entity="ticket",
            entity_id=ticket.id,
            before={"status": ticket.status.value},
            after={"status": to.value},
            connection=conn,
        )
    await _publish(ticket.service_point.code, "update", ticket_no=ticket.ticket_no, status=to.value)
    for name, value in changes.items():
        setattr(ticket, name, value)
    ticket.status = to
    return await view(ticket)


async def _clerk_ticket(ticket_id: int, principal: Principal) -> Ticket:
    ticket = await get_ticket(ticket_id)
    _check_point(principal, ticket.service_point_id)  # type: ignore[attr-defined]
    return ticket


async def recall(ticket_id: int, *, principal: Principal) -> TicketView:
    """Call the same number again, up to the configured number of recalls."""
    ticket = await _clerk_ticket(ticket_id, principal)
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
        await _record_call(
            ticket,
            window,
            moment=moment,
            principal=principal,
            conn=conn,
            after={"recalls": ticket.recalls + 1},
            recall=True,
        )
    await _publish(
        ticket.service_point.code,
        "call",
        ticket_no=ticket.ticket_no,
        window=window.code,
        called_at=moment.isoformat(),
        recall=True,
    )
    return await view(await get_ticket(ticket.id))


async def start(ticket_id: int, *, principal: Principal) -> TicketView:
    """The firm arrived at the window: serving starts."""
    ticket = await _clerk_ticket(ticket_id, principal)
    return await _move(
        ticket,
        {T.CALLED},
        T.SERVING,
        principal=principal,
        action="serve",
        changes={"served_at": now()},
    )


async def complete(ticket_id: int, *, principal: Principal) -> TicketView:
    """The matter was handled at the window."""
    ticket = await _clerk_ticket(ticket_id, principal)
    return await _move(
        ticket,
        set(OPEN),
        T.DONE,
        principal=principal,
        action="complete",
        changes={"finished_at": now()},
    )


async def no_show(ticket_id: int, *, principal: Principal) -> TicketView:
    """The firm did not come after the configured number of recalls."""
    ticket = await _clerk_ticket(ticket_id, principal)
    limit = get_queue_settings().max_recalls
    if ticket.status is T.CALLED and ticket.recalls < limit:
        raise Conflict(
            f"recall {ticket.ticket_no} first: no-show comes after {limit} recalls "
            f"({ticket.recalls} so far)"
        )
    return await _move(
        ticket,
        {T.CALLED},
        T.NO_SHOW,
        principal=principal,
        action="no_show",
        changes={"finished_at": now()},
    )


async def transfer(ticket_id: int, *, queue: str, principal: Principal) -> TicketView:
    """Send the firm to another queue; it keeps its number and its time taken."""
    ticket = await _clerk_ticket(ticket_id, principal)
    target = await Queue.get_or_none(
        service_point_id=ticket.service_point_id,  # type: ignore[attr-defined]
        code=queue,
    )
    if target is None:
        raise InvalidInput(
            f"queue {queue!r} does not exist at this service point", extra={"field": "queue"}
        )
    if target.id == ticket.queue_id:  # type: ignore[attr-defined]
        raise InvalidInput(
            f"ticket {ticket.ticket_no} is already in queue {queue}", extra={"field": "queue"}
        )
    if ticket.status not in OPEN:
        raise IllegalTransition(
            f"cannot transfer ticket {ticket.ticket_no}: it is {ticket.status.value}",
            extra={"status": ticket.status.value},
        )
    async with in_transaction() as conn:
        moved = (
            await Ticket.filter(id=ticket.id, status=ticket.status)
            .using_db(conn)
            .update(status=T.TRANSFERRED, holding_window=None, finished_at=now())
        )
        if not moved:
            raise IllegalTransition(f"ticket {ticket.ticket_no} was changed by someone else")
        onward = await Ticket.create(
            service_point_id=ticket.service_point_id,  # type: ignore[attr-defined]
            queue=target,
            matter_id=ticket.matter_id,  # type: ignore[attr-defined]
            day=ticket.day,
            ticket_no=ticket.ticket_no,
            priority=ticket.priority,
            rank=ticket.rank,
            taken_at=ticket.taken_at,
            kiosk_id=ticket.kiosk_id,  # type: ignore[attr-defined]
            code=secrets.token_urlsafe(12),
            transferred_from=ticket,
            case_no=ticket.case_no,
            using_db=conn,
        )
        await audit.record(
            "ticket.transfer",
            actor=principal.label,
            entity="ticket",
            entity_id=ticket.id,
            after={"queue": queue, "onward": onward.id},
            connection=conn,
        )
    await _publish(
        ticket.service_point.code, "update", ticket_no=ticket.ticket_no, status="transferred"
    )
    return await view(await get_ticket(ticket.id))


# ---------------------------------------------------------------- overviews


async def waiting_counts(point: ServicePoint) -> dict[str, int]:
    """Waiting tickets per queue letter, every queue of the point listed."""
    queues = await Queue.filter(service_point=point).order_by("code")
    rows: list[int] = await Ticket.filter(  # type: ignore[assignment]
        service_point=point, status=T.WAITING
    ).values_list("queue_id", flat=True)
    return {q.code: sum(1 for r in rows if r == q.id) for q in queues}


async def held_by(window: Window) -> Ticket | None:
    return await Ticket.get_or_none(holding_window=window.id).select_related("queue", "matter")


async def next_waiting(queue_ids: list[int], *, limit: int = 8) -> list[Ticket]:
    return (
        await Ticket.filter(status=T.WAITING, queue_id__in=queue_ids)
        .order_by("rank", "taken_at", "id")
        .limit(limit)
        .select_related("queue")
    )


async def recent_calls(point: ServicePoint, *, limit: int = 10) -> list[TicketCall]:
    return await TicketCall.filter(service_point=point).order_by("-called_at", "-id").limit(limit)


async def now_calling(point: ServicePoint) -> list[Ticket]:
    """The ticket each window is calling or serving, by window."""
    return (
        await Ticket.filter(service_point=point, holding_window__isnull=False)
        .select_related("window")
        .order_by("window_id")
    )


def connection_dialect() -> str:
    return str(connections.get("default").capabilities.dialect)
