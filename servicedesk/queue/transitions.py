"""A called ticket's way on: serving, done, no-show, or on to another queue.

Each move is a conditional ``UPDATE … WHERE status = <the status it was read in>``
whose row count says whether someone else moved the ticket first.
"""

from __future__ import annotations

import secrets
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.transactions import in_transaction

from servicedesk.accounts.service import Principal
from servicedesk.audit import service as audit
from servicedesk.catalogue.models import Queue
from servicedesk.errors import Conflict, IllegalTransition, InvalidInput
from servicedesk.queue import events, statements
from servicedesk.queue.config import get_queue_settings
from servicedesk.queue.finishing import finish
from servicedesk.queue.models import Ticket, TicketStatus
from servicedesk.queue.service import OPEN, T, TicketView, clerk_ticket, get_ticket, view
from servicedesk.timeutil import now


async def move(
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
        if ticket.status is T.WAITING:
            await tally(conn, ticket, -1)
        await audit.record(
            f"ticket.{action}",
            actor=actor or principal.label,
            entity="ticket",
            entity_id=ticket.id,
            before={"status": ticket.status.value},
            after={"status": to.value},
            connection=conn,
        )
    await events.publish(
        ticket.service_point.code, "update", ticket_no=ticket.ticket_no, status=to.value
    )
    for name, value in changes.items():
        setattr(ticket, name, value)
    ticket.status = to
    return await view(ticket)


async def tally(conn: BaseDBAsyncClient, ticket: Ticket, delta: int) -> None:
    """``ticket`` joins (+1) or leaves (-1) the waiting tickets of its queue."""
    values = {"queue": ticket.queue_id, "rank": int(ticket.rank), "delta": delta}
    await statements.fetch(conn, statements.TALLY, values)


async def start(ticket_id: int, *, principal: Principal) -> TicketView:
    """The firm arrived at the window: serving starts."""
    done = await finish(ticket_id, {T.CALLED}, T.SERVING, principal=principal, action="serve")
    if done is not None:
        return done
    ticket = await clerk_ticket(ticket_id, principal)  # says why: 404, 403 or 409
    return await move(
        ticket,
        {T.CALLED},
        T.SERVING,
        principal=principal,
        action="serve",
        changes={"served_at": now()},
    )


async def complete(ticket_id: int, *, principal: Principal) -> TicketView:
    """The matter was handled at the window."""
    done = await finish(ticket_id, set(OPEN), T.DONE, principal=principal, action="complete")
    if done is not None:
        return done
    ticket = await clerk_ticket(ticket_id, principal)  # says why: 404, 403 or 409
    return await move(
        ticket,
        set(OPEN),
        T.DONE,
        principal=principal,
        action="complete",
        changes={"finished_at": now()},
    )


async def no_show(ticket_id: int, *, principal: Principal) -> TicketView:
    """The firm did not come after the configured number of recalls."""
    ticket = await clerk_ticket(ticket_id, principal)
    limit = get_queue_settings().max_recalls
    if ticket.status is T.CALLED and ticket.recalls < limit:
        raise Conflict(
            f"recall {ticket.ticket_no} first: no-show comes after {limit} recalls "
            f"({ticket.recalls} so far)"
        )
    return await move(
        ticket,
        {T.CALLED},
        T.NO_SHOW,
        principal=principal,
        action="no_show",
        changes={"finished_at": now()},
    )


async def transfer(ticket_id: int, *, queue: str, principal: Principal) -> TicketView:
    """Send the firm to another queue; it keeps its number and its time taken."""
    ticket = await clerk_ticket(ticket_id, principal)
    target = await _transfer_target(ticket, queue)
    async with in_transaction() as conn:
        moved = (
            await Ticket.filter(id=ticket.id, status=ticket.status)
            .using_db(conn)
            .update(status=T.TRANSFERRED, holding_window=None, finished_at=now())
        )
        if not moved:
            raise IllegalTransition(f"ticket {ticket.ticket_no} was changed by someone else")
        onward = await _onward(ticket, target, conn=conn)
        await audit.record(
            "ticket.transfer",
            actor=principal.label,
            entity="ticket",
            entity_id=ticket.id,
            after={"queue": queue, "onward": onward.id},
            connection=conn,
        )
    await events.publish(
        ticket.service_point.code, "update", ticket_no=ticket.ticket_no, status="transferred"
    )
    return await view(await get_ticket(ticket.id))


async def _transfer_target(ticket: Ticket, queue: str) -> Queue:
    """The queue ``ticket`` may go on to: another queue of its point, while it is open."""
    target = await Queue.get_or_none(service_point_id=ticket.service_point_id, code=queue)
    if target is None:
        raise InvalidInput(
            f"queue {queue!r} does not exist at this service point", extra={"field": "queue"}
        )
    if target.id == ticket.queue_id:
        raise InvalidInput(
            f"ticket {ticket.ticket_no} is already in queue {queue}", extra={"field": "queue"}
        )
    if ticket.status not in OPEN:
        raise IllegalTransition(
            f"cannot transfer ticket {ticket.ticket_no}: it is {ticket.status.value}",
            extra={"status": ticket.status.value},
        )
    return target


async def _onward(ticket: Ticket, target: Queue, *, conn: TransactionalDBClient) -> Ticket:
    """The waiting ticket in ``target`` that carries on the transferred one."""
    onward = await Ticket.create(
        service_point_id=ticket.service_point_id,
        queue=target,
        matter_id=ticket.matter_id,
        day=ticket.day,
        ticket_no=ticket.ticket_no,
        priority=ticket.priority,
        rank=ticket.rank,
        taken_at=ticket.taken_at,
        kiosk_id=ticket.kiosk_id,
        code=secrets.token_urlsafe(12),
        transferred_from=ticket,
        case_no=ticket.case_no,
        using_db=conn,
    )
    await tally(conn, onward, +1)
    return onward
