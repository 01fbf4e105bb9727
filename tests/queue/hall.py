"""A large hall for concurrency tests: 8 windows over 3 queues, and many tickets."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

from tortoise.transactions import in_transaction

from servicedesk.accounts import service as accounts
from servicedesk.accounts.service import Principal
from servicedesk.catalogue import service as catalogue
from servicedesk.catalogue.models import Queue, ServicePoint, ServicePointMatter, Window
from servicedesk.queue import issuing
from servicedesk.queue.models import Priority
from servicedesk.queue.service import TicketView
from servicedesk.timeutil import now

WINDOWS = {
    f"BIG-W{i}": q
    for i, q in enumerate(
        [["A"], ["A", "B"], ["B"], ["B", "C"], ["C"], ["A", "C"], ["A", "B", "C"], ["C"]], start=1
    )
}


async def make_big_hall() -> ServicePoint:
    """Service point BIG (catalogue must exist) with 8 windows and every matter offered."""
    from servicedesk.catalogue.models import Matter

    point = await ServicePoint.create(code="BIG", name="大厅", focus_industries=["ai"])
    queues = {c: await Queue.create(service_point=point, code=c, name=c) for c in "ABC"}
    for code, served in WINDOWS.items():
        window = await Window.create(service_point=point, code=code)
        await window.queues.add(*[queues[q] for q in served])
    for i, matter in enumerate(await Matter.all().order_by("code")):
        await ServicePointMatter.create(
            service_point=point, matter=matter, queue=queues["ABC"[i % 3]]
        )
    return point


async def take_at_once(count: int) -> list[TicketView]:
    """``count`` numbers taken at once by a kiosk of BIG (catalogue and hall must
    exist), over every matter offered there in turn."""
    device, _ = await accounts.create_kiosk(await catalogue.get_point("BIG"))
    kiosk = Principal(kiosk=device)
    offered = await ServicePointMatter.filter(service_point__code="BIG").prefetch_related("matter")
    return list(
        await asyncio.gather(
            *[
                issuing.take(
                    principal=kiosk,
                    service_point="BIG",
                    matter_code=offered[i % len(offered)].matter.code,
                )
                for i in range(count)
            ]
        )
    )


async def fill(point: ServicePoint, count: int, *, seed: int = 7) -> None:
    """``count`` waiting tickets over the three queues, some of them priority ones."""
    rng = random.Random(seed)
    queues = await Queue.filter(service_point=point).order_by("code")
    start = now() - timedelta(hours=2)
    async with in_transaction():
        for i in range(count):
            priority = rng.choices(list(Priority), weights=[8, 1, 1])[0]
            await issuing.issue(
                issuing.Source.queue(rng.choice(queues).id, None),
                priority=priority,
                taken_at=start + timedelta(seconds=i),
            )
