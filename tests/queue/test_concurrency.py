"""32 callers at 8 windows drain 1,000 tickets: each called exactly once, in order.

In-process (SQLite or PostgreSQL) the callers are asyncio tasks over the service
layer; ``test_workers.py`` does the same over HTTP against two server processes.
"""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from collections.abc import Awaitable, Callable

import pytest
from tortoise.exceptions import IntegrityError

from servicedesk.accounts import service as accounts
from servicedesk.accounts.service import Principal
from servicedesk.catalogue import service as catalogue
from servicedesk.catalogue.models import Queue, ServicePointMatter
from servicedesk.errors import WindowBusy
from servicedesk.queue import calls, issuing, transitions
from servicedesk.queue.models import Ticket, TicketCall, TicketStatus
from servicedesk.sequences.models import DailySequence
from tests.factories import make_catalogue, make_user
from tests.queue.hall import WINDOWS, fill, make_big_hall, take_at_once

TICKETS = 1000
CALLERS_PER_WINDOW = 4  # 8 windows x 4 = 32 concurrent callers

# call(window) -> ticket id, or None when nothing waits; raises WindowBusy
CallFn = Callable[[str], Awaitable[int | None]]
CompleteFn = Callable[[int], Awaitable[None]]


async def drain(call: CallFn, complete: CompleteFn) -> dict[str, list[int]]:
    """Every caller calls and completes until nothing waits; ticket ids per window."""
    calls: dict[str, list[int]] = defaultdict(list)

    async def caller(window: str, seed: int) -> None:
        rng, backoff = random.Random(seed), 0.02
        while True:
            try:
                ticket_id = await call(window)
            except WindowBusy:  # a colleague at this window holds a ticket: back off
                await asyncio.sleep(backoff * rng.uniform(0.5, 1.5))
                backoff = min(backoff * 2, 1.0)
                continue
            if ticket_id is None:
                return
            backoff = 0.02
            calls[window].append(ticket_id)
            await complete(ticket_id)

    await asyncio.gather(
        *[
            caller(w, seed=i * 10 + j)
            for i, w in enumerate(WINDOWS)
            for j in range(CALLERS_PER_WINDOW)
        ]
    )
    return calls


async def assert_drained_in_order(calls: dict[str, list[int]], *, total: int = TICKETS) -> None:
    called = [t for ids in calls.values() for t in ids]
    assert len(called) == total
    assert len(set(called)) == total, "a ticket went to two windows"
    assert await Ticket.filter(status=TicketStatus.DONE).count() == total
    assert await Ticket.filter(status=TicketStatus.WAITING).count() == 0
    assert await TicketCall.all().count() == total
    # No new tickets arrive during the drain, so each window must take its queues'
    # tickets in priority order: any inversion means a ticket was skipped.
    order = {t.id: (t.rank, t.taken_at, t.id) for t in await Ticket.all()}
    for window, ids in calls.items():
        keys = [order[i] for i in ids]
        assert keys == sorted(keys), f"{window} called out of priority order"


@pytest.mark.usefixtures("db")
async def test_32_callers_drain_1000_tickets() -> None:
    await make_catalogue()
    point = await make_big_hall()
    clerk = Principal(user=await make_user(username="big-clerk", service_point="BIG"))
    await fill(point, TICKETS)

    async def call(window: str) -> int | None:
        view = await calls.call_next(window, principal=clerk)
        return view.ticket.id if view else None

    async def complete(ticket_id: int) -> None:
        await transitions.complete(ticket_id, principal=clerk)

    await assert_drained_in_order(await drain(call, complete))


@pytest.mark.usefixtures("db")
async def test_concurrent_takes_get_distinct_consecutive_numbers() -> None:
    """64 kiosks' takes at once: per queue the numbers are 001, 002 … without gaps."""
    await make_catalogue()
    await make_big_hall()
    views = await take_at_once(64)
    numbers: dict[str, list[str]] = defaultdict(list)
    for view in views:
        assert view.ticket.ticket_no.startswith(view.queue)
        numbers[view.queue].append(view.ticket.ticket_no)
    for queue, got in numbers.items():
        assert sorted(got) == [f"{queue}{n:03d}" for n in range(1, len(got) + 1)]
    stored = await Ticket.all().values_list("ticket_no", "seq")
    assert all(int(no[1:]) == seq for no, seq in stored)


@pytest.mark.usefixtures("db")
async def test_numbers_go_past_999_and_the_database_refuses_a_repeat() -> None:
    await make_catalogue()
    point = await make_big_hall()
    queue = await Queue.get(service_point=point, code="A")
    device, _ = await accounts.create_kiosk(await catalogue.get_point("BIG"))
    kiosk = Principal(kiosk=device)
    matter = await ServicePointMatter.filter(queue=queue).prefetch_related("matter").first()
    assert matter is not None
    first = await issuing.take(principal=kiosk, service_point="BIG", matter_code=matter.matter.code)
    # Jump to the 999th number (SQLite numbers from the tickets, PostgreSQL from the counter).
    await Ticket.filter(id=first.ticket.id).update(seq=999, ticket_no="A999")
    await DailySequence.filter(scope="ticket:BIG:A").update(value=999)
    after = await issuing.take(principal=kiosk, service_point="BIG", matter_code=matter.matter.code)
    assert after.ticket.ticket_no == "A1000"
    with pytest.raises(IntegrityError):
        await Ticket.create(
            service_point=point,
            queue=queue,
            day=after.ticket.day,
            seq=1000,
            ticket_no="A1000",
            taken_at=after.ticket.taken_at,
            code="repeat",
        )
