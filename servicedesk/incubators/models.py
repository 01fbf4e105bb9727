from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from servicedesk.firms.models import Firm


class IncubationStatus(StrEnum):
    INCUBATED = "incubated"
    GRADUATED = "graduated"
    LEFT = "left"


class Incubator(Model):
    """A technology-business incubator, the rated subject (code e.g. INC-HD-001)."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=200)
    name_en = fields.CharField(max_length=200, default="")
    level = fields.CharField(max_length=16)  # national / municipal / district
    kind = fields.CharField(max_length=32, default="incubator")
    district = fields.CharField(max_length=64)
    focus_industries: fields.Field[list[str]] = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "incubators"
        ordering = ["code"]


class Incubation(Model):
    """A firm's incubation at an incubator: incubated since, graduated when."""

    id = fields.IntField(primary_key=True)
    incubator: fields.ForeignKeyRelation[Incubator] = fields.ForeignKeyField(
        "models.Incubator", related_name="incubations", on_delete=fields.CASCADE
    )
    incubator_id: int
    firm: fields.ForeignKeyRelation[Firm] = fields.ForeignKeyField(
        "models.Firm", related_name="incubations", on_delete=fields.CASCADE
    )
    firm_id: int
    status = fields.CharEnumField(IncubationStatus, max_length=16)
    since = fields.DateField()
    graduated_on = fields.DateField(null=True)
    left_on = fields.DateField(null=True)

    class Meta:
        table = "incubations"
        unique_together = (("incubator", "firm"),)


class IndicatorValue(Model):
    """One periodic figure of an incubator, reported by it or derived by the service."""

    id = fields.IntField(primary_key=True)
    incubator: fields.ForeignKeyRelation[Incubator] = fields.ForeignKeyField(
        "models.Incubator", related_name="indicators", on_delete=fields.CASCADE
    )
    incubator_id: int
    period = fields.CharField(max_length=8)  # "2026" or "2026-Q3"
    name = fields.CharField(max_length=48)
    value = fields.FloatField(null=True)
    source = fields.CharField(max_length=16)  # reported / derived
    recorded_by = fields.CharField(max_length=100)
    recorded_at = fields.DatetimeField()

    class Meta:
        table = "indicator_values"
        unique_together = (("incubator", "period", "name"),)


class CreditEvent(Model):
    """A recorded outcome that counts against an incubator (violation, failed check)."""

    id = fields.IntField(primary_key=True)
    incubator: fields.ForeignKeyRelation[Incubator] = fields.ForeignKeyField(
        "models.Incubator", related_name="credit_events", on_delete=fields.CASCADE
    )
    incubator_id: int
    period = fields.CharField(max_length=8, db_index=True)
    kind = fields.CharField(max_length=32)  # violation / spot_check_fail / falsified / false_report
    serious = fields.BooleanField(default=True)
    ref = fields.CharField(max_length=64, default="")
    occurred_on = fields.DateField(null=True)
    notes = fields.TextField(default="")
    recorded_by = fields.CharField(max_length=100)
    recorded_at = fields.DatetimeField()

    class Meta:
        table = "credit_events"


class IndicatorReport(Model):
    """When an incubator's report for a period first came in (for report timeliness)."""

    id = fields.IntField(primary_key=True)
    incubator: fields.ForeignKeyRelation[Incubator] = fields.ForeignKeyField(
        "models.Incubator", related_name="reports", on_delete=fields.CASCADE
    )
    incubator_id: int
    period = fields.CharField(max_length=8)
    submitted_at = fields.DatetimeField()
    submitted_by = fields.CharField(max_length=100)

    class Meta:
        table = "indicator_reports"
        unique_together = (("incubator", "period"),)


# Exemptions suspend and lift it, ratings read it (a suspended incubator's grade is
# capped), so it lives at the incubator level below both.
class Suspension(Model):
    """An incubator's recommendation privilege suspended, until lifted: one official
    proposes the lift with a reason, a different one confirms it."""

    id = fields.IntField(primary_key=True)
    incubator: fields.ForeignKeyRelation[Incubator] = fields.ForeignKeyField(
        "models.Incubator", related_name="suspensions", on_delete=fields.CASCADE
    )
    incubator_id: int
    reason = fields.TextField()
    spot_check_id = fields.IntField(null=True)
    started_at = fields.DatetimeField()
    started_by = fields.CharField(max_length=100)
    lifted_at = fields.DatetimeField(null=True)
    lifted_by = fields.CharField(max_length=100, null=True)
    lift_reason = fields.TextField(default="")
    lift_proposed_at = fields.DatetimeField(null=True)
    lift_proposed_by = fields.CharField(max_length=100, null=True)

    class Meta:
        table = "recommendation_suspensions"
