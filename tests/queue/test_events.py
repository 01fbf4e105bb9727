"""Live screens: every stream of a point receives every call, in order, in few pieces.

The streams are the generators the SSE endpoint serves (``events.stream``), so on
PostgreSQL the events travel through ``pg_notify`` and the worker's listener.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

from tortoise.context import TortoiseContext

from servicedesk.accounts import service as accounts
from servicedesk.accounts.service import Principal
from servicedesk.catalogue import service as catalogue
from servicedesk.queue import calls, events, issuing, transitions
from tests.factories import make_catalogue, make_user

STREAMS = 40
MATTERS = ["HTE-CERT", "TECH-SME", "WORK-RES", "POLICY-DIST"]


async def _eventually(check: Callable[[], bool], *, seconds: float = 15) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def _screens(count: int, work: Callable[[], Awaitable[None]]) -> list[list[str]]:
    """Open ``count`` streams of HD-AI, run ``work``, and return what each received
    (one string per piece the stream yielded) once the work's last call arrived."""
    pieces: list[list[str]] = [[] for _ in range(count)]

    async def screen(i: int) -> None:
        async for piece in events.stream("HD-AI"):
            pieces[i].append(piece)

    tasks = [asyncio.create_task(screen(i)) for i in range(count)]
    try:
        await _eventually(lambda: all(pieces))  # each stream has subscribed
        await work()
        await _eventually(lambda: all("event: done" in "".join(p) for p in pieces))
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return pieces


def _events(pieces: list[str], kind: str) -> list[dict[str, object]]:
    found = []
    for block in "".join(pieces).split("\n\n"):
        lines = block.split("\n")
        if lines[0] == f"event: {kind}":
            found.append(json.loads(lines[1].removeprefix("data: ")))
    return found


async def test_every_stream_receives_every_call_in_order(db: TortoiseContext) -> None:
    del db
    await make_catalogue()
    device, _ = await accounts.create_kiosk(await catalogue.get_point("HD-AI"))
    kiosk = Principal(kiosk=device)
    clerk = Principal(user=await make_user(username="events-clerk"))
    called: list[str] = []

    async def morning() -> None:
        for i in range(30):
            await issuing.take(principal=kiosk, service_point="HD-AI", matter_code=MATTERS[i % 4])
        for i in range(12):
            view = await calls.call_next(f"HD-AI-W{1 + i % 3}", principal=clerk)
            assert view is not None
            called.append(view.ticket.ticket_no)
            await transitions.complete(view.ticket.id, principal=clerk)
        await asyncio.sleep(events.OTHER_DELAY * 2)  # numbers taken are announced in batches
        await events.publish("HD-AI", "done")

    screens = await _screens(STREAMS, morning)
    for pieces in screens:
        assert [e["ticket_no"] for e in _events(pieces, "call")] == called
        assert len(_events(pieces, "update")) == 12
        # Numbers taken in a burst reach a screen in a few pieces, not one per number,
        # as one event per queue with how many were taken.
        taken = _events(pieces, "taken")
        assert sum(int(str(e["count"])) for e in taken) == 30
        assert {str(e["queue"]) for e in taken} <= {"A", "B", "C"}
        assert len(taken) < 30
        assert len(pieces) < 30


async def test_a_stream_of_another_point_hears_nothing(db: TortoiseContext) -> None:
    del db
    await make_catalogue()
    heard: list[str] = []

    async def other() -> None:
        async for piece in events.stream("HD-BIO"):
            heard.append(piece)

    task = asyncio.create_task(other())
    try:
        await _eventually(lambda: bool(heard))  # subscribed: "retry" sent

        async def work() -> None:
            await events.publish("HD-AI", "call", ticket_no="A001", window="HD-AI-W1")
            await events.publish("HD-AI", "done")

        await _screens(1, work)
        await asyncio.sleep(events.CALL_DELAY * 3)
        assert "A001" not in "".join(heard)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
