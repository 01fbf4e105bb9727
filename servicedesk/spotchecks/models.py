from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from servicedesk.incubators.models import Incubator


class SpotCheck(Model):
    """A waived case drawn for on-site inspection anyway, and what the inspection found."""

    id = fields.IntField(primary_key=True)
    case_no = fields.CharField(max_length=48, unique=True)
    incubator: fields.ForeignKeyRelation[Incubator] = fields.ForeignKeyField(
        "models.Incubator", related_name="spot_checks", on_delete=fields.CASCADE
    )
    grade = fields.CharField(max_length=1)
    rate = fields.FloatField()
    draw_seed = fields.CharField(max_length=64)
    draw_value = fields.FloatField()
    policy_version = fields.IntField()
    drawn_at = fields.DatetimeField()
    outcome = fields.CharField(max_length=16, null=True)  # pass / fail / falsified
    notes = fields.TextField(default="")
    recorded_by = fields.CharField(max_length=100, null=True)
    recorded_at = fields.DatetimeField(null=True)

    class Meta:
        table = "spot_checks"
