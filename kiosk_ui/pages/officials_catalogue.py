"""Officials pin or hide matters on each service point's kiosk."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.pages.officials import OfficialPage
from kiosk_ui.web import check_csrf, redirect, render
from servicedesk.catalogue import service as catalogue
from servicedesk.errors import InvalidInput

router = APIRouter(prefix="/officials/catalogue")


@router.get("", response_class=HTMLResponse)
async def catalogue_page(request: Request, official: OfficialPage, sp: str = "") -> Response:
    """A service point's catalogue in kiosk order, with pin and hide switches."""
    points = await catalogue.list_points()
    code = sp or (points[0].code if points else "")
    entries = await catalogue.catalogue(code, include_hidden=True) if code else []
    return render(
        request,
        "officials_catalogue.html",
        principal=official,
        points=points,
        sp=code,
        entries=entries,
    )


@router.post("/{sp}/{matter_code}")
async def set_display(
    request: Request, official: OfficialPage, sp: str, matter_code: str
) -> Response:
    """Pin, unpin, hide or show one matter at one service point."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    change = str(form.get("change", ""))
    settings = {
        "pin": {"pinned": True},
        "unpin": {"pinned": False},
        "hide": {"hidden": True},
        "show": {"hidden": False},
    }
    if change not in settings:
        raise InvalidInput("change must be pin, unpin, hide or show", extra={"field": "change"})
    await catalogue.set_display(sp, matter_code, actor=official.label, **settings[change])
    return redirect(f"/officials/catalogue?sp={sp}")
