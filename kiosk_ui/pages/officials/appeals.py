"""Appeals against published ratings: decide one, confirm another official's decision."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui import tables
from kiosk_ui.pages.officials.common import GRADES, Official, page
from kiosk_ui.web import posted_form, redirect
from servicedesk.ratings import appeals

router = APIRouter()


@router.get("/appeals", response_class=HTMLResponse)
async def appeals_page(request: Request, official: Official) -> Response:
    """Appeals against published ratings, and their outcomes."""
    return page(
        request,
        "officials_appeals.html",
        official,
        items=await appeals.list_appeals(),
        appeals_table=await tables.appeal_table(),
        grades=GRADES,
    )


@router.post("/appeals/{appeal_id}/decide")
async def decide_appeal(request: Request, official: Official, appeal_id: int) -> Response:
    """Decide an appeal: dismissed, or upheld with a corrected grade."""
    form = await posted_form(request)
    await appeals.decide(
        appeal_id,
        outcome=form.text("outcome"),
        note=form.text("note"),
        new_grade=form.text("new_grade") or None,
        actor=official.label,
    )
    return redirect("/officials/appeals")


@router.post("/appeals/{appeal_id}/confirm")
async def confirm_appeal(request: Request, official: Official, appeal_id: int) -> Response:
    """Confirm another official's decision on an appeal."""
    await posted_form(request)
    await appeals.confirm(appeal_id, actor=official.label)
    return redirect("/officials/appeals")
