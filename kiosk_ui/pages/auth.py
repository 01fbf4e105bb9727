from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from kiosk_ui.web import (
    SESSION_COOKIE,
    check_csrf,
    page_principal,
    redirect,
    render,
    settings_of,
)
from servicedesk.accounts import login as accounts_login
from servicedesk.accounts import service as accounts
from servicedesk.accounts.schemas import TokenRequest
from servicedesk.bounds import has_line_control
from servicedesk.catalogue import service as catalogue
from servicedesk.deps import client_address
from servicedesk.errors import NotAuthenticated, TooManyRequests

router = APIRouter()
HOME_BY_ROLE = {
    "clerk": "/clerk",
    "supervisor": "/clerk",
    "official": "/officials",
    "incubator": "/incubator",
    "admin": "/admin",
}


LOGIN_COOKIE = "sd_login"


def _safe_next(target: str | None) -> str | None:
    """A path on this site to go to after logging in, never another site."""
    if not target or len(target) > 500 or not target.startswith("/"):
        return None
    if target[1:2] in {"/", "\\"} or "\\" in target or has_line_control(target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _login_csrf(request: Request, nonce: str) -> str:
    """The login form's token, bound to a random cookie set with the form: a page of
    another site cannot log a visitor in to an account of its choosing (login CSRF)."""
    key = settings_of(request).secret_key.encode()
    return hmac.new(key, b"login:" + nonce.encode(), hashlib.sha256).hexdigest()[:40]


def _login_page(
    request: Request, *, next: str, error: str | None, status_code: int = 200, **extra: Any
) -> Response:
    nonce = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(16)
    response = render(
        request,
        "login.html",
        status_code=status_code,
        next=_safe_next(next) or "",
        error=error,
        login_csrf=_login_csrf(request, nonce),
        **extra,
    )
    response.set_cookie(
        LOGIN_COOKIE,
        nonce,
        httponly=True,
        samesite="strict",
        secure=settings_of(request).cookie_secure,
        max_age=3600,
    )
    return response


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, next: str | None = None) -> Response:
    """Staff login."""
    return _login_page(request, next=next or "", error=None)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    """Check the password (throttled like the API), set an HttpOnly session cookie."""
    form = await request.form()
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    sent = str(form.get("csrf_token", ""))
    if not nonce or not hmac.compare_digest(sent, _login_csrf(request, nonce)):
        return _login_page(request, next="", error="登录表单已过期，请重新输入", status_code=403)
    try:
        body = TokenRequest(
            username=str(form.get("username", "")), password=str(form.get("password", ""))
        )
    except ValidationError:
        return _login_page(request, next="", error="用户名或密码错误", status_code=401)
    next_url = str(form.get("next", ""))
    settings = settings_of(request)
    try:
        user = await accounts_login.login(
            body.username, body.password, address=client_address(request), settings=settings
        )
    except NotAuthenticated:
        return _login_page(request, next=next_url, error="用户名或密码错误", status_code=401)
    except TooManyRequests as exc:
        response = _login_page(
            request,
            next=next_url,
            error="登录失败次数过多，请稍后再试",
            status_code=429,
            wait=exc.extra["retry_after"],
        )
        response.headers.update(exc.headers or {})
        return response
    token = await accounts.issue_token(user, kind="session", ttl_hours=settings.token_ttl_hours)
    response = redirect(_safe_next(next_url) or HOME_BY_ROLE[user.role.value])
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        max_age=settings.token_ttl_hours * 3600,
    )
    response.delete_cookie(LOGIN_COOKIE)
    return response


@router.post("/logout")
async def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    """End the session: its token is revoked at once."""
    check_csrf(request, csrf_token)
    token = request.cookies.get(SESSION_COOKIE)
    principal = await page_principal(request)
    if token and principal is not None:
        await accounts.revoke_token(token, actor=principal.label)
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    """Entry page: where each audience goes."""
    principal = await page_principal(request)
    return render(request, "index.html", points=await catalogue.list_points(), principal=principal)
