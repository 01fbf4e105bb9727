"""Service points with their queues, windows and offering, set up from pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.pages.admin.common import Admin, checked, optional, page, parse, values, words
from kiosk_ui.web import PageForm, posted_form, redirect
from servicedesk.accounts.service import Principal
from servicedesk.admin import matters, people, points
from servicedesk.admin.schemas import (
    PointCreate,
    PointUpdate,
    QueueCreate,
    QueueUpdate,
    WindowCreate,
    WindowUpdate,
)
from servicedesk.catalogue import service as catalogue
from servicedesk.errors import ServiceDeskError

router = APIRouter()
POINT_FIELDS = ("code", "name", "name_en", "district", "address", "focus_industries")


def _point_data(form: PageForm) -> dict[str, object]:
    return {
        **{k: form.text(k).strip() for k in POINT_FIELDS if k != "focus_industries"},
        "focus_industries": words(form.text("focus_industries")),
        "incubator_code": optional(form.text("incubator_code")),
    }


async def _list_page(
    request: Request,
    admin: Principal,
    *,
    error: str = "",
    status_code: int = 200,
    typed: dict[str, str] | None = None,
) -> Response:
    return page(
        request,
        "admin_points.html",
        admin,
        error=error,
        status_code=status_code,
        points=await catalogue.list_points(include_retired=True),
        incubators=await people.list_incubators(),
        typed=typed or {},
    )


@router.get("/points", response_class=HTMLResponse)
async def point_list(request: Request, admin: Admin) -> Response:
    """Every service point, retired ones included, and the form for a new one."""
    return await _list_page(request, admin)


@router.post("/points", response_class=HTMLResponse)
async def create_point(request: Request, admin: Admin) -> Response:
    """Create a service point; then add its queues and windows on its own page."""
    form = await posted_form(request)
    try:
        body = parse(PointCreate, _point_data(form))
        point = await points.create_point(body.model_dump(), actor=admin.label)
    except ServiceDeskError as exc:
        typed = values(form, *POINT_FIELDS, "incubator_code")
        return await _list_page(
            request, admin, error=exc.detail, status_code=exc.status_code, typed=typed
        )
    return redirect(f"/admin/points/{point.code}?done=1")


async def _point_page(
    request: Request, admin: Principal, sp: str, *, error: str = "", status_code: int = 200
) -> Response:
    point = await catalogue.point_detail(sp)
    return page(
        request,
        "admin_point.html",
        admin,
        error=error,
        status_code=status_code,
        point=point,
        queues=sorted(point.queues, key=lambda q: q.code),
        windows=sorted(point.windows, key=lambda w: w.code),
        live_queues=catalogue.live_queues(point),
        incubators=await people.list_incubators(),
        matters=await matters.list_matters(include_retired=False),
        offered=await points.offering_of(sp),
    )


@router.get("/points/{sp}", response_class=HTMLResponse)
async def point_page(request: Request, admin: Admin, sp: str) -> Response:
    """One point: its details, queues, windows and what it offers in which queue."""
    return await _point_page(request, admin, sp)


async def _attempt(
    request: Request, admin: Principal, sp: str, work: Callable[[], Awaitable[object]]
) -> Response:
    """Do ``work``; a refusal shows the point's page again with the reason."""
    try:
        await work()
    except ServiceDeskError as exc:
        return await _point_page(request, admin, sp, error=exc.detail, status_code=exc.status_code)
    return redirect(f"/admin/points/{sp}?done=1")


@router.post("/points/{sp}", response_class=HTMLResponse)
async def update_point(request: Request, admin: Admin, sp: str) -> Response:
    """Change the point's name, district, focus industries or hosting incubator."""
    form = await posted_form(request)
    data = {k: v for k, v in _point_data(form).items() if k != "code"}

    async def work() -> None:
        body = parse(PointUpdate, data)
        await points.update_point(sp, body.model_dump(exclude_unset=True), actor=admin.label)

    return await _attempt(request, admin, sp, work)


@router.post("/points/{sp}/active", response_class=HTMLResponse)
async def point_active(request: Request, admin: Admin, sp: str) -> Response:
    """Retire the point (its history stays), or bring it back."""
    form = await posted_form(request)
    active = checked(form, "active")
    return await _attempt(
        request,
        admin,
        sp,
        lambda: points.update_point(sp, {"active": active}, actor=admin.label),
    )


@router.post("/points/{sp}/queues", response_class=HTMLResponse)
async def add_queue(request: Request, admin: Admin, sp: str) -> Response:
    """Add a queue: a letter A–Z and a name."""
    form = await posted_form(request)
    data = {
        "code": form.text("code").strip().upper(),
        "name": form.text("name").strip(),
        "name_en": form.text("name_en").strip(),
    }

    async def work() -> None:
        await points.add_queue(sp, parse(QueueCreate, data).model_dump(), actor=admin.label)

    return await _attempt(request, admin, sp, work)


@router.post("/points/{sp}/queues/{code}", response_class=HTMLResponse)
async def update_queue(request: Request, admin: Admin, sp: str, code: str) -> Response:
    """Rename a queue, or retire it (only once no offered matter uses it) or restore it."""
    form = await posted_form(request)
    data: dict[str, object] = {
        "name": form.text("name").strip(),
        "name_en": form.text("name_en").strip(),
    }
    if form.text("active"):
        data = {"active": checked(form, "active")}

    async def work() -> None:
        body = parse(QueueUpdate, data).model_dump(exclude_unset=True)
        await points.update_queue(sp, code, body, actor=admin.label)

    return await _attempt(request, admin, sp, work)


@router.post("/points/{sp}/windows", response_class=HTMLResponse)
async def add_window(request: Request, admin: Admin, sp: str) -> Response:
    """Add a window and the queues it calls from; without a name it is numbered."""
    form = await posted_form(request)
    data = {
        "code": form.text("code").strip(),
        "name": optional(form.text("name")),
        "queues": form.texts("queues"),
    }

    async def work() -> None:
        await points.add_window(sp, parse(WindowCreate, data).model_dump(), actor=admin.label)

    return await _attempt(request, admin, sp, work)


@router.post("/points/{sp}/windows/{code}", response_class=HTMLResponse)
async def update_window(request: Request, admin: Admin, sp: str, code: str) -> Response:
    """Rename a window or change its queues; or retire or restore it."""
    form = await posted_form(request)
    data: dict[str, object] = {"name": form.text("name").strip(), "queues": form.texts("queues")}
    if form.text("active"):
        data = {"active": checked(form, "active")}

    async def work() -> None:
        body = parse(WindowUpdate, data).model_dump(exclude_unset=True)
        await points.update_window(sp, code, body, actor=admin.label)

    return await _attempt(request, admin, sp, work)


@router.post("/points/{sp}/offering", response_class=HTMLResponse)
async def set_offering(request: Request, admin: Admin, sp: str) -> Response:
    """What the point offers: each matter in a queue, or not offered here."""
    form = await posted_form(request)
    items = [
        {"matter_code": m.code, "queue": form.text(f"queue-{m.code}")}
        for m in await matters.list_matters(include_retired=False)
        if form.text(f"queue-{m.code}")
    ]
    return await _attempt(
        request, admin, sp, lambda: points.set_offering(sp, items, actor=admin.label)
    )
