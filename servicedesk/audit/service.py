"""The audit log: every state-changing action, with actor, time, before and after."""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from servicedesk.audit.models import AuditEntry
from servicedesk.timeutil import now


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
    await AuditEntry.create(
        at=now(),
        actor=actor,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before=before,
        after=after,
        using_db=connection,
    )


async def entries_for(entity: str, entity_id: str | int) -> list[AuditEntry]:
    return await AuditEntry.filter(entity=entity, entity_id=str(entity_id)).order_by("id")
