"""Shared page machinery: templates, language, session cookie and CSRF."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from babel.messages.pofile import read_po
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData, UploadFile

from kiosk_ui import display
from servicedesk.accounts import service as accounts
from servicedesk.accounts.service import Principal
from servicedesk.bounds import CONTROL_MESSAGE, INT32_MAX, has_control
from servicedesk.errors import Forbidden, InvalidInput, NotAuthenticated
from servicedesk.settings import Settings, get_settings
from servicedesk.timeutil import BEIJING

HERE = Path(__file__).parent
SESSION_COOKIE = "sd_session"
LANG_COOKIE = "sd_lang"
LANGUAGES = ("zh", "en")

templates = Jinja2Templates(directory=HERE / "templates")
ModelT = TypeVar("ModelT", bound=BaseModel)


@lru_cache
def _catalog(lang: str) -> dict[str, str]:
    """Every ``*.po`` under ``locale/<lang>/LC_MESSAGES`` (one file per page area).

    Chinese is the source language of the pages; the ``zh`` files only name the
    symbolic keys (``status.accepted`` …) that code values turn into.
    """
    table: dict[str, str] = display.indicator_words() if lang == "en" else {}
    for path in sorted((HERE / "locale" / lang / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle)
        table.update({str(m.id): str(m.string) for m in catalog if m.id and m.string})
    return table


def beijing_time(moment: datetime | None) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if moment else ""


templates.env.filters["bj"] = beijing_time
display.install(templates.env)


def translator(lang: str) -> Callable[[str], str]:
    table = _catalog(lang)

    def gettext(text: str) -> str:
        return table.get(text, text)

    return gettext


def language(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "zh"
    return lang if lang in LANGUAGES else "zh"


def settings_of(request: Request) -> Settings:
    settings: Settings = getattr(request.app.state, "settings", None) or get_settings()
    return settings


def csrf_token(request: Request) -> str:
    session = request.cookies.get(SESSION_COOKIE, "")
    key = settings_of(request).secret_key.encode()
    return hmac.new(key, b"csrf:" + session.encode(), hashlib.sha256).hexdigest()[:40]


def check_csrf(request: Request, submitted: str | None) -> None:
    if not submitted or not hmac.compare_digest(submitted, csrf_token(request)):
        raise Forbidden("the form expired or did not come from this site; reload the page")


async def page_principal(request: Request) -> Principal | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        return await accounts.resolve(token)
    except NotAuthenticated:
        return None


async def staff_on_page(request: Request, roles: set[str], refusal: str) -> Principal | None:
    """The logged-in staff member of a page: None sends them to log in, another role
    gets 403 with ``refusal``."""
    principal = await page_principal(request)
    if principal is not None and principal.role not in roles:
        raise Forbidden(refusal)
    if principal is not None:  # staff pages name people: ``|person`` reads this
        request.state.people = await accounts.display_names()
    return principal


class KioskNotEnrolled(Exception):
    """A kiosk page opened by a browser that holds no (valid) kiosk token: answered with
    the enrolment page of the point (``kiosk_ui.routes`` registers the handler)."""

    def __init__(self, service_point: str) -> None:
        super().__init__(service_point)
        self.service_point = service_point


class LoginRequired(Exception):
    """Nobody is logged in on a staff page: answered with the login page, whatever
    the request accepts (``kiosk_ui.routes`` registers the handler)."""


def page_gate(gate: Callable[[Request], Awaitable[Principal | None]]) -> Any:
    """A dependency: the principal ``gate`` finds, or :class:`LoginRequired` when it
    finds nobody (``gate`` itself raises 403 for a wrong role)."""

    async def logged_in(request: Request) -> Principal:
        principal = await gate(request)
        if principal is None:
            raise LoginRequired
        return principal

    return Depends(logged_in)


def staff_gate(
    roles: set[str], refusal: str, *, form_refusal: str | None = None
) -> Callable[[Request], Awaitable[Principal]]:
    """A router-level dependency for one audience's pages: the logged-in principal.

    A wrong role gets 403 with ``refusal``. Nobody logged in is sent to log in
    (:class:`LoginRequired`), but a posted form gets 403 with ``form_refusal`` when
    one is given. Handlers that need the principal declare the same dependency and
    get the cached answer.
    """

    async def gate(request: Request) -> Principal:
        principal = await staff_on_page(request, roles, refusal)
        if principal is not None:
            return principal
        if form_refusal is not None and request.method == "POST":
            raise Forbidden(form_refusal)
        raise LoginRequired

    return gate


MAX_FORM_VALUES = 100
MAX_FORM_TEXT = 4000


def _checked(name: str, value: str, limit: int = MAX_FORM_TEXT) -> str:
    if len(value) > limit:
        raise InvalidInput(f"{name}: at most {limit} characters", extra={"field": name})
    if has_control(value):
        raise InvalidInput(f"{name}: {CONTROL_MESSAGE}", extra={"field": name})
    return value


class PageForm:
    """A posted page form whose CSRF token has been checked."""

    def __init__(self, data: FormData) -> None:
        self._data = data

    def text(self, name: str, *, limit: int = MAX_FORM_TEXT) -> str:
        """A text field; a control character (a NUL, say) is refused as in the API."""
        return _checked(name, str(self._data.get(name, "")), limit)

    def texts(self, name: str) -> list[str]:
        values = self._data.getlist(name)
        if len(values) > MAX_FORM_VALUES:
            raise InvalidInput(f"{name}: at most {MAX_FORM_VALUES} values", extra={"field": name})
        return [_checked(name, str(value)) for value in values]

    async def file_bytes(self, name: str) -> bytes:
        """The uploaded file's content (empty when none was sent), its spool closed."""
        upload = self._data.get(name)
        if not isinstance(upload, UploadFile):
            return b""
        try:
            return await upload.read()
        finally:
            await upload.close()


