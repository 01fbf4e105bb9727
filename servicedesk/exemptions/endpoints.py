from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from servicedesk.deps import CurrentIncubator, CurrentOfficial, IdempotencyKey, SettingsDep
from servicedesk.exemptions import recommendations, spotchecks
from servicedesk.exemptions.schemas import (
    LiftIn,
    RecommendationCreate,
    RecommendationRead,
    SpotCheckRead,
    SpotCheckResultIn,
    SuspensionRead,
    recommendation_read,
    spot_check_read,
    suspension_read,
)
from servicedesk.idempotency import service as idempotency
from servicedesk.incubators import service as incubators

router = APIRouter(tags=["recommendations"])
spot_checks_router = APIRouter(prefix="/spot-checks", tags=["spot checks"])


@router.post("/recommendations", status_code=201, response_model=RecommendationRead)
async def recommend(
    body: RecommendationCreate,
    incubator: CurrentIncubator,
    settings: SettingsDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Recommend one of the incubator's firms for a waivable matter (Idempotency-Key)."""

    async def handler() -> tuple[int, Any]:
        view = await recommendations.create(
            incubator, firm_uscc=body.firm_uscc, matter_code=body.matter_code, note=body.note
        )
        return 201, recommendation_read(view).model_dump(mode="json")

    status, payload = await idempotency.run(
        settings=settings,
        caller=incubator.label,
        operation="POST /recommendations",
        key=key,
        body=body.model_dump(mode="json"),
        handler=handler,
    )
    return JSONResponse(payload, status_code=status)


@router.get("/recommendations", response_model=list[RecommendationRead])
async def my_recommendations(incubator: CurrentIncubator) -> list[RecommendationRead]:
    """The incubator's recommendations, newest first."""
    views = await recommendations.list_for(incubators.own_code(incubator))
    return [recommendation_read(v) for v in views]


@router.post("/recommendations/{rec_id}/revoke", response_model=RecommendationRead)
async def revoke(rec_id: int, incubator: CurrentIncubator) -> RecommendationRead:
    """Withdraw an unused recommendation."""
    return recommendation_read(await recommendations.revoke(rec_id, incubator))


@router.get("/suspensions", response_model=list[SuspensionRead])
async def list_suspensions(_official: CurrentOfficial) -> list[SuspensionRead]:
    """Suspended recommendation privileges, newest first."""
    return [suspension_read(s) for s in await recommendations.suspensions()]


@router.post("/suspensions/{suspension_id}/lift", response_model=SuspensionRead)
async def lift(suspension_id: int, body: LiftIn, official: CurrentOfficial) -> SuspensionRead:
    """Propose restoring an incubator's recommendation privilege, with the review's reason."""
    row = await recommendations.lift_suspension(
        suspension_id, actor=official.label, reason=body.reason
    )
    return suspension_read(row)


@router.post("/suspensions/{suspension_id}/confirm-lift", response_model=SuspensionRead)
async def confirm_lift(suspension_id: int, official: CurrentOfficial) -> SuspensionRead:
    """Confirm a proposed lift (a different official): the privilege is restored."""
    return suspension_read(await recommendations.confirm_lift(suspension_id, actor=official.label))


@spot_checks_router.get("", response_model=list[SpotCheckRead])
async def list_spot_checks(_official: CurrentOfficial) -> list[SpotCheckRead]:
    """Recent spot checks, newest first."""
    return [spot_check_read(c) for c in await spotchecks.recent()]


@spot_checks_router.post("/{check_id}/result", response_model=SpotCheckRead)
async def record_result(
    check_id: int, body: SpotCheckResultIn, official: CurrentOfficial
) -> SpotCheckRead:
    """Record the inspection outcome: pass, fail or falsified (which suspends)."""
    check = await spotchecks.record_result(
        check_id, outcome=body.outcome, notes=body.notes, actor=official.label
    )
    return spot_check_read(check)
