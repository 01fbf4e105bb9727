"""Officials pin or hide matters on each service point's kiosk."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.pages.officials.common import OFFICIALS, REFUSAL
from kiosk_ui.web import posted_form, redirect, render, staff_gate
from servicedesk.accounts.service import Principal
from servicedesk.catalogue import service as catalogue
from servicedesk.errors import InvalidInput

official = staff_gate(OFFICIALS, REFUSAL)
"""Unlike the other officials' forms, these have always sent a logged-out official to
the login page rather than answering 403."""

Official = Annotated[Principal, Depends(official)]
router = APIRouter(prefix="/catalogue", dependencies=[Depends(official)])
DISPLAY_CHANGES = {
    "pin": {"pinned": True},
    "unpin": {"pinned": False},
    "hide": {"hidden": True},
    "show": {"hidden": False},
}


@router.get("", response_class=HTMLResponse)
async def catalogue_page(request: Request, official: Official, sp: str = "") -> Response:
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
async def set_display(request: Request, official: Official, sp: str, matter_code: str) -> Response:
    """Pin, unpin, hide or show one matter at one service point."""
    change = (await posted_form(request)).text("change")
    if change not in DISPLAY_CHANGES:
        raise InvalidInput("change must be pin, unpin, hide or show", extra={"field": "change"})
    await catalogue.set_display(sp, matter_code, actor=official.label, **DISPLAY_CHANGES[change])
    return redirect(f"/officials/catalogue?sp={sp}")