async def posted_form(request: Request) -> PageForm:
    """The request's form, or 403 when its CSRF token is missing or wrong."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    return PageForm(form)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = language(request)
    response = templates.TemplateResponse(
        request,
        template,
        {
            "lang": lang,
            "_": translator(lang),
            "csrf_token": csrf_token(request),
            "path": request.url.path,
            "people": getattr(request.state, "people", {}),
            **context,
        },
        status_code=status_code,
    )
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, samesite="lax", max_age=365 * 86400)
    return response


def validated(schema: type[ModelT], data: dict[str, Any]) -> ModelT:
    """A page form's values checked by the same schema as the JSON API; a 422 naming the
    fields at fault otherwise."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        errors = [(".".join(str(p) for p in e["loc"]) or "form", e["msg"]) for e in exc.errors()]
        detail = "; ".join(f"{field}: {message}" for field, message in errors)
        raise InvalidInput(detail[:500], extra={"field": errors[0][0]}) from None


def form_number(value: str, *, field: str, scale: float = 1.0) -> float:
    """A decimal form field (``scale`` turns a percentage into a share), or a 422."""
    try:
        number = float(value.strip() or 0) * scale
    except ValueError:
        raise InvalidInput(f"{field} must be a number", extra={"field": field}) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise InvalidInput(f"{field} must be a number", extra={"field": field})
    return number


def form_int(value: object, *, field: str) -> int:
    """An integer form field (a database integer), or a 422 that names it."""
    try:
        number = int(str(value or 0).strip() or 0)
    except ValueError:
        raise InvalidInput(f"{field} must be a whole number", extra={"field": field}) from None
    if abs(number) > INT32_MAX:
        raise InvalidInput(f"{field} is out of range", extra={"field": field})
    return number


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def login_redirect(request: Request) -> RedirectResponse:
    return redirect(f"/login?next={request.url.path}")
