from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.web import posted_form, redirect, render
from servicedesk.cases import contact as case_contact
from servicedesk.cases import service as cases
from servicedesk.errors import NotFound

router = APIRouter()


@router.get("/query", response_class=HTMLResponse)
async def progress_query(
    request: Request, case_no: str = "", uscc: str = "", withdrawn: str = ""
) -> Response:
    """Progress query by case number and USCC."""
    view = None
    contact = None
    not_found = False
    if case_no and uscc:
        try:
            view = await cases.get_public(case_no.strip(), uscc)
            contact = await case_contact.masked_contact(case_no, uscc)
        except NotFound:
            not_found = True
    return render(
        request,
        "query.html",
        view=view,
        case_no=case_no,
        uscc=uscc,
        not_found=not_found,
        contact=contact,
        withdrawn=bool(withdrawn),
        status_code=404 if not_found else 200,
    )


@router.post("/query/withdraw-consent")
async def withdraw_consent(request: Request) -> Response:
    """The firm withdraws its consent to messages: its contact is erased."""
    form = await posted_form(request)
    case_no, uscc = form.text("case_no").strip(), form.text("uscc").strip()
    await case_contact.withdraw_consent(case_no, uscc)
    return redirect("/query?" + urlencode({"case_no": case_no, "uscc": uscc, "withdrawn": "1"}))
