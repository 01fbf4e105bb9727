from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class AuditEntry(Model):
    """One state-changing action: who, when, what, before and after.

    Append-only and chained: each row carries its place in the chain, the hash of the
    row before it and its own, so that an edited, removed or inserted row breaks the
    chain (``servicedesk audit verify``). Rows the hall's hot paths write in their one
    statement (a call, a completion) arrive without hashes and are sealed into the chain
    shortly after, in the order they are sealed.
    """

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(db_index=True)
    actor = fields.CharField(max_length=100)
    action = fields.CharField(max_length=64)
    entity = fields.CharField(max_length=32)
    entity_id = fields.CharField(max_length=64, db_index=True)
    before: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    after: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    prev_hash = fields.CharField(max_length=64, null=True)
    row_hash = fields.CharField(max_length=64, null=True)
    chain_seq = fields.BigIntField(null=True, unique=True)

    class Meta:
        table = "audit_log"
