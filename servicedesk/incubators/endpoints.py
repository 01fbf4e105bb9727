from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from servicedesk.deps import AnyPrincipal, CurrentOfficial
from servicedesk.errors import InvalidInput
from servicedesk.incubators import derived, indicators, registry
from servicedesk.incubators import service as incubators
from servicedesk.incubators.models import Incubator
from servicedesk.incubators.schemas import (
    CorrectionIn,
    EndIn,
    FirmRegister,
    FirmStatusRead,
    ImportRead,
    IndicatorItemRead,
    IndicatorPeriodRead,
    IndicatorsIn,
    PeriodIndicatorsRead,
    RecordIn,
    RecordRead,
    firm_read,
)

router = APIRouter(prefix="/incubators", tags=["incubators"])


async def _registry_owner(code: str, principal: AnyPrincipal) -> Incubator:
    user = principal.user
    registry.check_operator_or_official(principal.role, user.incubator_code if user else None, code)
    return await incubators.get(code)


async def _body_text(request: Request) -> str:
    try:
        return (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("the CSV must be UTF-8 encoded", extra={"rows": []}) from None


@router.get("/{code}/firms", response_model=list[FirmStatusRead])
async def incubator_firms(code: str, principal: AnyPrincipal) -> list[FirmStatusRead]:
    """The incubator's firms and their incubation status (that incubator or an official)."""
    return [firm_read(row) for row in await incubators.firms_of(code, principal)]


@router.post("/{code}/firms", status_code=201, response_model=FirmStatusRead)
async def register_firm(code: str, body: FirmRegister, principal: AnyPrincipal) -> FirmStatusRead:
    """Register a firm as incubated here (its operator or an official); a bad USCC is 422."""
    incubator = await _registry_owner(code, principal)
    row = await registry.register(
        incubator, uscc=body.uscc, name=body.name, joined_on=body.joined_on, actor=principal.label
    )
    return firm_read(row)


@router.post("/{code}/firms.csv", status_code=201, response_model=ImportRead)
async def import_firms(code: str, request: Request, principal: AnyPrincipal) -> ImportRead:
    """Register firms from CSV (uscc,name,joined_on[,graduated_on,left_on]), all or nothing."""
    incubator = await _registry_owner(code, principal)
    rows = registry.parse_csv(await _body_text(request))
    return ImportRead(stored=await registry.import_rows(incubator, rows, actor=principal.label))


@router.post("/{code}/firms/{uscc}/graduate", response_model=FirmStatusRead)
async def graduate(code: str, uscc: str, body: EndIn, principal: AnyPrincipal) -> FirmStatusRead:
    """The firm graduated on the given day."""
    incubator = await _registry_owner(code, principal)
    row = await registry.end(incubator, uscc, how="graduate", on=body.on, actor=principal.label)
    return firm_read(row)


@router.post("/{code}/firms/{uscc}/leave", response_model=FirmStatusRead)
async def leave(code: str, uscc: str, body: EndIn, principal: AnyPrincipal) -> FirmStatusRead:
    """The firm left without graduating on the given day."""
    incubator = await _registry_owner(code, principal)
    row = await registry.end(incubator, uscc, how="leave", on=body.on, actor=principal.label)
    return firm_read(row)


@router.patch("/{code}/firms/{uscc}", response_model=FirmStatusRead)
async def correct(
    code: str, uscc: str, body: CorrectionIn, official: CurrentOfficial
) -> FirmStatusRead:
    """An official corrects a registry record, with a reason kept on the audit log."""
    changes = body.model_dump(exclude_unset=True, exclude={"reason"})
    row = await registry.correct(
        await incubators.get(code), uscc, changes=changes, reason=body.reason, actor=official.label
    )
    return firm_read(row)


@router.post("/{code}/records", status_code=201, response_model=RecordRead)
async def add_record(code: str, body: RecordIn, official: CurrentOfficial) -> RecordRead:
    """Record a violation or a false report against the incubator, with evidence."""
    event = await registry.add_record(
        await incubators.get(code),
        kind=body.kind,
        on=body.date,
        note=body.note,
        actor=official.label,
    )
    return RecordRead(
        id=event.id,
        kind=event.kind,
        date=event.occurred_on,
        period=event.period,
        note=event.notes,
        recorded_by=event.recorded_by,
    )


@router.get("/{code}/records", response_model=list[RecordRead])
async def list_records(code: str, principal: AnyPrincipal) -> list[RecordRead]:
    """Violations, false reports and failed spot checks on record, newest first."""
    incubators.check_access(principal, code)
    return [
        RecordRead(
            id=e.id,
            kind=e.kind,
            date=e.occurred_on,
            period=e.period,
            note=e.notes,
            recorded_by=e.recorded_by,
        )
        for e in await registry.records(await incubators.get(code))
    ]


@router.get("/{code}/indicators", response_model=PeriodIndicatorsRead | list[IndicatorPeriodRead])
async def indicator_history(code: str, principal: AnyPrincipal, period: str | None = None) -> Any:
    """With ?period=: every indicator of that period with its source (reported or
    derived) and what it comes from, missing ones with value null. Without: the
    stored values per period, oldest first."""
    incubators.check_access(principal, code)
    incubator = await incubators.get(code)
    if period is not None:
        items = await derived.period_view(incubator, period)
        return PeriodIndicatorsRead(
            period=period,
            indicators=[IndicatorItemRead(**vars(i)) for i in items],
            missing=[i.name for i in items if i.value is None],
        )
    rows = await indicators.history(incubator)
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
    text = await _body_text(request)
    return ImportRead(stored=await indicators.import_csv(incubator, text, actor=principal.label))
