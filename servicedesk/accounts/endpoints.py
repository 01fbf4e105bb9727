from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request

from servicedesk.accounts import kiosks, login, service
from servicedesk.accounts.schemas import MeRead, RevokedRead, TokenRead, TokenRequest, UnlockRead
from servicedesk.accounts.service import Principal
from servicedesk.bounds import Username
from servicedesk.deps import AnyPrincipal, SettingsDep, bearer_token, client_address, require_roles
from servicedesk.errors import Forbidden

router = APIRouter(prefix="/auth", tags=["accounts"])
admin_router = APIRouter(prefix="/admin/users", tags=["accounts"])
CurrentAdmin = Annotated[Principal, require_roles("admin")]


@router.post("/token", response_model=TokenRead)
async def issue_token(body: TokenRequest, request: Request, settings: SettingsDep) -> TokenRead:
    """Exchange a staff username and password for a bearer token (throttled, audited)."""
    user = await login.login(
        body.username, body.password, address=client_address(request), settings=settings
    )
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


@router.post("/revoke", response_model=RevokedRead)
async def revoke(principal: AnyPrincipal, request: Request) -> RevokedRead:
    """Revoke the bearer token of this request (log out); it is refused from now on."""
    if principal.kiosk is not None:  # a kiosk's token is the kiosk: it is retired
        await kiosks.revoke(principal.kiosk.id, actor=principal.label)
    else:
        await service.revoke_token(bearer_token(request) or "", actor=principal.label)
    return RevokedRead(revoked=True)


@admin_router.post("/{username}/unlock", response_model=UnlockRead)
async def unlock(username: Username, admin: CurrentAdmin) -> UnlockRead:
    """Clear an account's failed logins and lock (administrators)."""
    return UnlockRead(username=username, was_locked=await login.unlock(username, actor=admin.label))
