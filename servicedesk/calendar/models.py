from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class WorkdayOverride(Model):
    """A local announcement the ``holidays`` package does not know yet."""

    id = fields.IntField(primary_key=True)
    day = fields.DateField(unique=True)
    is_working = fields.BooleanField()
    note = fields.CharField(max_length=200, default="")

    class Meta:
        table = "workday_overrides"
