from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from servicedesk.bounds import Body, Code, DbId, LongNote, Note, Version
from servicedesk.ratings.models import Appeal, Rating, RatingRun, ScoringModel
from servicedesk.ratings.service import IncubatorView


class RunCreate(Body):
    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    period: Annotated[Code, Field(max_length=8)]
    model_version: Version | None = None


class ReviewIn(Body):
    decision: Literal["approve", "override"]
    grade: Literal["A", "B", "C", "D"] | None = None
    reason: Note = ""


class RatingRead(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    id: int
    incubator_code: str
    score: float
    grade: str
    reasons: list[dict[str, Any]]
    status: str
    run_id: int
    period: str
    indicator_period: str
    model_grade: str
    capped_grade: str
    caps: list[dict[str, Any]]
    missing: list[str]
    predicted_bad: float | None
    review_decision: str | None
    review_reason: str
    reviewed_by: str | None
    confirmed_by: str | None
    published_at: datetime | None


class RunRead(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    id: int
    period: str
    status: str
    model_version: str
    created_by: str
    created_at: datetime
    published_by: str | None
    published_at: datetime | None
    skipped: list[dict[str, str]]
    ratings: list[RatingRead]


class AppealCreate(Body):
    reason: Annotated[LongNote, Field(min_length=1)]
    rating_id: DbId | None = None


class AppealDecide(Body):
    outcome: Literal["dismissed", "upheld"]
    note: Annotated[LongNote, Field(min_length=1)]
    new_grade: Literal["A", "B", "C", "D"] | None = None


class AppealRead(BaseModel):
    id: int
    rating_id: int
    incubator_code: str
    grade_appealed: str
    reason: str
    filed_by: str
    filed_at: datetime
    status: str
    new_grade: str | None
    outcome_note: str
    decided_by: str | None
    decided_at: datetime | None
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None


class TrainIn(Body):
    # Below 1e-6 the solver finds no model (an underflow), so such a C is refused.
    C: float = Field(default=1.0, ge=1e-6, le=1e6, allow_inf_nan=False)


class RatingBrief(BaseModel):
    grade: str
    score: float
    published_at: datetime | None


class IncubatorRead(BaseModel):
    code: str
    name: str
    level: str
    district: str
    rating: RatingBrief | None


class Reason(BaseModel):
    feature: str
    points_lost: float


class PublishedRatingRead(BaseModel):
    incubator_code: str
    score: float
    grade: str
    reasons: list[Reason]
    model_version: str
    published_at: datetime | None


class ModelRead(BaseModel):
    version: str
    kind: str
    status: str
    approvals: list[str]
    created_by: str
    created_at: datetime
    activated_at: datetime | None
    training: dict[str, Any]
    validation: dict[str, Any]


def rating_read(rating: Rating, run: RatingRun | None = None) -> RatingRead:
    run = run or rating.run
    return RatingRead(
        id=rating.id,
        incubator_code=rating.incubator.code,
        score=rating.score,
        grade=rating.grade,
        reasons=list(rating.reasons),
        status=rating.status.value,
        run_id=run.id,
        period=run.period,
        indicator_period=rating.indicator_period,
        model_grade=rating.model_grade,
        capped_grade=rating.capped_grade,
        caps=list(rating.caps),
        missing=list(rating.missing),
        predicted_bad=rating.predicted_bad,
        review_decision=rating.review_decision,
        review_reason=rating.review_reason,
        reviewed_by=rating.reviewed_by,
        confirmed_by=rating.confirmed_by,
        published_at=rating.published_at,
    )


def run_read(run: RatingRun) -> RunRead:
    ratings = sorted(run.ratings, key=lambda r: r.incubator.code)
    return RunRead(
        id=run.id,
        period=run.period,
        status=run.status,
        model_version=run.model_version,
        created_by=run.created_by,
        created_at=run.created_at,
        published_by=run.published_by,
        published_at=run.published_at,
        skipped=list(run.skipped),
        ratings=[rating_read(r, run) for r in ratings],
    )


def appeal_read(appeal: Appeal) -> AppealRead:
    return AppealRead(
        id=appeal.id,
        rating_id=appeal.rating.id,
        incubator_code=appeal.incubator.code,
        grade_appealed=appeal.rating.grade,
        reason=appeal.reason,
        filed_by=appeal.filed_by,
        filed_at=appeal.filed_at,
        status=appeal.status,
        new_grade=appeal.new_grade,
        outcome_note=appeal.outcome_note,
        decided_by=appeal.decided_by,
        decided_at=appeal.decided_at,
        confirmed_by=appeal.confirmed_by,
        confirmed_at=appeal.confirmed_at,
    )


def model_read(model: ScoringModel) -> ModelRead:
    return ModelRead(
        version=model.version,
        kind=model.kind,
        status=model.status,
        approvals=list(model.approvals),
        created_by=model.created_by,
        created_at=model.created_at,
        activated_at=model.activated_at,
        training=dict(model.training),
        validation=dict(model.validation),
    )


def incubator_read(view: IncubatorView) -> IncubatorRead:
    inc, rating = view.incubator, view.rating
    brief = None
    if rating is not None:
        brief = RatingBrief(
            grade=rating.grade, score=rating.score, published_at=rating.published_at
        )
    return IncubatorRead(
        code=inc.code, name=inc.name, level=inc.level, district=inc.district, rating=brief
    )


def published_read(rating: Rating) -> PublishedRatingRead:
    return PublishedRatingRead(
        incubator_code=rating.incubator.code,
        score=rating.score,
        grade=rating.grade,
        reasons=[Reason(**r) for r in rating.reasons],
        model_version=rating.run.model_version,
        published_at=rating.published_at,
    )
