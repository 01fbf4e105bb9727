from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.web import render
from servicedesk.cases import service as cases
from servicedesk.cases.service import CaseView
from servicedesk.errors import NotFound

router = APIRouter()


async def _lookup(case_no: str, uscc: str, query_code: str) -> CaseView | None:
    if case_no and query_code:
        return await cases.get_by_query_code(case_no, query_code)
    if case_no and uscc:
        return await cases.get_public(case_no.strip(), uscc)
    return None


@router.get("/query", response_class=HTMLResponse)
async def progress_query(
    request: Request, case_no: str = "", uscc: str = "", query_code: str = ""
) -> Response:
    """Progress query by case number and the receipt's query code (or the USCC)."""
    view = None
    not_found = False
    try:
        view = await _lookup(case_no.strip(), uscc, query_code)
    except NotFound:
        not_found = True
    return render(
        request,
        "query.html",
        view=view,
        case_no=case_no,
        uscc=uscc,
        query_code=query_code,
        not_found=not_found,
        status_code=404 if not_found else 200,
    )
