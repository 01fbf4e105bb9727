from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from servicedesk.incubators.models import Incubation
from servicedesk.incubators.service import IncubatorView
from servicedesk.ratings.models import Rating


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


class FirmStatusRead(BaseModel):
    uscc: str
    name: str
    status: str
    since: date


class IndicatorsIn(BaseModel):
    """Rows of ``{"period": "2026-Q3", "<indicator>": value, …}``."""

    model_config = ConfigDict(extra="forbid")

    rows: list[dict[str, str | float | int | None]] = Field(min_length=1, max_length=500)


class ImportRead(BaseModel):
    stored: int


class IndicatorPeriodRead(BaseModel):
    period: str
    values: dict[str, float | None]


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


def firm_read(row: Incubation) -> FirmStatusRead:
    return FirmStatusRead(
        uscc=row.firm.uscc, name=row.firm.name, status=row.status.value, since=row.since
    )
