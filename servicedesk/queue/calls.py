"""Calling at a window: call the next ticket, call the same one again.

Every claim is decided by the database, never by process memory: call-next is one
conditional ``UPDATE … WHERE status = 'waiting'`` (with ``FOR UPDATE SKIP LOCKED``
on PostgreSQL) whose returned row count says who won, and the unique
``holding_window`` column refuses a second open ticket at one window.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.backends.base.client import TransactionalDBClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from servicedesk.accounts.service import Principal
from servicedesk.audit import service as audit
from servicedesk.catalogue.models import Window
from servicedesk.errors import Conflict, IllegalTransition, NotFound, WindowBusy
from servicedesk.queue import events
from servicedesk.queue.config import get_queue_settings
from servicedesk.queue.issuing import expire_previous_days
from servicedesk.queue.models import Ticket, TicketCall, ticket_db_value
from servicedesk.queue.service import T, TicketView, check_point, clerk_ticket, get_ticket, view
from servicedesk.timeutil import now

CLAIM_ATTEMPTS = 8


async def get_window(code: str, *, principal: Principal) -> Window:
    window = await Window.get_or_none(code=code).select_related("service_point")
    if window is None:
        raise NotFound(f"window {code!r} does not exist")
    check_point(principal, window.service_point_id)
    return window


def _claim_sql(dialect: str) -> str:
    """One statement: the window's best waiting ticket becomes called, if still waiting."""
    m2m = Window._meta.fields_map["queues"]
    through, forward, backward = (
        getattr(m2m, k) for k in ("through", "forward_key", "backward_key")
    )
    served = f"SELECT {forward} FROM {through} WHERE {backward} = {{w}}"
    if dialect == "postgres":
        p, lock = ("$1", "$2", "$2", "$3"), "FOR UPDATE SKIP LOCKED"
    else:
        p, lock = ("?1", "?2", "?2", "?3"), ""
    return (
        f"UPDATE tickets SET status = 'called', called_at = {p[0]}, window_id = {p[1]}, "
        f"holding_window = {p[1]}, clerk_id = {p[3]} WHERE status = 'waiting' AND id = ("
        f"SELECT id FROM tickets WHERE status = 'waiting' AND queue_id IN "
        f"({served.format(w=p[2])}) ORDER BY rank, taken_at, id LIMIT 1 {lock}) RETURNING id"
    )


async def call_next(window_code: str, *, principal: Principal) -> TicketView | None:
    """Claim the best waiting ticket for the window; None when nothing waits."""
    await expire_previous_days()
    held = await Ticket.get_or_none(window__code=window_code, holding_window__isnull=False)
    if held is not None:
        check_point(principal, held.service_point_id)
        raise WindowBusy(
            f"window {window_code} still has {held.ticket_no} ({held.status.value}); "
            "complete, no-show or transfer it first",
            extra={"ticket_id": held.id},
        )
    window = await get_window(window_code, principal=principal)
    for _ in range(CLAIM_ATTEMPTS):
        claimed = await _claim(window, principal=principal)
        if claimed is not None:
            await events.publish(
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
            sql = _claim_sql(conn.capabilities.dialect)
            clerk_id = principal.user.id if principal.user else None
            params = [ticket_db_value("called_at", moment), window.id, clerk_id]
            rows = await conn.execute_query_dict(sql, params)
            if not rows:
                return None
            ticket = (
                await Ticket.filter(id=rows[0]["id"])
                .using_db(conn)
                .select_related("queue", "window")
                .get()
            )
            await record_call(
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
