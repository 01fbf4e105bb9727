from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Policy(Model):
    """One version of the waiver policy, never edited (a change is a new version)."""

    id = fields.IntField(primary_key=True)
    version = fields.IntField(unique=True)
    waiver_grades: fields.Field[list[str]] = fields.JSONField()
    spot_check_rates: fields.Field[dict[str, float]] = fields.JSONField()
    quota_per_period = fields.IntField()
    waivable_matters: fields.Field[list[str]] = fields.JSONField()
    graduate_window_days = fields.IntField(default=365)
    recommendation_valid_days = fields.IntField(default=90)
    draw_seed = fields.CharField(max_length=64)
    note = fields.TextField(default="")
    created_by = fields.CharField(max_length=100)
    created_at = fields.DatetimeField()

    class Meta:
        table = "waiver_policies"
