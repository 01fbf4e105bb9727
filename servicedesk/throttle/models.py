from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Throttle(Model):
    """A counter of attempts under one key (an account, a client address and what it tried),
    shared by every worker: the database increments it in one statement."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=160, unique=True)
    hits = fields.IntField(default=0)
    # Unix seconds: where the counting window starts, and until when the key is refused.
    window_start = fields.BigIntField(default=0)
    blocked_until = fields.BigIntField(default=0)

    class Meta:
        table = "throttles"
