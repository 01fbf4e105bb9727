from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from servicedesk.bounds import Body, Code, LongNote, Note, UsccText
from servicedesk.exemptions.models import SpotCheck
from servicedesk.exemptions.recommendations import RecommendationView
from servicedesk.incubators.models import Suspension


class RecommendationCreate(Body):
    firm_uscc: UsccText
    matter_code: Code
    note: Note = ""


class RecommendationRead(BaseModel):
    id: int
    incubator_code: str
    firm_uscc: str
    firm_name: str
    matter_code: str
    code: str | None
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
    lift_proposed_by: str | None
    lift_proposed_at: datetime | None


class LiftIn(Body):
    reason: Annotated[Note, Field(min_length=1)]


class SpotCheckResultIn(Body):
    outcome: Literal["pass", "fail", "falsified"]
    notes: LongNote = ""


class SpotCheckRead(BaseModel):
    id: int
    case_no: str
    incubator_code: str
    grade: str
    rate: float
    draw_value: float
    policy_version: int
    drawn_at: datetime
    outcome: str | None
    notes: str
    recorded_by: str | None
    recorded_at: datetime | None


def recommendation_read(view: RecommendationView) -> RecommendationRead:
    rec = view.recommendation
    return RecommendationRead(
        id=rec.id,
        incubator_code=rec.incubator.code,
        firm_uscc=rec.firm.uscc,
        firm_name=rec.firm.name,
        matter_code=rec.matter.code,
        code=rec.code,
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
        lift_proposed_by=row.lift_proposed_by,
        lift_proposed_at=row.lift_proposed_at,
    )


def spot_check_read(check: SpotCheck) -> SpotCheckRead:
    return SpotCheckRead(
        id=check.id,
        case_no=check.case_no,
        incubator_code=check.incubator.code,
        grade=check.grade,
        rate=check.rate,
        draw_value=check.draw_value,
        policy_version=check.policy_version,
        drawn_at=check.drawn_at,
        outcome=check.outcome,
        notes=check.notes,
        recorded_by=check.recorded_by,
        recorded_at=check.recorded_at,
    )
