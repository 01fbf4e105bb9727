"""Incubators, staff accounts, kiosks and workday overrides, from pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, get_args

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.pages.admin.common import Admin, optional, page, parse, values, words
from kiosk_ui.web import posted_form, redirect
from servicedesk.accounts import kiosks
from servicedesk.accounts.service import Principal
from servicedesk.admin import people
from servicedesk.admin.schemas import (
    IncubatorCreate,
    KioskCreate,
    PasswordIn,
    Role,
    UserCreate,
    UserUpdate,
    WorkdayIn,
)
from servicedesk.catalogue import service as catalogue
from servicedesk.errors import InvalidInput, ServiceDeskError

router = APIRouter()
LEVELS = ("national", "municipal", "district")
KINDS = ("incubator", "maker_space")
INCUBATOR_FIELDS = ("code", "name", "name_en", "level", "district", "kind", "focus_industries")
USER_FIELDS = ("username", "role", "display_name", "service_point", "incubator")


async def _attempt(
    work: Callable[[], Awaitable[object]],
    again: Callable[[ServiceDeskError], Awaitable[Response]],
    done: str,
) -> Response:
    """Do ``work`` and go to ``done``; a refusal shows the page again with the reason."""
    try:
        await work()
    except ServiceDeskError as exc:
        return await again(exc)
    return redirect(done)


# ---------------------------------------------------------------- incubators


async def _incubators_page(
    request: Request, admin: Principal, *, exc: ServiceDeskError | None = None, typed: Any = None
) -> Response:
    return page(
        request,
        "admin_incubators.html",
        admin,
        error=exc.detail if exc else "",
        status_code=exc.status_code if exc else 200,
        incubators=await people.list_incubators(),
        levels=LEVELS,
        kinds=KINDS,
        typed=typed or {},
    )


@router.get("/incubators", response_class=HTMLResponse)
async def incubator_list(request: Request, admin: Admin) -> Response:
    """Every incubator, a form for a new one and one to change each."""
    return await _incubators_page(request, admin)


@router.post("/incubators", response_class=HTMLResponse)
async def save_incubator(request: Request, admin: Admin) -> Response:
    """Register an incubator, or change one (its code stays)."""
    form = await posted_form(request)
    typed = values(form, *INCUBATOR_FIELDS)
    data = {**typed, "focus_industries": words(typed["focus_industries"])}
    data = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
    editing = form.text("editing") == "1"

    async def work() -> None:
        body = parse(IncubatorCreate, data).model_dump()
        if editing:
            await people.update_incubator(body["code"], body, actor=admin.label)
        else:
            await people.create_incubator(body, actor=admin.label)

    async def again(exc: ServiceDeskError) -> Response:
        return await _incubators_page(request, admin, exc=exc, typed=typed)

    return await _attempt(work, again, "/admin/incubators?done=1")


# ---------------------------------------------------------------- users


async def _users_page(
    request: Request, admin: Principal, *, exc: ServiceDeskError | None = None, typed: Any = None
) -> Response:
    return page(
        request,
        "admin_users.html",
        admin,
        error=exc.detail if exc else "",
        status_code=exc.status_code if exc else 200,
        users=await people.list_users(),
        roles=get_args(Role),
        points=await catalogue.list_points(),
        incubators=await people.list_incubators(),
        typed=typed or {},
    )


@router.get("/users", response_class=HTMLResponse)
async def user_list(request: Request, admin: Admin) -> Response:
    """Every staff account with its role and place, and the form for a new one."""
    return await _users_page(request, admin)


@router.post("/users", response_class=HTMLResponse)
async def create_user(request: Request, admin: Admin) -> Response:
    """Create a staff account (a clerk needs a service point, an operator an incubator)."""
    form = await posted_form(request)
    typed = values(form, *USER_FIELDS)
    data = {
        **{k: optional(v) for k, v in typed.items()},
        "display_name": typed["display_name"].strip(),
        "password": form.text("password"),
    }

    async def work() -> None:
        await people.create_user(parse(UserCreate, data).model_dump(), actor=admin.label)

    async def again(exc: ServiceDeskError) -> Response:
        return await _users_page(request, admin, exc=exc, typed=typed)

    return await _attempt(work, again, "/admin/users?done=1")


@router.post("/users/{username}", response_class=HTMLResponse)
async def update_user(request: Request, admin: Admin, username: str) -> Response:
    """Change a user's role, service point, incubator or display name."""
    form = await posted_form(request)
    data = {
        "role": form.text("role"),
        "display_name": form.text("display_name").strip(),
        "service_point": optional(form.text("service_point")),
        "incubator": optional(form.text("incubator")),
    }

    async def work() -> None:
        body = parse(UserUpdate, data).model_dump()
        await people.update_user(username, body, actor=admin.label)

    async def again(exc: ServiceDeskError) -> Response:
        return await _users_page(request, admin, exc=exc)

    return await _attempt(work, again, "/admin/users?done=1")


