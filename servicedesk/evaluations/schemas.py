from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, model_validator

from servicedesk.bounds import Body, Code
from servicedesk.evaluations.followups import FollowUpView
from servicedesk.evaluations.levels import LEVELS
from servicedesk.evaluations.models import Evaluation, FollowUp, FollowUpStatus, ReplyKind


class HolderIn(Body):
    """Who holds the service: a ticket's receipt code, or a case number and query code."""

    ticket_receipt_code: str | None = Field(None, min_length=1, max_length=64)
    case_no: str | None = Field(None, min_length=1, max_length=48)
    query_code: str | None = Field(None, min_length=1, max_length=16)

    @model_validator(mode="after")
    def _one_holder(self) -> HolderIn:
        by_case = self.case_no is not None or self.query_code is not None
        if self.ticket_receipt_code is not None and by_case:
            raise ValueError("give ticket_receipt_code, or case_no with query_code, not both")
        if self.ticket_receipt_code is None and not (self.case_no and self.query_code):
            raise ValueError("give ticket_receipt_code, or case_no with query_code")
        return self


class EvaluationCreate(HolderIn):
    level: int = Field(ge=1, le=5, description="5 = 非常满意 … 1 = 非常不满意")
    tags: list[Code] = Field(default_factory=list, max_length=12)
    comment: str = Field("", max_length=500)


class EvaluationCreated(BaseModel):
    id: int
    level: int
    follow_up_id: int | None


class ReplyRead(BaseModel):
    """What the firm sees of a follow-up: the reply once it is final."""

    status: str
    due: date
    reply_kind: str | None
    reply_text: str | None
    closed_at: datetime | None


class EvaluationRead(BaseModel):
    id: int
    level: int
    level_name: str
    tags: list[str]
    comment: str
    created_at: datetime
    follow_up: ReplyRead | None


def follow_up_of(evaluation: Evaluation) -> FollowUp | None:
    related = getattr(evaluation, "follow_up", None)
    return related if isinstance(related, FollowUp) else None


def evaluation_created(evaluation: Evaluation) -> EvaluationCreated:
    follow_up = follow_up_of(evaluation)
    return EvaluationCreated(
        id=evaluation.id, level=evaluation.level, follow_up_id=follow_up.id if follow_up else None
    )


def evaluation_read(evaluation: Evaluation) -> EvaluationRead:
    follow_up = follow_up_of(evaluation)
    reply = None
    if follow_up is not None:
        final = follow_up.status is FollowUpStatus.CLOSED
        reply = ReplyRead(
            status=follow_up.status.value,
            due=follow_up.due,
            reply_kind=follow_up.reply_kind.value if final and follow_up.reply_kind else None,
            reply_text=follow_up.reply_text if final else None,
            closed_at=follow_up.closed_at,
        )
    return EvaluationRead(
        id=evaluation.id,
        level=evaluation.level,
        level_name=LEVELS[evaluation.level].name_zh,
        tags=list(evaluation.tags),
        comment=evaluation.comment,
        created_at=evaluation.created_at,
        follow_up=reply,
    )


class ReplyIn(Body):
    kind: ReplyKind
    text: str = Field(min_length=1, max_length=2000)


class SendBackIn(Body):
    reason: str = Field(min_length=1, max_length=2000)


class FollowUpRead(BaseModel):
    id: int
    evaluation_id: int
    service_point: str
    service: str
    level: int
    tags: list[str]
    comment: str
    status: str
    opened_on: date
    due: date
    warning: str
    reply_kind: str | None
    reply_text: str
    replied_by: str | None
    replied_at: datetime | None
    approved_by: str | None
    closed_at: datetime | None


def follow_up_read(view: FollowUpView) -> FollowUpRead:
    f, e = view.follow_up, view.evaluation
    return FollowUpRead(
        id=f.id,
        evaluation_id=e.id,
        service_point=f.service_point.code,
        service=view.service,
        level=e.level,
        tags=list(e.tags),
        comment=e.comment,
        status=f.status.value,
        opened_on=f.opened_on,
        due=f.due,
        warning=view.warning,
        reply_kind=f.reply_kind.value if f.reply_kind else None,
        reply_text=f.reply_text,
        replied_by=f.replied_by,
        replied_at=f.replied_at,
        approved_by=f.approved_by,
        closed_at=f.closed_at,
    )
