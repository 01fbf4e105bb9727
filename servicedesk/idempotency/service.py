"""Idempotent writes: the same key and body return the first response.

The key is claimed in its own committed row (so a concurrent retry sees it in
flight), and the write plus the stored response commit together in one
transaction, so a crash never leaves a done write without its answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from servicedesk.errors import IdempotencyConflict, IdempotencyMismatch, InvalidInput
from servicedesk.idempotency.models import IdempotencyRecord
from servicedesk.settings import Settings
from servicedesk.timeutil import now

Handler = Callable[[], Awaitable[tuple[int, Any]]]


def fingerprint(body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def run(
    *,
    settings: Settings,
    caller: str,
    operation: str,
    key: str | None,
    body: Any,
    handler: Handler,
) -> tuple[int, Any]:
    """Run ``handler`` once per (caller, operation, key); replay its first answer afterwards.

    Every API endpoint and page that takes an Idempotency-Key (or a form's key) comes
    through here, so each honours the same settings."""
    if key is None:  # the handler's service keeps its own writes atomic
        return await handler()
    if not 1 <= len(key) <= 128:
        raise InvalidInput("Idempotency-Key must be 1 to 128 characters")
    scope = f"{caller}:{operation}"
    digest = fingerprint(body)
    record = await _claim(
        scope=scope, key=key, digest=digest, stale_after=settings.idempotency_stale_seconds
    )
    if record.state == "done":
        return int(record.status_code or 200), record.response
    try:
        async with in_transaction():
            status, payload = await handler()
            owned = await IdempotencyRecord.filter(
                id=record.id, state="in_flight", created_at=record.created_at
            ).update(state="done", status_code=status, response=payload)
            if not owned:  # a retry took the key over meanwhile: it answers, we roll back
                raise IdempotencyConflict(
                    "a request with this Idempotency-Key is still in progress"
                )
    except BaseException:
        await IdempotencyRecord.filter(
            id=record.id, state="in_flight", created_at=record.created_at
        ).delete()
        raise
    return status, payload


async def _claim(*, scope: str, key: str, digest: str, stale_after: int) -> IdempotencyRecord:
    started = now()
    try:
        return await IdempotencyRecord.create(
            scope=scope, key=key, request_hash=digest, created_at=started
        )
    except IntegrityError:
        pass
    existing = await IdempotencyRecord.get_or_none(scope=scope, key=key)
    if existing is None:  # the first request failed and freed the key meanwhile
        raise IdempotencyConflict("a request with this Idempotency-Key was just retried")
    if existing.request_hash != digest:
        raise IdempotencyMismatch(
            "this Idempotency-Key was already used with a different request body"
        )
    if existing.state == "done":
        return existing
    if existing.created_at > started - timedelta(seconds=stale_after):
        raise IdempotencyConflict("a request with this Idempotency-Key is still in progress")
    # The first attempt died mid-flight: take it over, but only one retry may.
    taken = await IdempotencyRecord.filter(
        id=existing.id, state="in_flight", created_at=existing.created_at
    ).update(created_at=started)
    if not taken:
        raise IdempotencyConflict("a request with this Idempotency-Key is still in progress")
    existing.created_at = started
    return existing


async def purge_expired(*, ttl_hours: int) -> int:
    """Forget keys older than ``ttl_hours`` (the ``idempotency_ttl_hours``
    setting); a retry after that is a new request. Returns how many were removed."""
    cutoff = now() - timedelta(hours=ttl_hours)
    return int(await IdempotencyRecord.filter(created_at__lt=cutoff).delete())
