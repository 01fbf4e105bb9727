from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Firm(Model):
    """A firm, identified by its Unified Social Credit Code (GB 32100-2015)."""

    id = fields.IntField(primary_key=True)
    uscc = fields.CharField(max_length=18, unique=True)
    name = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "firms"
