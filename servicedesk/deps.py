"""Dependency aliases: who is calling, and gates per audience."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Request

from servicedesk.accounts import service as accounts
from servicedesk.accounts.service import Principal
from servicedesk.bounds import CONTROL_MESSAGE, MAX_PARAM_LENGTH, has_line_control
from servicedesk.errors import Forbidden, InvalidInput, NotAuthenticated
from servicedesk.settings import Settings, get_settings
from servicedesk.throttle import service as throttle

SESSION_COOKIE = "sd_session"


async def _settings(request: Request) -> Settings:
    # async: FastAPI would run a plain function in a worker thread on every request.
    settings: Settings = getattr(request.app.state, "settings", None) or get_settings()
    return settings


SettingsDep = Annotated[Settings, Depends(_settings)]
MAX_QUERY_PARAMETERS = 30


async def bounded_params(request: Request) -> None:
    """Refuse a path or query parameter that is too long or holds a control character,
    the same on every database (one answer, 422 naming it, before any lookup)."""
    items = [*request.path_params.items(), *request.query_params.multi_items()]
    if len(items) > MAX_QUERY_PARAMETERS:
        raise InvalidInput(f"at most {MAX_QUERY_PARAMETERS} parameters")
    for name, value in items:
        if not isinstance(value, str):
            continue
        if len(value) > MAX_PARAM_LENGTH:
            raise InvalidInput(
                f"{name}: at most {MAX_PARAM_LENGTH} characters", extra={"field": name}
            )
        if has_line_control(value):
            raise InvalidInput(f"{name}: {CONTROL_MESSAGE}", extra={"field": name})


def client_address(request: Request) -> str:
    """The caller's address (behind a proxy, as uvicorn's trusted forwarded headers say)."""
    return request.client.host if request.client else "unknown"


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


def rate_limited(bucket: str, *, per: str, seconds: int, what: str) -> Any:
    """A dependency counting each request of one client address under ``bucket``; past
    the limit the settings field ``per`` names (per ``seconds``), 429 with Retry-After."""

    async def limit(request: Request, settings: SettingsDep) -> None:
        await throttle.limit(
            f"{bucket}:{client_address(request)}",
            per=int(getattr(settings, per)),
            seconds=seconds,
            what=what,
        )

    return Depends(limit)


PublicQueryLimit = rate_limited(
    "query", per="public_queries_per_minute", seconds=60, what="progress queries"
)
BookingLimit = rate_limited("book", per="bookings_per_hour", seconds=3600, what="bookings")
