from __future__ import annotations

from fastapi import APIRouter, Request

from servicedesk.deps import AnyPrincipal
from servicedesk.errors import InvalidInput
from servicedesk.incubators import indicators
from servicedesk.incubators import service as incubators
from servicedesk.incubators.schemas import (
    FirmStatusRead,
    ImportRead,
    IndicatorPeriodRead,
    IndicatorsIn,
    firm_read,
)

router = APIRouter(prefix="/incubators", tags=["incubators"])


@router.get("/{code}/firms", response_model=list[FirmStatusRead])
async def incubator_firms(code: str, principal: AnyPrincipal) -> list[FirmStatusRead]:
    """The incubator's firms and their incubation status (that incubator or an official)."""
    return [firm_read(row) for row in await incubators.firms_of(code, principal)]


@router.get("/{code}/indicators", response_model=list[IndicatorPeriodRead])
async def indicator_history(code: str, principal: AnyPrincipal) -> list[IndicatorPeriodRead]:
    """The incubator's indicators per period, oldest first."""
    incubators.check_access(principal, code)
    rows = await indicators.history(await incubators.get(code))
    return [IndicatorPeriodRead(period=p, values=v) for p, v in rows]


@router.post("/{code}/indicators", response_model=ImportRead, status_code=201)
async def report_indicators(code: str, body: IndicatorsIn, principal: AnyPrincipal) -> ImportRead:
    """Report periodic indicators; every bad row is named and nothing half-imported."""
    incubator = await incubators.own_incubator(principal, code)
    rows = [{k: "" if v is None else str(v) for k, v in row.items()} for row in body.rows]
    stored = await indicators.record(
        incubator, indicators.validate(rows, first_row=1), actor=principal.label
    )
    return ImportRead(stored=stored)


@router.post("/{code}/indicators.csv", response_model=ImportRead, status_code=201)
async def upload_indicators(code: str, request: Request, principal: AnyPrincipal) -> ImportRead:
    """Upload indicators as CSV (header: period and indicator names), all or nothing."""
    incubator = await incubators.own_incubator(principal, code)
    try:
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("the CSV must be UTF-8 encoded", extra={"rows": []}) from None
    return ImportRead(stored=await indicators.import_csv(incubator, text, actor=principal.label))
