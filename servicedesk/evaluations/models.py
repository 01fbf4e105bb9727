from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from servicedesk.cases.models import Case
    from servicedesk.catalogue.models import ServicePoint
    from servicedesk.queue.models import Ticket


class Channel(StrEnum):
    WINDOW = "window"  # the tablet at the window, facing the firm
    RECEIPT = "receipt"  # the QR on the ticket receipt
    QUERY = "query"  # the case's progress query
    API = "api"


class Evaluation(Model):
    """The firm's rating of one service: a finished ticket or a decided case.

    Where the service happened (point, window, clerk, matter, day) is copied in, so
    statistics aggregate this one table.
    """

    id = fields.IntField(primary_key=True)
    ticket: fields.ForeignKeyNullableRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket",
        related_name="evaluations",
        null=True,
        unique=True,
        on_delete=fields.SET_NULL,
    )
    ticket_id: int | None
    case: fields.ForeignKeyNullableRelation[Case] = fields.ForeignKeyField(
        "models.Case", related_name="evaluations", null=True, unique=True, on_delete=fields.SET_NULL
    )
    case_id: int | None
    service_point: fields.ForeignKeyRelation[ServicePoint] = fields.ForeignKeyField(
        "models.ServicePoint", related_name="evaluations", on_delete=fields.RESTRICT
    )
    service_point_id: int
    window_id = fields.IntField(null=True)
    clerk_id = fields.IntField(null=True)
    matter_id = fields.IntField(null=True)
    level = fields.SmallIntField()
    tags: fields.Field[list[str]] = fields.JSONField(default=list)
    comment = fields.TextField(default="")
    channel = fields.CharEnumField(Channel, max_length=16)
    service_day = fields.DateField()
    day = fields.DateField()  # the Beijing day of the rating, which statistics count by
    created_at = fields.DatetimeField()

    class Meta:
        table = "evaluations"
        indexes = (("day", "service_point_id", "level"),)


class FollowUpStatus(StrEnum):
    OPEN = "open"
    AWAITING_APPROVAL = "awaiting_approval"  # explained; a second person must approve
    CLOSED = "closed"


class ReplyKind(StrEnum):
    RECTIFIED = "rectified"
    EXPLAINED = "explained"


class FollowUp(Model):
    """The follow-up of a bad rating (levels 1 and 2), due in 15 working days."""

    id = fields.IntField(primary_key=True)
    evaluation: fields.OneToOneRelation[Evaluation] = fields.OneToOneField(
        "models.Evaluation", related_name="follow_up", on_delete=fields.CASCADE
    )
    evaluation_id: int
    service_point: fields.ForeignKeyRelation[ServicePoint] = fields.ForeignKeyField(
        "models.ServicePoint", related_name="follow_ups", on_delete=fields.RESTRICT
    )
    service_point_id: int
    status = fields.CharEnumField(FollowUpStatus, max_length=24, default=FollowUpStatus.OPEN)
    opened_on = fields.DateField()
    due = fields.DateField()
    reply_kind = fields.CharEnumField(ReplyKind, max_length=16, null=True)
    reply_text = fields.TextField(default="")
    replied_by = fields.CharField(max_length=100, null=True)
    replied_at = fields.DatetimeField(null=True)
    approved_by = fields.CharField(max_length=100, null=True)
    closed_at = fields.DatetimeField(null=True)
    closed_on = fields.DateField(null=True)

    class Meta:
        table = "follow_ups"
        indexes = (("service_point_id", "status"), ("status", "due"))
