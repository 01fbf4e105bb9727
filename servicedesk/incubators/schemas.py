from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from servicedesk.bounds import Body, Code
from servicedesk.incubators.models import Incubation


class FirmStatusRead(BaseModel):
    uscc: str
    name: str
    status: str
    since: date
    graduated_on: date | None = None
    left_on: date | None = None


class FirmRegister(Body):
    uscc: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    joined_on: date


class EndIn(Body):
    on: date


class CorrectionIn(Body):
    joined_on: date | None = None
    graduated_on: date | None = None
    left_on: date | None = None
    reason: str = Field(min_length=1, max_length=2000)


class RecordIn(Body):
    kind: Literal["violation", "false_report"]
    date: date
    note: str = Field(min_length=1, max_length=4000)


class RecordRead(BaseModel):
    id: int
    kind: str
    date: date | None
    period: str
    note: str
    recorded_by: str


class IndicatorItemRead(BaseModel):
    name: str
    value: float | None
    source: str
    detail: str


class PeriodIndicatorsRead(BaseModel):
    period: str
    indicators: list[IndicatorItemRead]
    missing: list[str]


IndicatorValue = Annotated[str, StringConstraints(max_length=64)] | float | int | None
IndicatorRow = Annotated[dict[Code, IndicatorValue], Field(max_length=64)]


class IndicatorsIn(Body):
    """Rows of ``{"period": "2026-Q3", "<indicator>": value, …}``."""

    rows: list[IndicatorRow] = Field(min_length=1, max_length=500)


class ImportRead(BaseModel):
    stored: int


class IndicatorPeriodRead(BaseModel):
    period: str
    values: dict[str, float | None]


def firm_read(row: Incubation) -> FirmStatusRead:
    return FirmStatusRead(
        uscc=row.firm.uscc,
        name=row.firm.name,
        status=row.status.value,
        since=row.since,
        graduated_on=row.graduated_on,
        left_on=row.left_on,
    )
