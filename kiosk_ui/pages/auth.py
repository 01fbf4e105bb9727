from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.web import (
    SESSION_COOKIE,
    check_csrf,
    page_principal,
    redirect,
    render,
    settings_of,
)
from servicedesk.accounts import service as accounts
from servicedesk.catalogue import service as catalogue
from servicedesk.errors import NotAuthenticated

router = APIRouter()
HOME_BY_ROLE = {
    "clerk": "/clerk",
    "supervisor": "/clerk",
    "official": "/officials",
    "incubator": "/incubator",
    "admin": "/admin",
}


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, next: str | None = None) -> Response:
    """Staff login."""
    return render(request, "login.html", next=_safe_next(next) or "", error=None)


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "",
) -> Response:
    """Check the password, set an HttpOnly session cookie."""
    try:
        user = await accounts.authenticate(username, password)
    except NotAuthenticated:
        return render(request, "login.html", status_code=401, next=next, error="用户名或密码错误")
    settings = settings_of(request)
    token = await accounts.issue_token(user, kind="session", ttl_hours=settings.token_ttl_hours)
    response = redirect(_safe_next(next) or HOME_BY_ROLE[user.role.value])
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        max_age=settings.token_ttl_hours * 3600,
    )
    return response


@router.post("/logout")
async def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    """End the session."""
    check_csrf(request, csrf_token)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await accounts.revoke_token(token)
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    """Entry page: where each audience goes."""
    principal = await page_principal(request)
    return render(request, "index.html", points=await catalogue.list_points(), principal=principal)
