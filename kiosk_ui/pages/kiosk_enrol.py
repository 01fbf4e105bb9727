"""Kiosk enrolment: a browser becomes a kiosk of its point with a one-time code typed on
its keypad (from ``servicedesk kiosk create`` or ``kiosk enrol-code ID``), never with a
token in the address bar, where access logs and browser history would keep it."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.pages.kiosk import set_kiosk_cookie
from kiosk_ui.web import check_csrf, redirect, render
from servicedesk.accounts import kiosks
from servicedesk.catalogue import service as catalogue
from servicedesk.deps import client_address
from servicedesk.errors import NotFound
from servicedesk.throttle import service as throttle

router = APIRouter()
ENROLMENTS_PER_HOUR = 20


@router.get("/kiosk/{sp}/enrol", response_class=HTMLResponse)
async def enrol_form(request: Request, sp: str, next: str = "") -> Response:
    """Type the enrolment code to make this browser a kiosk (or rating tablet) of the point."""
    point = await catalogue.get_point(sp)
    return render(request, "kiosk_enrol.html", point=point, error=None, next=_next(next))


def _next(raw: str) -> str:
    """Where an enrolled browser goes on: a rating tablet's window page, else the kiosk."""
    return raw if re.fullmatch(r"/rate/[A-Za-z0-9_-]{1,32}", raw) else ""


@router.post("/kiosk/{sp}/enrol", response_class=HTMLResponse)
async def enrol(request: Request, sp: str) -> Response:
    """Spend the code: the browser keeps the kiosk's new token in an HttpOnly cookie."""
    point = await catalogue.get_point(sp)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    await throttle.limit(
        f"enrol:{client_address(request)}", per=ENROLMENTS_PER_HOUR, seconds=3600, what="enrolments"
    )
    try:
        token = await kiosks.enrol(point.id, str(form.get("code", ""))[:20])
    except NotFound as exc:
        return render(
            request,
            "kiosk_enrol.html",
            status_code=404,
            point=point,
            error=exc.detail,
            next=_next(str(form.get("next", ""))),
        )
    response = redirect(_next(str(form.get("next", ""))) or f"/kiosk/{point.code}")
    set_kiosk_cookie(request, response, token)
    return response
