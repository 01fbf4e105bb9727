from __future__ import annotations

from fastapi import APIRouter

from servicedesk.deps import CurrentOfficial
from servicedesk.policy import service
from servicedesk.policy.schemas import PolicyCreate, PolicyRead, policy_read

router = APIRouter(prefix="/policy", tags=["policy"])


@router.get("", response_model=PolicyRead)
async def get_policy(_official: CurrentOfficial) -> PolicyRead:
    """The waiver policy in force."""
    return policy_read(await service.current())


@router.post("", response_model=PolicyRead, status_code=201)
async def save_policy(body: PolicyCreate, official: CurrentOfficial) -> PolicyRead:
    """Propose a new policy version; it is in force once another official confirms it."""
    return policy_read(await service.save(actor=official.label, **body.model_dump()))


@router.get("/versions", response_model=list[PolicyRead])
async def versions(_official: CurrentOfficial) -> list[PolicyRead]:
    """Every version, newest first: proposed, confirmed and withdrawn."""
    return [policy_read(v) for v in await service.history()]


@router.post("/{version}/confirm", response_model=PolicyRead)
async def confirm(version: int, official: CurrentOfficial) -> PolicyRead:
    """Put a proposed version in force (a different official from the one who proposed it)."""
    return policy_read(await service.confirm(version, actor=official.label))


@router.post("/{version}/withdraw", response_model=PolicyRead)
async def withdraw(version: int, official: CurrentOfficial) -> PolicyRead:
    """Drop a proposed version before it is confirmed."""
    return policy_read(await service.withdraw(version, actor=official.label))
