"""Daily counters: 1, 2, 3 … per scope and day, without gaps or repeats, even concurrently."""

from __future__ import annotations

import asyncio
from datetime import date

from tortoise.context import TortoiseContext

from servicedesk.sequences.models import DailySequence
from servicedesk.sequences.service import next_value

DAY = date(2026, 11, 30)


async def test_counts_from_one_per_scope_and_day(db: TortoiseContext) -> None:  # noqa: ARG001
    assert [await next_value("HD-AI", DAY) for _ in range(3)] == [1, 2, 3]
    assert await next_value("DX-BIO", DAY) == 1
    assert await next_value("HD-AI", date(2026, 12, 1)) == 1
    assert await next_value("HD-AI", DAY) == 4
    stored = {(s.scope, s.day, s.value) for s in await DailySequence.all()}
    assert stored == {("HD-AI", DAY, 4), ("DX-BIO", DAY, 1), ("HD-AI", date(2026, 12, 1), 1)}


async def test_concurrent_callers_never_share_a_value(db: TortoiseContext) -> None:  # noqa: ARG001
    values = await asyncio.gather(*(next_value("HD-AI", DAY) for _ in range(40)))
    assert sorted(values) == list(range(1, 41))
