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
    """Save a new policy version; earlier versions stay on record."""
    return policy_read(await service.save(actor=official.label, **body.model_dump()))
