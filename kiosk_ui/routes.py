"""Mounts every page router and the package's static files."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from kiosk_ui.pages import (
    admin,
    auth,
    board,
    bookings,
    clerk_cases,
    console,
    follow_ups,
    holder,
    incubator_portal,
    kiosk,
    kiosk_enrol,
    notice,
    officials,
    query,
    statistics,
    tablet,
)
from kiosk_ui.web import HERE, KioskNotEnrolled, LoginRequired, login_redirect, redirect, render
from servicedesk.errors import NotAuthenticated, ServiceDeskError


def mount_pages(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    pages = (
        admin,
        auth,
        bookings,
        clerk_cases,
        query,
        notice,
        officials,
        incubator_portal,
        kiosk_enrol,
        kiosk,
        console,
        board,
        holder,
        tablet,
        follow_ups,
        statistics,
    )
    for module in pages:
        app.include_router(module.router, include_in_schema=False)
    app.add_exception_handler(LoginRequired, _to_login)
    app.add_exception_handler(KioskNotEnrolled, _to_enrolment)


async def _to_login(request: Request, _exc: Exception) -> Response:
    return login_redirect(request)


async def _to_enrolment(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, KioskNotEnrolled)
    target = f"/kiosk/{quote(exc.service_point, safe='')}/enrol"
    if request.method == "GET" and request.url.path.startswith("/rate/"):
        target += "?" + urlencode({"next": request.url.path})  # a tablet returns to its window
    return redirect(target)


def render_error(request: Request, exc: ServiceDeskError) -> Response:
    if isinstance(exc, NotAuthenticated):
        return login_redirect(request)
    response = render(request, "error.html", status_code=exc.status_code, error=exc)
    response.headers.update(exc.headers or {})
    return response
