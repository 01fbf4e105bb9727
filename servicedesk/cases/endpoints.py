from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from servicedesk.accounts.service import Principal
from servicedesk.cases import contact, corrections, overdue, service, transitions
from servicedesk.cases.schemas import (
    AcceptIn,
    CaseCreate,
    CaseRead,
    ConsentRead,
    ConsentWithdrawIn,
    ExtendIn,
    MaterialsIn,
    ReasonIn,
    ReturnIn,
    WithdrawIn,
    case_read,
)
from servicedesk.deps import (
    AnyPrincipal,
    CurrentClerk,
    IdempotencyKey,
    KioskOrClerk,
    MaybePrincipal,
    PublicQueryLimit,
    SettingsDep,
)
from servicedesk.errors import Forbidden, InvalidInput
from servicedesk.idempotency import service as idempotency

router = APIRouter(prefix="/cases", tags=["cases"])


@router.post("", status_code=201, response_model=CaseRead)
async def submit_case(
    body: CaseCreate, principal: KioskOrClerk, settings: SettingsDep, key: IdempotencyKey = None
) -> JSONResponse:
    """Submit an application; retries with the same Idempotency-Key return the first case."""

    async def handler() -> tuple[int, Any]:
        view = await service.submit(
            principal=principal,
            service_point=body.service_point,
            matter_code=body.matter_code,
            uscc=body.firm.uscc,
            firm_name=body.firm.name,
            materials=body.materials,
            recommendation_id=body.recommendation_id,
            recommendation_code=body.recommendation_code,
            contact=body.contact,
        )
        return 201, case_read(view, with_query_code=True).model_dump(mode="json")

    status, payload = await idempotency.run(
        settings=settings,
        caller=principal.label,
        operation="POST /cases",
        key=key,
        body=body.model_dump(mode="json"),
        handler=handler,
    )
    return JSONResponse(payload, status_code=status)


@router.get("/overdue", response_model=list[CaseRead])
async def overdue_cases(
    principal: AnyPrincipal,
    service_point: str | None = None,
    matter: str | None = None,
    kind: str | None = None,
) -> list[CaseRead]:
    """Open cases that are red, yellow or owe an overdue supplement (officials: every
    point; a clerk or supervisor: their own); filter by point, matter and kind."""
    if principal.role not in {"clerk", "supervisor", "official", "admin"}:
        raise Forbidden("this list is for clerks and officials")
    filters = overdue.Filters(service_point=service_point, matter=matter, kind=kind)
    return [case_read(v) for v in await service.overdue_list(filters, principal)]


@router.get("/{case_no}", response_model=CaseRead, dependencies=[PublicQueryLimit])
async def get_case(
    case_no: str,
    principal: MaybePrincipal,
    query_code: Annotated[str | None, Query(min_length=1, max_length=32)] = None,
    uscc: Annotated[str | None, Query(min_length=1, max_length=32)] = None,
) -> CaseRead:
    """Progress query: status, deadline and timeline, for whoever holds number and query code.

    ``uscc`` instead of ``query_code`` is accepted only from a kiosk of the case's own point.
    """
    if query_code is not None:
        view = await service.get_public(case_no, query_code=query_code)
    elif uscc is not None and principal is not None and principal.kiosk is not None:
        view = await service.get_at_kiosk(case_no, uscc=uscc, principal=principal)
    else:
        raise InvalidInput(
            "give the query_code printed on the case receipt (the USCC alone no longer "
            "opens a case)",
            extra={"field": "query_code"},
        )
    return case_read(view, public=True)


@router.post(
    "/{case_no}/contact/withdraw", response_model=ConsentRead, dependencies=[PublicQueryLimit]
)
async def withdraw_consent(case_no: str, body: ConsentWithdrawIn) -> ConsentRead:
    """The firm withdraws its consent to messages (it holds number and query code)."""
    return ConsentRead(withdrawn=await contact.withdraw_consent(case_no, body.query_code))


@router.post("/{case_no}/accept", response_model=CaseRead)
async def accept(case_no: str, clerk: CurrentClerk, body: AcceptIn | None = None) -> CaseRead:
    """Accept; with missing non-core materials the firm owes them (accept with deficiency)."""
    body = body or AcceptIn()
    view = await transitions.accept(
        case_no,
        principal=clerk,
        with_deficiency=body.with_deficiency,
        supplement_due=body.supplement_due,
    )
    return case_read(view)


