from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from servicedesk.spotchecks.models import SpotCheck


class SpotCheckResultIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["pass", "fail", "falsified"]
    notes: str = Field(default="", max_length=4000)


class SpotCheckRead(BaseModel):
    id: int
    case_no: str
    incubator_code: str
    grade: str
    rate: float
    draw_seed: str
    draw_value: float
    policy_version: int
    drawn_at: datetime
    outcome: str | None
    notes: str
    recorded_by: str | None
    recorded_at: datetime | None


def spot_check_read(check: SpotCheck) -> SpotCheckRead:
    return SpotCheckRead(
        id=check.id,
        case_no=check.case_no,
        incubator_code=check.incubator.code,
        grade=check.grade,
        rate=check.rate,
        draw_seed=check.draw_seed,
        draw_value=check.draw_value,
        policy_version=check.policy_version,
        drawn_at=check.drawn_at,
        outcome=check.outcome,
        notes=check.notes,
        recorded_by=check.recorded_by,
        recorded_at=check.recorded_at,
    )
