"""Dependency aliases: who is calling, and gates per audience."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from servicedesk.accounts import service as accounts
from servicedesk.accounts.service import Principal
from servicedesk.errors import Forbidden, NotAuthenticated
from servicedesk.settings import Settings, get_settings

SESSION_COOKIE = "sd_session"


async def _settings(request: Request) -> Settings:
    # async: FastAPI would run a plain function in a worker thread on every request.
    settings: Settings = getattr(request.app.state, "settings", None) or get_settings()
    return settings


SettingsDep = Annotated[Settings, Depends(_settings)]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


async def optional_principal(request: Request) -> Principal | None:
    token = bearer_token(request)
    if token is None:
        return None
    return await accounts.resolve(token)


async def current_principal(request: Request) -> Principal:
    principal = await optional_principal(request)
    if principal is None:
        raise NotAuthenticated("send Authorization: Bearer <token>")
    return principal


def require_roles(*roles: str) -> object:
    async def gate(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.role not in roles:
            raise Forbidden(f"this needs the role {' or '.join(roles)}, not {principal.role}")
        return principal

    return Depends(gate)


AnyPrincipal = Annotated[Principal, Depends(current_principal)]
MaybePrincipal = Annotated[Principal | None, Depends(optional_principal)]
CurrentClerk = Annotated[Principal, require_roles("clerk", "supervisor", "admin")]
CurrentOfficial = Annotated[Principal, require_roles("official", "admin")]
CurrentIncubator = Annotated[Principal, require_roles("incubator")]
KioskOrClerk = Annotated[Principal, require_roles("kiosk", "clerk", "supervisor", "admin")]
KioskDevice = Annotated[Principal, require_roles("kiosk")]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
