from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from servicedesk.exemptions.models import Suspension
from servicedesk.exemptions.recommendations import RecommendationView


class RecommendationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    firm_uscc: str = Field(min_length=1, max_length=40)
    matter_code: str = Field(min_length=1, max_length=32)
    note: str = Field(default="", max_length=2000)


class RecommendationRead(BaseModel):
    id: int
    incubator_code: str
    firm_uscc: str
    firm_name: str
    matter_code: str
    period: str
    valid_until: date
    status: str
    case_no: str | None
    created_at: datetime


class SuspensionRead(BaseModel):
    id: int
    incubator_code: str
    reason: str
    spot_check_id: int | None
    started_at: datetime
    lifted_at: datetime | None
    lifted_by: str | None
    lift_reason: str


class LiftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


def recommendation_read(view: RecommendationView) -> RecommendationRead:
    rec = view.recommendation
    return RecommendationRead(
        id=rec.id,
        incubator_code=rec.incubator.code,
        firm_uscc=rec.firm.uscc,
        firm_name=rec.firm.name,
        matter_code=rec.matter.code,
        period=rec.period,
        valid_until=rec.valid_until,
        status=view.status,
        case_no=view.case_no,
        created_at=rec.created_at,
    )


def suspension_read(row: Suspension) -> SuspensionRead:
    return SuspensionRead(
        id=row.id,
        incubator_code=row.incubator.code,
        reason=row.reason,
        spot_check_id=row.spot_check_id,
        started_at=row.started_at,
        lifted_at=row.lifted_at,
        lifted_by=row.lifted_by,
        lift_reason=row.lift_reason,
    )