@router.post("/users/{username}/{action}", response_class=HTMLResponse)
async def user_action(request: Request, admin: Admin, username: str, action: str) -> Response:
    """Deactivate or reactivate an account, or set a new password."""
    form = await posted_form(request)

    async def work() -> None:
        if action == "deactivate":
            await people.deactivate_user(username, actor=admin.label)
        elif action == "reactivate":
            await people.reactivate_user(username, actor=admin.label)
        elif action == "password":
            body = parse(PasswordIn, {"password": form.text("password")})
            await people.reset_password(username, body.password, actor=admin.label)
        else:
            raise InvalidInput("an account is deactivated, reactivated or given a password")

    async def again(exc: ServiceDeskError) -> Response:
        return await _users_page(request, admin, exc=exc)

    return await _attempt(work, again, "/admin/users?done=1")


# ---------------------------------------------------------------- kiosks


async def _kiosks_page(
    request: Request,
    admin: Principal,
    *,
    exc: ServiceDeskError | None = None,
    token: dict[str, Any] | None = None,
) -> Response:
    return page(
        request,
        "admin_kiosks.html",
        admin,
        error=exc.detail if exc else "",
        status_code=exc.status_code if exc else 200,
        kiosks=await people.list_kiosks(),
        points=await catalogue.list_points(),
        token=token,
    )


@router.get("/kiosks", response_class=HTMLResponse)
async def kiosk_list(request: Request, admin: Admin) -> Response:
    """Every kiosk with its point and last use; enrol, revoke, rotate."""
    return await _kiosks_page(request, admin)


@router.post("/kiosks", response_class=HTMLResponse)
async def enrol_kiosk(request: Request, admin: Admin) -> Response:
    """Enrol a kiosk: its token and enrolment address are shown this once."""
    form = await posted_form(request)
    data = {"service_point": form.text("service_point"), "name": form.text("name").strip()}
    try:
        body = parse(KioskCreate, data)
        device, token = await people.enrol_kiosk(
            body.service_point, name=body.name, actor=admin.label
        )
    except ServiceDeskError as exc:
        return await _kiosks_page(request, admin, exc=exc)
    return await _kiosks_page(request, admin, token=await _shown(device.id, token, admin))


@router.post("/kiosks/{kiosk_id}/{action}", response_class=HTMLResponse)
async def kiosk_action(request: Request, admin: Admin, kiosk_id: int, action: str) -> Response:
    """Revoke a kiosk's token, or give it a new one and a new enrolment code (shown this
    once: the kiosk's browser is enrolled by typing the code, no token in any address)."""
    await posted_form(request)
    try:
        if action == "revoke":
            await people.revoke_kiosk(kiosk_id, actor=admin.label)
            return redirect("/admin/kiosks?done=1")
        if action != "rotate":
            raise InvalidInput("a kiosk is revoked or given a new token")
        device, token = await people.rotate_kiosk(kiosk_id, actor=admin.label)
        shown = await _shown(device.id, token, admin)
    except ServiceDeskError as exc:
        return await _kiosks_page(request, admin, exc=exc)
    return await _kiosks_page(request, admin, token=shown)


async def _shown(kiosk_id: int, token: str, admin: Principal) -> dict[str, object]:
    """What the admin sees once: the API token and the browser's one-time enrolment code."""
    code = await kiosks.new_enrol_code(kiosk_id, actor=admin.label)
    device = await kiosks.device(kiosk_id)
    return {
        "id": kiosk_id,
        "token": token,
        "code": code,
        "hours": kiosks.ENROL_CODE_HOURS,
        "service_point": device.service_point.code,
    }


# ---------------------------------------------------------------- workdays


async def _workdays_page(
    request: Request, admin: Principal, *, exc: ServiceDeskError | None = None
) -> Response:
    return page(
        request,
        "admin_workdays.html",
        admin,
        error=exc.detail if exc else "",
        status_code=exc.status_code if exc else 200,
        workdays=await people.list_workdays(),
    )


@router.get("/workdays", response_class=HTMLResponse)
async def workday_list(request: Request, admin: Admin) -> Response:
    """Local workday announcements the holiday package lacks."""
    return await _workdays_page(request, admin)


@router.post("/workdays", response_class=HTMLResponse)
async def set_workday(request: Request, admin: Admin) -> Response:
    """Declare a day working (a make-up day) or not (a local closure)."""
    form = await posted_form(request)

    async def work() -> None:
        try:
            day = date.fromisoformat(form.text("day"))
        except ValueError:
            raise InvalidInput("give the day as YYYY-MM-DD", extra={"field": "day"}) from None
        body = parse(
            WorkdayIn, {"is_working": form.text("is_working") == "1", "note": form.text("note")}
        )
        await people.set_workday(day, is_working=body.is_working, note=body.note, actor=admin.label)

    async def again(exc: ServiceDeskError) -> Response:
        return await _workdays_page(request, admin, exc=exc)

    return await _attempt(work, again, "/admin/workdays?done=1")
