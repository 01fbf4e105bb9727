"""The per-queue waiting tallies stay equal to a count of the waiting tickets, and a
new ticket's place read from them equals the place counted from the tickets.

A seeded random morning of every move a ticket can make (take, green channel, call,
start, complete, void, cancel from the receipt, transfer, no-show), checked after each
move; then tickets left from an earlier day are closed and counted afresh.
"""

from __future__ import annotations

import random
from datetime import timedelta

from tortoise import connections
from tortoise.context import TortoiseContext

from servicedesk.accounts import service as accounts
from servicedesk.accounts.service import Principal
from servicedesk.catalogue import service as catalogue
from servicedesk.errors import ServiceDeskError
from servicedesk.queue import calls, issuing, transitions
from servicedesk.queue.estimate import estimate
from servicedesk.queue.models import Priority, QueueTally, Ticket, TicketStatus
from servicedesk.queue.service import TicketView
from servicedesk.timeutil import frozen, now
from tests.factories import make_catalogue, make_user

MATTERS = ["HTE-CERT", "TECH-SME", "WORK-RES", "POLICY-DIST", "FOREIGN-WP", "SRDI-SME"]
WINDOWS = ["HD-AI-W1", "HD-AI-W2", "HD-AI-W3"]


async def _assert_tallies_match() -> None:
    rows = await connections.get("default").execute_query_dict(
        "SELECT queue_id, SUM(CASE WHEN rank = 0 THEN 1 ELSE 0 END) AS first,"
        " SUM(CASE WHEN rank = 0 THEN 0 ELSE 1 END) AS normal FROM tickets"
        " WHERE status = 'waiting' GROUP BY queue_id"
    )
    counted = {r["queue_id"]: (int(r["first"]), int(r["normal"])) for r in rows}
    tallied = {
        t.queue_id: (t.priority_waiting, t.normal_waiting)
        for t in await QueueTally.all()
        if t.priority_waiting or t.normal_waiting or t.queue_id in counted
    }
    assert tallied == counted


async def _assert_place_as_counted(view: TicketView) -> None:
    assert view.estimate is not None
    counted = await estimate(view.ticket)
    assert (view.estimate.position, view.estimate.ahead) == (counted.position, counted.ahead)
    assert view.estimate.minutes == counted.minutes


async def test_tallies_follow_every_move(db: TortoiseContext) -> None:
    del db
    await make_catalogue()
    device, _ = await accounts.create_kiosk(await catalogue.get_point("HD-AI"))
    kiosk = Principal(kiosk=device)
    clerk = Principal(user=await make_user(username="tally-clerk"))
    rng = random.Random(14)
    taken: list[TicketView] = []
    for step in range(160):
        move = rng.choices(
            ["take", "green", "call", "start", "done", "void", "cancel", "transfer", "no_show"],
            weights=[10, 2, 5, 2, 4, 1, 1, 2, 1],
        )[0]
        try:
            if move in ("take", "green"):
                priority = Priority.GREEN if move == "green" else Priority.NORMAL
                view = await issuing.take(
                    principal=kiosk,
                    service_point="HD-AI",
                    matter_code=rng.choice(MATTERS),
                    priority=priority,
                )
                await _assert_place_as_counted(view)
                taken.append(view)
            elif move == "call":
                await calls.call_next(rng.choice(WINDOWS), principal=clerk)
            elif taken:
                await _other_move(move, rng.choice(taken), rng, kiosk=kiosk, clerk=clerk)
        except ServiceDeskError:
            pass  # a move the ticket's state refuses (409): nothing changes
        await _assert_tallies_match(), step


async def _other_move(
    move: str, view: TicketView, rng: random.Random, *, kiosk: Principal, clerk: Principal
) -> None:
    ticket = view.ticket
    if move == "start":
        await transitions.start(ticket.id, principal=clerk)
    elif move == "done":
        await transitions.complete(ticket.id, principal=clerk)
    elif move == "void":
        await issuing.void(ticket.id, principal=kiosk)
    elif move == "cancel":
        await issuing.cancel_by_holder(ticket.code)
    elif move == "transfer":
        await transitions.transfer(ticket.id, queue=rng.choice("ABC"), principal=clerk)
    elif move == "no_show":
        for _ in range(2):
            await calls.recall(ticket.id, principal=clerk)
        await transitions.no_show(ticket.id, principal=clerk)


async def test_an_earlier_days_tickets_leave_the_tallies(db: TortoiseContext) -> None:
    del db
    await make_catalogue()
    device, _ = await accounts.create_kiosk(await catalogue.get_point("HD-AI"))
    kiosk = Principal(kiosk=device)
    with frozen(now() - timedelta(days=1)):
        for matter in MATTERS:
            await issuing.take(principal=kiosk, service_point="HD-AI", matter_code=matter)
    issuing._expired_through.clear()  # a new day for this process
    today = await issuing.take(principal=kiosk, service_point="HD-AI", matter_code="HTE-CERT")
    assert today.estimate is not None
    assert (today.estimate.position, today.estimate.ahead) == (1, 0)
    assert await Ticket.filter(status=TicketStatus.WAITING).count() == 1
    await _assert_tallies_match()
