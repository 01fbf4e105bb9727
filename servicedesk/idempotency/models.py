from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class IdempotencyRecord(Model):
    """The first response to a retried write, keyed by caller scope and key."""

    id = fields.IntField(primary_key=True)
    scope = fields.CharField(max_length=128)
    key = fields.CharField(max_length=128)
    request_hash = fields.CharField(max_length=64)
    state = fields.CharField(max_length=16, default="in_flight")
    status_code = fields.IntField(null=True)
    response: fields.Field[Any] = fields.JSONField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "idempotency_keys"
        unique_together = (("scope", "key"),)
