from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class PolicyStatus(StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    WITHDRAWN = "withdrawn"


class Policy(Model):
    """One version of the waiver policy, never edited (a change is a new version).

    A version is proposed by one official and in force once a different one confirms it.
    """

    id = fields.IntField(primary_key=True)
    version = fields.IntField(unique=True)
    waiver_grades: fields.Field[list[str]] = fields.JSONField()
    spot_check_rates: fields.Field[dict[str, float]] = fields.JSONField()
    quota_per_period = fields.IntField()
    waivable_matters: fields.Field[list[str]] = fields.JSONField()
    graduate_window_days = fields.IntField(default=365)
    recommendation_valid_days = fields.IntField(default=90)
    # Unused since draws are keyed by the server's secret; kept for the versions before.
    draw_seed = fields.CharField(max_length=64, default="")
    note = fields.TextField(default="")
    created_by = fields.CharField(max_length=100)
    created_at = fields.DatetimeField()
    status = fields.CharEnumField(PolicyStatus, max_length=16, default=PolicyStatus.PROPOSED)
    confirmed_by = fields.CharField(max_length=100, null=True)
    confirmed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "waiver_policies"
