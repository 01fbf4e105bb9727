from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from servicedesk.incubators.models import Incubation


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


def firm_read(row: Incubation) -> FirmStatusRead:
    return FirmStatusRead(
        uscc=row.firm.uscc, name=row.firm.name, status=row.status.value, since=row.since
    )
