from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class DailySequence(Model):
    """A per-scope, per-day counter, incremented atomically by the database."""

    id = fields.IntField(primary_key=True)
    scope = fields.CharField(max_length=64)
    day = fields.DateField()
    value = fields.IntField(default=0)

    class Meta:
        table = "daily_sequences"
        unique_together = (("scope", "day"),)
