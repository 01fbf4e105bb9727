from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from servicedesk.catalogue.models import Matter
    from servicedesk.firms.models import Firm
    from servicedesk.incubators.models import Incubator


class Recommendation(Model):
    """An incubator vouching for one of its firms for one matter."""

    id = fields.IntField(primary_key=True)
    incubator: fields.ForeignKeyRelation[Incubator] = fields.ForeignKeyField(
        "models.Incubator", related_name="recommendations", on_delete=fields.CASCADE
    )
    incubator_id: int
    firm: fields.ForeignKeyRelation[Firm] = fields.ForeignKeyField(
        "models.Firm", related_name="recommendations", on_delete=fields.CASCADE
    )
    firm_id: int
    matter: fields.ForeignKeyRelation[Matter] = fields.ForeignKeyField(
        "models.Matter", related_name="recommendations", on_delete=fields.RESTRICT
    )
    matter_id: int
    period = fields.CharField(max_length=8, db_index=True)
    # The short code on the firm's slip (case-insensitive, stored upper-case).
    code = fields.CharField(max_length=16, null=True, unique=True)
    note = fields.TextField(default="")
    created_by = fields.CharField(max_length=100)
    created_at = fields.DatetimeField()
    valid_until = fields.DateField()
    revoked_at = fields.DatetimeField(null=True)
    revoked_by = fields.CharField(max_length=100, null=True)

    class Meta:
        table = "recommendations"


class WaiverDecision(Model):
    """The inspection decision taken at a case's acceptance, with what it used."""

    id = fields.IntField(primary_key=True)
    case_no = fields.CharField(max_length=48, unique=True)
    recommendation_id = fields.IntField(null=True)
    incubator_code = fields.CharField(max_length=32, null=True)
    matter_code = fields.CharField(max_length=32)
    inspection = fields.CharField(max_length=16)
    reasons: fields.Field[list[dict[str, Any]]] = fields.JSONField()
    rating_id = fields.IntField(null=True)
    grade = fields.CharField(max_length=1, null=True)
    policy_version = fields.IntField()
    spot_check_id = fields.IntField(null=True)
    draw_rate = fields.FloatField(null=True)
    draw_value = fields.FloatField(null=True)
    decided_at = fields.DatetimeField()
    decided_by = fields.CharField(max_length=100)

    class Meta:
        table = "waiver_decisions"


class SpotCheck(Model):
    """A waived case drawn for on-site inspection anyway, and what the inspection found."""

    id = fields.IntField(primary_key=True)
    case_no = fields.CharField(max_length=48, unique=True)
    incubator: fields.ForeignKeyRelation[Incubator] = fields.ForeignKeyField(
        "models.Incubator", related_name="spot_checks", on_delete=fields.CASCADE
    )
    incubator_id: int
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
