"""The waiting-time estimate against a simulated morning at HD-AI.

Firms arrive at random over three hours; three windows (each serving two of the
three queues) call the next ticket whenever they are free, and serving takes 5 to
11 minutes. The estimate each firm saw on its receipt is compared with the wait
it really had.
"""

from __future__ import annotations

import heapq
import random
import statistics
from datetime import datetime, timedelta

from tortoise.context import TortoiseContext

from servicedesk.accounts import service as accounts
from servicedesk.accounts.service import Principal
from servicedesk.catalogue import service as catalogue
from servicedesk.queue import calls, issuing, transitions
from servicedesk.timeutil import beijing, frozen
from tests.factories import make_catalogue, make_user

MATTERS = ["HTE-CERT", "TECH-SME", "WORK-RES", "POLICY-DIST", "FOREIGN-WP", "SRDI-SME"]
WINDOWS = ["HD-AI-W1", "HD-AI-W2", "HD-AI-W3"]


async def simulate_morning(*, seed: int) -> list[tuple[int, float]]:
    """(estimated, actual) minutes of wait for every ticket of the morning."""
    rng = random.Random(seed)
    device, _ = await accounts.create_kiosk(await catalogue.get_point("HD-AI"))
    kiosk = Principal(kiosk=device)
    clerk = Principal(user=await make_user(username="sim-clerk"))
    start = beijing(2026, 12, 1, 9, 0)
    events: list[tuple[datetime, int, str, str]] = []
    t, n = start, 0
    while t < start + timedelta(hours=3):  # about 20 arrivals an hour
        t += timedelta(minutes=rng.expovariate(1 / 3.0))
        n += 1
        heapq.heappush(events, (t, n, "arrive", rng.choice(MATTERS)))
    for i, window in enumerate(WINDOWS):
        heapq.heappush(events, (start, -i, "free", window))
    estimates: dict[int, int] = {}
    waits: dict[int, float] = {}
    while events:
        moment, seq, kind, what = heapq.heappop(events)
        with frozen(moment):
            if kind == "arrive":
                view = await issuing.take(principal=kiosk, service_point="HD-AI", matter_code=what)
                assert view.estimate is not None
                estimates[view.ticket.id] = view.estimate.minutes
                continue
            called = await calls.call_next(what, principal=clerk)
            if called is None:
                if moment < start + timedelta(hours=4):
                    heapq.heappush(events, (moment + timedelta(minutes=1), seq, "free", what))
                continue
            waits[called.ticket.id] = (moment - called.ticket.taken_at).total_seconds() / 60
            done = moment + timedelta(minutes=rng.uniform(5, 11))
        with frozen(done):
            await transitions.complete(called.ticket.id, principal=clerk)
        heapq.heappush(events, (done, seq, "free", what))
    return [(estimates[i], waits[i]) for i in estimates if i in waits]


async def test_estimate_tracks_a_simulated_morning(db: TortoiseContext) -> None:
    del db
    await make_catalogue()
    pairs = await simulate_morning(seed=4)
    assert len(pairs) > 40
    errors = [abs(est - actual) for est, actual in pairs]
    actual_mean = statistics.mean(a for _, a in pairs)
    mae = statistics.mean(errors)
    # A useful estimate: off by less than a third of the typical wait, or 5 minutes,
    # and clearly better than telling everybody the average wait.
    naive = statistics.mean(abs(actual_mean - a) for _, a in pairs)
    assert mae <= max(5.0, actual_mean / 3), (mae, actual_mean)
    assert mae < naive, (mae, naive)
    # Longer queues get longer estimates: the ranking agrees with reality.
    ranked = sorted(pairs)
    half = len(ranked) // 2
    assert statistics.mean(a for _, a in ranked[half:]) > statistics.mean(
        a for _, a in ranked[:half]
    )
