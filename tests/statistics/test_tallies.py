"""The ticket-time tallies the database keeps equal the tallies counted here from the
tickets, after a seeded random day of every move (take, call, recall, start, done,
void, cancel, transfer, no-show) by two clerks at three windows; a rebuild gives the
same rows; and the statistics' percentiles equal the nearest rank of the tickets'
times in whole minutes, long waits (past the last bucket) included."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import numpy as np
from tortoise.context import TortoiseContext
from tortoise.transactions import in_transaction

from servicedesk.accounts import service as accounts
from servicedesk.accounts.service import Principal
from servicedesk.catalogue import service as catalogue
from servicedesk.errors import ServiceDeskError
from servicedesk.queue import calls, issuing, transitions
from servicedesk.queue.models import Ticket
from servicedesk.statistics import queries, tallies, times, volumes
from servicedesk.statistics.models import BUCKETS, TicketTimeTally, TicketVolumeTally
from servicedesk.statistics.queries import Scope
from servicedesk.timeutil import BEIJING, beijing, frozen
from tests.factories import make_catalogue, make_user

MATTERS = ["HTE-CERT", "TECH-SME", "WORK-RES", "POLICY-DIST", "FOREIGN-WP", "SRDI-SME"]
WINDOWS = ["HD-AI-W1", "HD-AI-W2", "HD-AI-W3"]
MOVES = ["take", "call", "recall", "start", "done", "void", "cancel", "transfer", "no_show"]
WEIGHTS = [8, 6, 2, 2, 6, 1, 1, 2, 1]
START = beijing(2026, 11, 16, 8, 30)


def counted_from_tickets(tickets: list[Ticket]) -> dict[tuple[Any, ...], list[int]]:
    """(day, point, per, key, kind) → [n, seconds, per-minute counts], from the rows."""
    out: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0] * (2 + len(BUCKETS)))
    for t in tickets:
        spans = []
        if t.called_at and t.transferred_from_id is None:
            spans.append(("wait", round((t.called_at - t.taken_at).total_seconds())))
        if t.status.value == "done" and t.called_at and t.finished_at:
            spans.append(("service", round((t.finished_at - t.called_at).total_seconds())))
        for kind, s in spans:
            for per, key in (("window", t.window_id), ("clerk", t.clerk_id)):
                row = out[(t.day, t.service_point_id, per, key or 0, kind)]
                row[0] += 1
                row[1] += s
                row[2 + min((max(s, 0) + 30) // 60, len(BUCKETS) - 1)] += 1
    return {k: v for k, v in out.items() if any(v)}


async def tallied() -> dict[tuple[Any, ...], list[int]]:
    return {
        (r.day, r.service_point_id, r.per, r.key_id, r.kind): [
            r.n,
            r.seconds,
            *(getattr(r, b) for b in BUCKETS),
        ]
        for r in await TicketTimeTally.all()
        if r.n or r.seconds or any(getattr(r, b) for b in BUCKETS)
    }


async def a_busy_day(rng: random.Random) -> None:
    await make_catalogue()
    device, _ = await accounts.create_kiosk(await catalogue.get_point("HD-AI"))
    kiosk = Principal(kiosk=device)
    clerks = [Principal(user=await make_user(username=f"t-clerk-{n}")) for n in range(2)]
    moment = START
    for _ in range(220):
        # Now and then a long lull, so some waits pass the tallies' last bucket.
        moment += timedelta(seconds=rng.choice([rng.randint(0, 400)] * 19 + [5600]))
        with frozen(moment):
            try:
                await one_move(
                    rng.choices(MOVES, WEIGHTS)[0], rng, kiosk=kiosk, clerk=rng.choice(clerks)
                )
            except ServiceDeskError:
                pass  # a move the ticket's state refuses: nothing changes


async def one_move(move: str, rng: random.Random, *, kiosk: Principal, clerk: Principal) -> None:
    if move == "take":
        await issuing.take(principal=kiosk, service_point="HD-AI", matter_code=rng.choice(MATTERS))
        return
    if move == "call":
        await calls.call_next(rng.choice(WINDOWS), principal=clerk)
        return
    # Moves at a window mostly meet the numbers being served; the others, any recent one.
    at_window = move in {"recall", "start", "done", "transfer", "no_show"}
    query = Ticket.filter(status__in=["called", "serving"]) if at_window else Ticket.all()
    tickets = await query.order_by("-id").limit(6)
    if not tickets:
        return
    ticket = rng.choice(tickets)
    work = {
        "recall": lambda: calls.recall(ticket.id, principal=clerk),
        "start": lambda: transitions.start(ticket.id, principal=clerk),
        "done": lambda: transitions.complete(ticket.id, principal=clerk),
        "void": lambda: issuing.void(ticket.id, principal=kiosk),
        "cancel": lambda: issuing.cancel_by_holder(ticket.code),
        "transfer": lambda: transitions.transfer(
            ticket.id, queue=rng.choice("AB"), principal=clerk
        ),
        "no_show": lambda: transitions.no_show(ticket.id, principal=clerk),
    }[move]
    await work()


def minute_rank(values: list[int], q: float) -> int | None:
    """Nearest rank (numpy's inverted_cdf) of the times in whole minutes, as seconds."""
    if not values:
        return None
    minutes = np.array([(max(v, 0) + 30) // 60 for v in values])
    return int(np.percentile(minutes, q, method="inverted_cdf")) * 60


async def test_the_tallies_follow_every_move_and_a_rebuild_agrees(db: TortoiseContext) -> None:
    del db
    await a_busy_day(random.Random(23))
    tickets = await Ticket.all()
    want = counted_from_tickets(tickets)
    assert sum(v[0] for k, v in want.items() if k[2] == "window" and k[4] == "service") > 10
    assert sum(t.recalls for t in tickets) > 0
    assert any(t.transferred_from_id for t in tickets)
    assert await tallied() == want
    assert await tallies.rebuild() > 0
    assert await tallied() == want
    # Deleted tickets (a removed service point's, say) take back what they added.
    gone = [t.id for t in tickets if t.status.value == "done"][:3]
    await Ticket.filter(id__in=gone).delete()
    assert await tallied() == counted_from_tickets(await Ticket.all())


async def test_percentiles_equal_the_tickets_nearest_rank(db: TortoiseContext) -> None:
    del db
    await a_busy_day(random.Random(5))
    tickets = await Ticket.all()
    waits = [
        round((t.called_at - t.taken_at).total_seconds())
        for t in tickets
        if t.called_at and t.transferred_from_id is None
    ]
    assert max(waits) >= 90 * 60  # the overflow bucket is read from the tickets
    got = (await times.times_by(Scope(date(2026, 11, 16), date(2026, 11, 17)), "all"))[0]
    assert got["wait_s_n"] == len(waits)
    assert (got["wait_s_p50"], got["wait_s_p90"]) == (
        minute_rank(waits, 50),
        minute_rank(waits, 90),
    )
    for key in ("window", "clerk"):
        by_key = await times.times_by(Scope(date(2026, 11, 16), date(2026, 11, 16)), key)
        raw = await times.raw_times_by(Scope(date(2026, 11, 16), date(2026, 11, 16)), key)
        assert set(by_key) == set(raw)
        for g, row in raw.items():
            for field in ("wait_s_p50", "wait_s_p90", "service_s_p50", "service_s_p90"):
                assert by_key[g][field] == times.minute_seconds(row[field]), (key, g, field)


def volumes_from_tickets(tickets: list[Ticket]) -> dict[tuple[Any, ...], list[int]]:
    """(day, point, per, key) → [rows, tickets, called, no-shows, done], from the rows."""
    out: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for t in tickets:
        counts = [
            1,
            int(t.transferred_from_id is None),
            int(t.called_at is not None),
            int(t.status.value == "no_show"),
            int(t.status.value == "done"),
        ]
        hour = t.taken_at.astimezone(BEIJING).hour
        for per, key in (("matter", t.matter_id or 0), ("hour", hour)):
            row = out[(t.day, t.service_point_id, per, key)]
            row[:] = [a + b for a, b in zip(row, counts, strict=True)]
    return {k: v for k, v in out.items() if any(v)}


async def volumes_tallied() -> dict[tuple[Any, ...], list[int]]:
    """The tallies per key, summed over their shards (as every reader sums them)."""
    summed: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0] * len(volumes.COUNTS))
    for r in await TicketVolumeTally.all():
        row = summed[(r.day, r.service_point_id, r.per, r.key_id)]
        row[:] = [a + getattr(r, c) for a, c in zip(row, volumes.COUNTS, strict=True)]
    return {k: v for k, v in summed.items() if v[0]}


async def spread_over_shards() -> None:
    """Move about half of every row's counts into another shard, as concurrent
    sessions' triggers would have written them."""
    rows = await TicketVolumeTally.all()
    used: dict[tuple[Any, ...], set[int]] = defaultdict(set)
    for r in rows:
        used[(r.day, r.service_point_id, r.per, r.key_id)].add(r.shard)
    for r in rows:
        key = (r.day, r.service_point_id, r.per, r.key_id)
        free = min(set(range(volumes.SHARDS)) - used[key])  # a shard the key lacks
        used[key].add(free)
        moved = {c: getattr(r, c) // 2 for c in volumes.COUNTS}
        await TicketVolumeTally.create(
            day=r.day,
            service_point_id=r.service_point_id,
            per=r.per,
            key_id=r.key_id,
            shard=free,
            **moved,
        )
        await TicketVolumeTally.filter(id=r.id).update(
            **{c: getattr(r, c) - n for c, n in moved.items()}
        )


async def test_the_volume_tallies_follow_every_move_and_a_rebuild_agrees(
    db: TortoiseContext,
) -> None:
    del db
    await a_busy_day(random.Random(7))  # a day with no-shows
    tickets = await Ticket.all()
    want = volumes_from_tickets(tickets)
    assert len({k[3] for k in want if k[2] == "hour"}) >= 3  # the moves span hours
    assert any(v[3] for v in want.values())  # no-shows
    assert any(v[4] for v in want.values())  # services done
    assert any(t.transferred_from_id for t in tickets)
    assert await volumes_tallied() == want
    assert await volumes.rebuild() > 0
    assert await volumes_tallied() == want
    assert {r.shard for r in await TicketVolumeTally.all()} == {0}  # a rebuild's shard
    # A trigger writes its session's shard (PostgreSQL), or shard 0 (SQLite).
    async with in_transaction() as tx:
        mine = 0
        if tx.capabilities.dialect == "postgres":
            pid = (await tx.execute_query_dict("SELECT pg_backend_pid() AS p"))[0]["p"]
            mine = pid % volumes.SHARDS
        await tx.execute_query(f"DELETE FROM tickets WHERE id = {tickets[0].id}")
        assert {r.shard for r in await TicketVolumeTally.all().using_db(tx)} == {0, mine}
    tickets = await Ticket.all()
    want = volumes_from_tickets(tickets)
    assert await volumes_tallied() == want
    await spread_over_shards()
    assert await volumes_tallied() == want
    gone = [t.id for t in tickets if t.status.value in {"done", "no_show"}][:4]
    await Ticket.filter(id__in=gone).delete()
    tickets = await Ticket.all()
    assert await volumes_tallied() == volumes_from_tickets(tickets)
    # The statistics read them: each breakdown sums the tickets of its group.
    scope = Scope(date(2026, 11, 16), date(2026, 11, 17))
    for key, of in (
        ("point", lambda t: t.service_point_id),
        ("matter", lambda t: t.matter_id),
        ("day", lambda t: t.day.isoformat()),
        ("hour", lambda t: t.taken_at.astimezone(BEIJING).hour),
    ):
        counted: dict[Any, int] = defaultdict(int)
        for t in tickets:
            counted[of(t)] += int(t.transferred_from_id is None)
        got = await queries.tickets_by(scope, key)
        assert {g: int(row["tickets"]) for g, row in got.items()} == dict(counted), key