@router.post("/{case_no}/extend-supplement", response_model=CaseRead)
async def extend_supplement(case_no: str, body: ExtendIn, clerk: CurrentClerk) -> CaseRead:
    """Grant the one extension of an overdue supplement (no later than the promised deadline)."""
    return case_read(
        await transitions.extend_supplement(
            case_no, principal=clerk, supplement_due=body.supplement_due
        )
    )


@router.post("/{case_no}/return", response_model=CaseRead)
async def return_case(case_no: str, clerk: CurrentClerk, body: ReturnIn | None = None) -> CaseRead:
    """Return with one notice listing every missing or defective material."""
    items = [i.model_dump() for i in (body or ReturnIn()).items]
    return case_read(await transitions.return_for_correction(case_no, principal=clerk, items=items))


@router.post("/{case_no}/reject", response_model=CaseRead)
async def reject(case_no: str, body: ReasonIn, clerk: CurrentClerk) -> CaseRead:
    """Decide not to accept the application, with a reason."""
    return case_read(
        await transitions.simple_transition(case_no, "reject", principal=clerk, reason=body.reason)
    )


async def _check_firm(principal: Principal, case_no: str, body: MaterialsIn | WithdrawIn) -> None:
    """A kiosk acts for a firm only when it shows the query code, or the firm's USCC at a
    kiosk of the case's own point, as the public query."""
    if principal.kiosk is None:
        return
    if body.query_code:
        await service.check_query_code(case_no, body.query_code)
    else:
        await service.get_at_kiosk(case_no, uscc=body.uscc or "", principal=principal)


@router.post("/{case_no}/resubmit", response_model=CaseRead)
async def resubmit(case_no: str, body: MaterialsIn, principal: KioskOrClerk) -> CaseRead:
    """The firm provides what the one-time notice listed."""
    await _check_firm(principal, case_no, body)
    return case_read(
        await corrections.resubmit(case_no, principal=principal, materials=body.materials)
    )


@router.post("/{case_no}/supplement", response_model=CaseRead)
async def supplement(case_no: str, body: MaterialsIn, principal: KioskOrClerk) -> CaseRead:
    """The firm delivers materials promised at acceptance with deficiency."""
    await _check_firm(principal, case_no, body)
    return case_read(
        await corrections.supplement(case_no, principal=principal, materials=body.materials)
    )


@router.post("/{case_no}/withdraw", response_model=CaseRead)
async def withdraw(
    case_no: str, principal: KioskOrClerk, body: WithdrawIn | None = None
) -> CaseRead:
    """The firm withdraws its application before a decision."""
    body = body or WithdrawIn()
    await _check_firm(principal, case_no, body)
    return case_read(
        await transitions.simple_transition(
            case_no, "withdraw", principal=principal, reason=body.reason
        )
    )


def _simple(action: str, *, needs_reason: bool = False) -> None:
    path = "/{case_no}/" + action.replace("_", "-")
    doc = {
        "start_review": "Start the substantive review of an accepted case.",
        "approve": "Approve the application.",
        "deny": "Deny the application, with a reason.",
        "issue_result": "Hand the result to the firm.",
        "close": "Close the case after the result was issued.",
    }[action]

    if needs_reason:

        async def endpoint_r(case_no: str, body: ReasonIn, clerk: CurrentClerk) -> CaseRead:
            return case_read(
                await transitions.simple_transition(
                    case_no, action, principal=clerk, reason=body.reason
                )
            )

        router.post(path, response_model=CaseRead, description=doc, name=action)(endpoint_r)
    else:

        async def endpoint(case_no: str, clerk: CurrentClerk) -> CaseRead:
            return case_read(await transitions.simple_transition(case_no, action, principal=clerk))

        router.post(path, response_model=CaseRead, description=doc, name=action)(endpoint)


for _action in ("start_review", "approve", "issue_result", "close"):
    _simple(_action)
_simple("deny", needs_reason=True)


@router.get("", response_model=list[CaseRead])
async def list_cases(
    clerk: CurrentClerk, status: Annotated[list[str] | None, Query()] = None
) -> list[CaseRead]:
    """Cases at the clerk's service point, newest first."""
    return [case_read(v) for v in await service.list_for_clerk(clerk, statuses=status)]
