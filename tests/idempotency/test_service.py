"""The one idempotent-write helper: replay, mismatch, in flight, and the stale-key setting."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from tortoise.context import TortoiseContext

from servicedesk.errors import IdempotencyConflict, IdempotencyMismatch
from servicedesk.idempotency import service as idempotency
from servicedesk.idempotency.models import IdempotencyRecord
from servicedesk.idempotency.service import fingerprint
from servicedesk.settings import Settings
from servicedesk.timeutil import now


def settings(stale_seconds: int) -> Settings:
    return Settings(environment="test", idempotency_stale_seconds=stale_seconds)


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self) -> tuple[int, Any]:
        self.calls += 1
        return 201, {"n": self.calls}


async def write(handler: Counter, *, stale: int = 60, key: str = "k", body: Any = None) -> Any:
    return await idempotency.run(
        settings=settings(stale),
        caller="kiosk:1",
        operation="kiosk-ticket",
        key=key,
        body=body or {"matter": "HTE-CERT"},
        handler=handler,
    )


async def test_a_retry_replays_the_first_answer(db: TortoiseContext) -> None:  # noqa: ARG001
    handler = Counter()
    assert await write(handler) == (201, {"n": 1})
    assert await write(handler) == (201, {"n": 1})
    assert handler.calls == 1
    with pytest.raises(IdempotencyMismatch):
        await write(handler, body={"matter": "OTHER"})


async def _dead_claim(age_seconds: int) -> None:
    """A first attempt that claimed the key and died ``age_seconds`` ago."""
    await IdempotencyRecord.create(
        scope="kiosk:1:kiosk-ticket",
        key="k",
        request_hash=fingerprint({"matter": "HTE-CERT"}),
        created_at=now() - timedelta(seconds=age_seconds),
    )


async def test_a_key_in_flight_is_refused_until_it_is_stale(db: TortoiseContext) -> None:  # noqa: ARG001
    await _dead_claim(30)
    handler = Counter()
    with pytest.raises(IdempotencyConflict):
        await write(handler, stale=60)
    assert handler.calls == 0


async def test_the_stale_setting_decides_when_a_retry_takes_over(db: TortoiseContext) -> None:  # noqa: ARG001
    await _dead_claim(30)
    handler = Counter()
    assert await write(handler, stale=10) == (201, {"n": 1})
    assert await IdempotencyRecord.filter(state="done").count() == 1
