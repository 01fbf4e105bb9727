from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from servicedesk.policy.service import PolicyView


class PolicyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    waiver_grades: list[str]
    spot_check_rates: dict[str, float]
    quota_per_period: int = Field(ge=0, le=100_000)
    waivable_matters: list[str]
    graduate_window_days: int = Field(default=365, ge=0, le=3650)
    recommendation_valid_days: int = Field(default=90, ge=1, le=3650)
    note: str = Field(default="", max_length=2000)


class PolicyRead(BaseModel):
    version: int
    waiver_grades: list[str]
    spot_check_rates: dict[str, float]
    quota_per_period: int
    waivable_matters: list[str]
    graduate_window_days: int
    recommendation_valid_days: int
    draw_seed: str
    note: str
    created_by: str
    created_at: datetime | None


def policy_read(view: PolicyView) -> PolicyRead:
    return PolicyRead(**asdict(view))
