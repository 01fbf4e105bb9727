"""Delivery: claim due messages, send them, record each outcome.

On PostgreSQL a batch is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` inside a
transaction that lasts until its outcomes are written: any number of workers take
disjoint batches, and a worker that dies mid-batch releases its rows at once (the
server ends its transaction), so another worker sends them; nothing is lost. The
only repeat possible is a message the receiver had accepted when the worker died
before committing; it carries the same Message-ID / message_id as the first time.

On SQLite the one worker runs inside the server process; it reads the due rows
without holding a transaction (which would stop every other writer while it talks to
the network) and writes each outcome with a conditional update.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise import connections
from tortoise.expressions import F
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from servicedesk.notifications.channels import CHANNEL_OFF, Senders
from servicedesk.notifications.models import Message, MessageStatus
from servicedesk.settings import Settings
from servicedesk.timeutil import now

M = MessageStatus
DUE = (M.QUEUED, M.FAILED)


def backoff(settings: Settings, attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: base × 2^(attempts − 1), capped."""
    seconds = settings.notify_backoff_seconds * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.notify_backoff_max_seconds))


def _due(limit: int) -> QuerySet[Message]:
    return (
        Message.filter(status__in=DUE, next_attempt_at__lte=now())
        .order_by("next_attempt_at", "id")
        .limit(limit)
    )


async def deliver_due(senders: Senders, *, settings: Settings, limit: int | None = None) -> int:
    """Send one batch of due messages; how many were claimed (0: nothing is due)."""
    limit = limit or settings.worker_batch
    if connections.get("default").capabilities.dialect != "postgres":
        batch = await _due(limit)
        if batch:
            await _deliver(batch, senders, settings)
        return len(batch)
    async with in_transaction():
        batch = await _due(limit).select_for_update(skip_locked=True)
        if batch:
            await _deliver(batch, senders, settings)
    return len(batch)


async def _deliver(batch: list[Message], senders: Senders, settings: Settings) -> None:
    results = await senders.send(batch)
    moment = now()
    sent = [m.id for m in batch if results[m.id] is None]
    if sent:
        await Message.filter(id__in=sent, status__in=DUE).update(
            status=M.SENT, sent_at=moment, attempts=F("attempts") + 1, last_error=""
        )
    for message in batch:
        error = results[message.id]
        if error is not None:
            await _failed(message, error, settings=settings, moment=moment)


async def _failed(message: Message, error: str, *, settings: Settings, moment: datetime) -> None:
    attempts = message.attempts + 1
    if error == CHANNEL_OFF:
        status = M.CHANNEL_OFF
    elif attempts >= settings.notify_max_attempts:
        status = M.DEAD
    else:
        status = M.FAILED
    await Message.filter(id=message.id, status__in=DUE, attempts=message.attempts).update(
        status=status,
        attempts=attempts,
        last_error=error,
        next_attempt_at=moment + backoff(settings, attempts),
    )
