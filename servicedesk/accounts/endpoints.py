from __future__ import annotations

from fastapi import APIRouter

from servicedesk.accounts import service
from servicedesk.accounts.schemas import MeRead, TokenRead, TokenRequest
from servicedesk.deps import AnyPrincipal, SettingsDep
from servicedesk.errors import Forbidden

router = APIRouter(prefix="/auth", tags=["accounts"])


@router.post("/token", response_model=TokenRead)
async def issue_token(body: TokenRequest, settings: SettingsDep) -> TokenRead:
    """Exchange a staff username and password for a bearer token."""
    user = await service.authenticate(body.username, body.password)
    token = await service.issue_token(user, ttl_hours=settings.token_ttl_hours)
    return TokenRead(
        access_token=token,
        role=user.role.value,
        service_point=await service.service_point_code(user),
        incubator_code=user.incubator_code,
        expires_in=settings.token_ttl_hours * 3600,
    )


@router.get("/me", response_model=MeRead)
async def me(principal: AnyPrincipal) -> MeRead:
    """Who the bearer token belongs to."""
    user = principal.user
    if user is None:
        raise Forbidden("a kiosk token has no staff account")
    return MeRead(
        username=user.username,
        role=user.role.value,
        display_name=user.display_name,
        service_point=await service.service_point_code(user),
        incubator_code=user.incubator_code,
    )
