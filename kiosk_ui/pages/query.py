from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.web import render
from servicedesk.cases import service as cases
from servicedesk.errors import NotFound

router = APIRouter()


@router.get("/query", response_class=HTMLResponse)
async def progress_query(request: Request, case_no: str = "", uscc: str = "") -> Response:
    """Progress query by case number and USCC."""
    view = None
    not_found = False
    if case_no and uscc:
        try:
            view = await cases.get_public(case_no.strip(), uscc)
        except NotFound:
            not_found = True
    return render(
        request,
        "query.html",
        view=view,
        case_no=case_no,
        uscc=uscc,
        not_found=not_found,
        status_code=404 if not_found else 200,
    )
