"""The audit log: every state-changing action, with actor, time, before and after.

Rows form a hash chain: ``row_hash = sha256(canonical row + prev_hash)``, where
``prev_hash`` is the ``row_hash`` of the row before it in chain order (``chain_seq``).
Appending takes a database lock, so the chain has one order across workers. The hall's
hot paths (call-next, complete) insert their row inside their one SQL statement without
hashes; :func:`seal` chains such rows, in id order, under the same lock (the worker runs
it every few seconds, and ``verify`` first). :func:`verify` walks the chain and names the
first row that does not hold. A trigger refuses UPDATE and DELETE, except the sealing of
a row not yet sealed.
"""

from __future__ import annotations

import getpass
import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from servicedesk import locks
from servicedesk.audit.models import AuditEntry
from servicedesk.timeutil import now

GENESIS = "0" * 64
CHAIN_LOCK = "audit-chain"
BATCH = 1000


def operator() -> str:
    """The actor of a command-line action: the operating-system user who ran it."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no user name for this uid (a bare container)
        name = "unknown"
    return f"cli:{name}"[:100]


def _plain(value: Any) -> Any:
    """JSON as the database gives it back: a whole float reads as an integer."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def row_digest(entry: AuditEntry, prev_hash: str) -> str:
    """The hash of a row's content and the hash of the row before it."""
    at: datetime = entry.at
    body = [
        prev_hash,
        at.astimezone(UTC).isoformat(timespec="microseconds"),
        entry.actor,
        entry.action,
        entry.entity,
        entry.entity_id,
        _plain(entry.before),
        _plain(entry.after),
    ]
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


async def record(
    action: str,
    *,
    actor: str,
    entity: str,
    entity_id: str | int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    connection: BaseDBAsyncClient | None = None,
) -> None:
    """Append one row to the chain, in the caller's transaction when there is one."""
    entry = AuditEntry(
        at=now(),
        actor=actor[:100],
        action=action,
        entity=entity,
        entity_id=str(entity_id)[:64],
        before=before,
        after=after,
    )
    if connection is not None:  # the caller's transaction
        await _append(entry, connection)
        return
    async with in_transaction() as conn:  # a savepoint inside the caller's, if any
        await _append(entry, conn)


async def _head(conn: BaseDBAsyncClient) -> tuple[int, str]:
    """The chain's last place and hash (0 and the genesis hash while it is empty)."""
    last = (
        await AuditEntry.filter(chain_seq__isnull=False)
        .using_db(conn)
        .order_by("-chain_seq")
        .only("chain_seq", "row_hash")
        .first()
    )
    if last is None or last.chain_seq is None or last.row_hash is None:
        return 0, GENESIS
    return last.chain_seq, last.row_hash


async def _append(entry: AuditEntry, conn: BaseDBAsyncClient) -> None:
    await locks.hold(conn, CHAIN_LOCK)  # held to the end of the transaction
    seq, head = await _head(conn)
    entry.chain_seq, entry.prev_hash = seq + 1, head
    entry.row_hash = row_digest(entry, entry.prev_hash)
    await entry.save(using_db=conn)


async def seal(*, limit: int = BATCH) -> int:
    """Chain the rows written without hashes (by the hot paths), oldest first; how many."""
    async with in_transaction() as conn:
        await locks.hold(conn, CHAIN_LOCK)
        unsealed = AuditEntry.filter(row_hash__isnull=True).using_db(conn)
        rows = await unsealed.order_by("id").limit(limit)
        if not rows:
            return 0
        seq, head = await _head(conn)
        sealed: list[list[Any]] = []
        for row in rows:
            seq += 1
            digest = row_digest(row, head)
            sealed.append([seq, head, digest, row.id])
            head = digest
        # One batch of updates, not one statement per row: on SQLite the transaction
        # holds the only connection, and a thousand round trips held it for a quarter
        # of a second, stalling every number taken meanwhile.
        postgres = conn.capabilities.dialect == "postgres"
        await conn.execute_many(_SEAL_POSTGRES if postgres else _SEAL, sealed)
        return len(rows)


_SEALING = (
    "UPDATE {table} SET chain_seq = {}, prev_hash = {}, row_hash = {}"
    " WHERE id = {} AND row_hash IS NULL"
)
_SEAL = _SEALING.format("?", "?", "?", "?", table=AuditEntry._meta.db_table)
_SEAL_POSTGRES = _SEALING.format("$1", "$2", "$3", "$4", table=AuditEntry._meta.db_table)


async def entries_for(entity: str, entity_id: str | int) -> list[AuditEntry]:
    return await AuditEntry.filter(entity=entity, entity_id=str(entity_id)).order_by("id")


@dataclass(frozen=True)
class Verdict:
    """What :func:`verify` found: rows checked, the chain's head, or the first break."""

    checked: int
    unchained: int
    head: str
    broken_id: int | None = None
    reason: str = ""

    @property
    def whole(self) -> bool:
        return self.broken_id is None


async def _rows() -> AsyncIterator[AuditEntry]:
    last_seq = 0
    while True:
        batch = await AuditEntry.filter(chain_seq__gt=last_seq).order_by("chain_seq").limit(BATCH)
        if not batch:
            return
        for row in batch:
            yield row
        last_seq = batch[-1].chain_seq or last_seq


async def verify() -> Verdict:
    """Seal what the hot paths wrote, then walk the chain from its first row: the first
    row whose link or content is off, or a gap where a row was removed."""
    while await seal() == BATCH:
        pass
    checked = 0
    head = GENESIS
    async for row in _rows():
        checked += 1
        if row.chain_seq != checked or row.prev_hash != head:
            return Verdict(checked, 0, head, row.id, "its link to the row before is broken")
        if row_digest(row, head) != row.row_hash:
            return Verdict(checked, 0, head, row.id, "its content was changed")
        head = row.row_hash
    unchained = await AuditEntry.filter(chain_seq__isnull=True).count()
    return Verdict(checked, unchained, head)
