from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from servicedesk.incubators.models import Incubator


class RatingStatus(StrEnum):
    PROPOSED = "proposed"
    REVIEWED = "reviewed"
    CONFIRMED = "confirmed"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"


class ScoringModel(Model):
    """A versioned scoring model: the expert rubric or a learned card, with its figures."""

    id = fields.IntField(primary_key=True)
    version = fields.CharField(max_length=48, unique=True)
    kind = fields.CharField(max_length=16)  # expert / learned
    card: fields.Field[dict[str, Any]] = fields.JSONField()
    params: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    training: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    validation: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    status = fields.CharField(max_length=16, default="candidate")  # candidate/active/retired
    approvals: fields.Field[list[str]] = fields.JSONField(default=list)
    created_by = fields.CharField(max_length=100)
    created_at = fields.DatetimeField()
    activated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "scoring_models"


class RatingRun(Model):
    """One rating of every incubator for a period, proposed by a model version."""

    id = fields.IntField(primary_key=True)
    period = fields.CharField(max_length=8)
    model_version = fields.CharField(max_length=48)
    status = fields.CharField(max_length=16, default="open")  # open / published
    skipped: fields.Field[list[dict[str, str]]] = fields.JSONField(default=list)
    created_by = fields.CharField(max_length=100)
    created_at = fields.DatetimeField()
    published_by = fields.CharField(max_length=100, null=True)
    published_at = fields.DatetimeField(null=True)

    ratings: fields.ReverseRelation[Rating]

    class Meta:
        table = "rating_runs"


class Rating(Model):
    """An incubator's rating in a run, with the model's proposal and the officials' decisions."""

    id = fields.IntField(primary_key=True)
    run: fields.ForeignKeyRelation[RatingRun] = fields.ForeignKeyField(
        "models.RatingRun", related_name="ratings", on_delete=fields.CASCADE
    )
    run_id: int
    incubator: fields.ForeignKeyRelation[Incubator] = fields.ForeignKeyField(
        "models.Incubator", related_name="ratings", on_delete=fields.CASCADE
    )
    incubator_id: int
    indicator_period = fields.CharField(max_length=8)
    score = fields.FloatField()
    model_grade = fields.CharField(max_length=1)
    capped_grade = fields.CharField(max_length=1)
    grade = fields.CharField(max_length=1)
    predicted_bad = fields.FloatField(null=True)
    reasons: fields.Field[list[dict[str, Any]]] = fields.JSONField(default=list)
    caps: fields.Field[list[dict[str, Any]]] = fields.JSONField(default=list)
    # Indicators without a value: each scored at the rubric's neutral points.
    missing: fields.Field[list[str]] = fields.JSONField(default=list)
    status = fields.CharEnumField(RatingStatus, max_length=16, default=RatingStatus.PROPOSED)
    review_decision = fields.CharField(max_length=16, null=True)
    review_reason = fields.TextField(default="")
    reviewed_by = fields.CharField(max_length=100, null=True)
    reviewed_at = fields.DatetimeField(null=True)
    confirmed_by = fields.CharField(max_length=100, null=True)
    confirmed_at = fields.DatetimeField(null=True)
    published_at = fields.DatetimeField(null=True)
    is_current = fields.BooleanField(default=False, db_index=True)

    class Meta:
        table = "ratings"
        unique_together = (("run", "incubator"),)


class Appeal(Model):
    """An incubator contests a published rating, and an official decides."""

    id = fields.IntField(primary_key=True)
    rating: fields.ForeignKeyRelation[Rating] = fields.ForeignKeyField(
        "models.Rating", related_name="appeals", on_delete=fields.CASCADE
    )
    rating_id: int
    incubator: fields.ForeignKeyRelation[Incubator] = fields.ForeignKeyField(
        "models.Incubator", related_name="appeals", on_delete=fields.CASCADE
    )
    incubator_id: int
    reason = fields.TextField()
    filed_by = fields.CharField(max_length=100)
    filed_at = fields.DatetimeField()
    # open / dismissed / upheld_pending (a second official must confirm) / upheld
    status = fields.CharField(max_length=16, default="open")
    new_grade = fields.CharField(max_length=1, null=True)
    outcome_note = fields.TextField(default="")
    decided_by = fields.CharField(max_length=100, null=True)
    decided_at = fields.DatetimeField(null=True)
    confirmed_by = fields.CharField(max_length=100, null=True)
    confirmed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "rating_appeals"
