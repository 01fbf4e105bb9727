from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from servicedesk.bounds import Body, Codes, Count, Note
from servicedesk.policy.service import PolicyView

Grade = Literal["A", "B", "C", "D"]
Rate = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]


class PolicyCreate(Body):
    waiver_grades: Annotated[list[Grade], Field(max_length=4)]
    spot_check_rates: Annotated[dict[Grade, Rate], Field(max_length=4)]
    quota_per_period: Count
    waivable_matters: Codes
    graduate_window_days: int = Field(default=365, ge=0, le=3650)
    recommendation_valid_days: int = Field(default=90, ge=1, le=3650)
    note: Note = ""


class PolicyRead(BaseModel):
    version: int
    waiver_grades: list[str]
    spot_check_rates: dict[str, float]
    quota_per_period: int
    waivable_matters: list[str]
    graduate_window_days: int
    recommendation_valid_days: int
    note: str
    created_by: str
    created_at: datetime | None
    status: str
    confirmed_by: str | None
    confirmed_at: datetime | None


def policy_read(view: PolicyView) -> PolicyRead:
    return PolicyRead(**asdict(view))
