from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from servicedesk.accounts.service import Principal
from servicedesk.deps import AnyPrincipal, IdempotencyKey, PublicQueryLimit, SettingsDep
from servicedesk.errors import InvalidInput, NotFound
from servicedesk.evaluations import followups, service
from servicedesk.evaluations.models import Channel
from servicedesk.evaluations.schemas import (
    EvaluationCreate,
    EvaluationCreated,
    EvaluationRead,
    FollowUpRead,
    HolderIn,
    ReplyIn,
    SendBackIn,
    evaluation_created,
    evaluation_read,
    follow_up_read,
)
from servicedesk.idempotency import service as idempotency
from servicedesk.settings import Settings


async def _follow_up_handler(principal: AnyPrincipal) -> Principal:
    """A point's supervisor or an official; anyone else gets 403."""
    followups.point_scope(principal)
    return principal


router = APIRouter(tags=["evaluations"])
Handler = Annotated[Principal, Depends(_follow_up_handler)]
follow_ups = APIRouter(
    prefix="/follow-ups", tags=["evaluations"], dependencies=[Depends(_follow_up_handler)]
)


async def _target(holder: HolderIn) -> service.Target:
    if holder.ticket_receipt_code is not None:
        return await service.by_receipt_code(holder.ticket_receipt_code)
    return await service.by_case_code(holder.case_no or "", holder.query_code or "")


# Limited per client like the progress query: a case number with its query code is a
# holder's proof here too, and must not be guessed faster there than here.
@router.post(
    "/evaluations",
    status_code=201,
    response_model=EvaluationCreated,
    dependencies=[PublicQueryLimit],
)
async def rate(
    body: EvaluationCreate, settings: SettingsDep, key: IdempotencyKey = None
) -> JSONResponse:
    """Rate a finished ticket or a decided case once, as its holder."""

    async def handler() -> tuple[int, Any]:
        evaluation = await service.rate(
            await _target(body),
            level=body.level,
            tags=body.tags,
            comment=body.comment,
            channel=Channel.API,
        )
        return 201, evaluation_created(evaluation).model_dump(mode="json")

    status, payload = await _once(settings, body, key, handler)
    return JSONResponse(payload, status_code=status)


async def _once(
    settings: Settings, body: EvaluationCreate, key: str | None, handler: idempotency.Handler
) -> tuple[int, Any]:
    """A retried rating with the same Idempotency-Key answers the first 201 again."""
    holder = body.ticket_receipt_code or f"{body.case_no}:{body.query_code}"
    return await idempotency.run(
        settings=settings,
        caller=f"holder:{holder}",
        operation="POST /evaluations",
        key=key,
        body=body.model_dump(mode="json"),
        handler=handler,
    )


@router.get("/evaluations", response_model=EvaluationRead, dependencies=[PublicQueryLimit])
async def holder_view(
    ticket_receipt_code: Annotated[str | None, Query(max_length=64)] = None,
    case_no: Annotated[str | None, Query(max_length=48)] = None,
    query_code: Annotated[str | None, Query(max_length=16)] = None,
) -> EvaluationRead:
    """The holder's own rating and, once final, the reply to it; 404 while not rated."""
    target = await _target(_holder(ticket_receipt_code, case_no, query_code))
    evaluation = await service.of_service(
        ticket_id=target.ticket.id if target.ticket else None,
        case_id=target.case.id if target.case else None,
    )
    if evaluation is None:
        raise NotFound(f"{target.label} has not been rated")
    return evaluation_read(evaluation)


def _holder(receipt: str | None, case_no: str | None, query_code: str | None) -> HolderIn:
    """The holder's codes from the query string; a missing or empty one is 422."""
    try:
        return HolderIn(ticket_receipt_code=receipt, case_no=case_no, query_code=query_code)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "ticket_receipt_code"
        raise InvalidInput(f"{field}: {first['msg']}", extra={"field": field}) from None


@follow_ups.get("", response_model=list[FollowUpRead])
async def list_follow_ups(principal: Handler, status: str | None = None) -> list[FollowUpRead]:
    """Follow-ups of bad ratings: the supervisor's own point, every point for officials."""
    return [follow_up_read(v) for v in await followups.list_for(principal, status=status)]


@follow_ups.get("/{follow_up_id}", response_model=FollowUpRead)
async def get_follow_up(follow_up_id: int, principal: Handler) -> FollowUpRead:
    """One follow-up with the rating it answers."""
    return follow_up_read(await followups.get(follow_up_id, principal))


@follow_ups.post("/{follow_up_id}/reply", response_model=FollowUpRead)
async def reply(follow_up_id: int, body: ReplyIn, principal: Handler) -> FollowUpRead:
    """Rectified (what was done) closes it; explained (why not justified) awaits approval."""
    view = await followups.reply(follow_up_id, principal=principal, kind=body.kind, text=body.text)
    return follow_up_read(view)


@follow_ups.post("/{follow_up_id}/approve", response_model=FollowUpRead)
async def approve(follow_up_id: int, principal: Handler) -> FollowUpRead:
    """A second person approves an explanation; the follow-up closes."""
    return follow_up_read(await followups.approve(follow_up_id, principal=principal))


@follow_ups.post("/{follow_up_id}/send-back", response_model=FollowUpRead)
async def send_back(follow_up_id: int, body: SendBackIn, principal: Handler) -> FollowUpRead:
    """A second person does not accept the explanation; the follow-up opens again."""
    view = await followups.send_back(follow_up_id, principal=principal, reason=body.reason)
    return follow_up_read(view)
