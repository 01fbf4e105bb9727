from __future__ import annotations

from fastapi import APIRouter

from servicedesk.deps import CurrentOfficial
from servicedesk.spotchecks import service
from servicedesk.spotchecks.schemas import SpotCheckRead, SpotCheckResultIn, spot_check_read

router = APIRouter(prefix="/spot-checks", tags=["spot checks"])


@router.get("", response_model=list[SpotCheckRead])
async def list_spot_checks(_official: CurrentOfficial) -> list[SpotCheckRead]:
    """Recent spot checks, newest first."""
    return [spot_check_read(c) for c in await service.recent()]


@router.post("/{check_id}/result", response_model=SpotCheckRead)
async def record_result(
    check_id: int, body: SpotCheckResultIn, official: CurrentOfficial
) -> SpotCheckRead:
    """Record the inspection outcome: pass, fail or falsified (which suspends)."""
    check = await service.record_result(
        check_id, outcome=body.outcome, notes=body.notes, actor=official.label
    )
    return spot_check_read(check)
