from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from servicedesk.catalogue.models import Matter, ServicePoint
    from servicedesk.firms.models import Firm


class CaseStatus(StrEnum):
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    ACCEPTED_WITH_DEFICIENCY = "accepted_with_deficiency"
    REJECTED = "rejected"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    DENIED = "denied"
    RESULT_ISSUED = "result_issued"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class Case(Model):
    """One application by a firm for one matter."""

    id = fields.IntField(primary_key=True)
    case_no = fields.CharField(max_length=48, unique=True)
    # The secret printed on the receipt: with the case number it opens the public query.
    query_code = fields.CharField(max_length=16)
    service_point: fields.ForeignKeyRelation[ServicePoint] = fields.ForeignKeyField(
        "models.ServicePoint", related_name="cases", on_delete=fields.RESTRICT
    )
    service_point_id: int
    matter: fields.ForeignKeyRelation[Matter] = fields.ForeignKeyField(
        "models.Matter", related_name="cases", on_delete=fields.RESTRICT
    )
    matter_id: int
    firm: fields.ForeignKeyRelation[Firm] = fields.ForeignKeyField(
        "models.Firm", related_name="cases", on_delete=fields.RESTRICT
    )
    firm_id: int
    status = fields.CharEnumField(CaseStatus, max_length=32, default=CaseStatus.SUBMITTED)
    materials: fields.Field[list[str]] = fields.JSONField(default=list)
    received_at = fields.DatetimeField(db_index=True)
    accepted_on = fields.DateField(null=True)
    deemed_accepted = fields.BooleanField(default=False)
    decided_on = fields.DateField(null=True)
    # Kept for statistics, so they aggregate this table alone: the promised and
    # statutory deadlines as they stood at the decision, and whether the case was ever
    # returned with a notice or accepted with a deficiency.
    deadline_on = fields.DateField(null=True)
    statutory_deadline_on = fields.DateField(null=True)
    notice_issued = fields.BooleanField(default=False, db_default=False)
    accepted_deficient = fields.BooleanField(default=False, db_default=False)
    supplement_due = fields.DateField(null=True)
    owed_materials: fields.Field[list[str]] = fields.JSONField(default=list)
    # The one extension of supplement_due a clerk may grant once it has passed.
    supplement_extended = fields.BooleanField(default=False, db_default=False)
    supplement_overdue = fields.BooleanField(default=False, db_default=False, db_index=True)
    resume_status = fields.CharField(max_length=32, null=True)
    decision_reason = fields.TextField(default="")
    inspection = fields.CharField(max_length=16, null=True)
    inspection_reasons: fields.Field[list[dict[str, Any]]] = fields.JSONField(default=list)
    recommendation_id = fields.IntField(null=True)
    spot_check_id = fields.IntField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    events: fields.ReverseRelation[CaseEvent]
    pauses: fields.ReverseRelation[ClockPause]
    notices: fields.ReverseRelation[Notice]

    class Meta:
        table = "cases"
        indexes = (("decided_on", "service_point_id"),)


class CaseEvent(Model):
    """One entry of a case's timeline: who, when, why."""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name="events", on_delete=fields.CASCADE
    )
    case_id: int
    at = fields.DatetimeField()
    actor = fields.CharField(max_length=100)
    action = fields.CharField(max_length=32)
    from_status = fields.CharField(max_length=32, null=True)
    to_status = fields.CharField(max_length=32)
    reason = fields.TextField(default="")
    data: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)

    class Meta:
        table = "case_events"
        ordering = ["at", "id"]


class ClockPause(Model):
    """Working days the firm owes a correction or supplement (the clock stops)."""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name="pauses", on_delete=fields.CASCADE
    )
    case_id: int
    reason = fields.CharField(max_length=16)
    start_on = fields.DateField()
    end_on = fields.DateField(null=True)

    class Meta:
        table = "clock_pauses"
        ordering = ["start_on", "id"]


class Notice(Model):
    """A one-time notice listing every material to fix at once."""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name="notices", on_delete=fields.CASCADE
    )
    case_id: int
    issued_at = fields.DatetimeField()
    issued_by = fields.CharField(max_length=100)
    items: fields.Field[list[dict[str, str]]] = fields.JSONField()
    # The materials as submitted when the notice was issued, to tell later rounds
    # what could already have been named.
    materials_seen: fields.Field[list[str]] = fields.JSONField(default=list)
    answered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notices"
        ordering = ["issued_at", "id"]
