from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.rating_ui import posted_rating, rating_context
from kiosk_ui.web import language, posted_form, redirect, render
from servicedesk.cases import contact as case_contact
from servicedesk.cases import service as cases
from servicedesk.cases.service import CaseView
from servicedesk.errors import NotFound
from servicedesk.evaluations import holder, service
from servicedesk.evaluations.models import Channel
from servicedesk.exemptions import service as exemptions

router = APIRouter()


async def _lookup(case_no: str, uscc: str, query_code: str) -> CaseView | None:
    if case_no and query_code:
        return await cases.get_by_query_code(case_no, query_code)
    if case_no and uscc:
        return await cases.get_public(case_no.strip(), uscc)
    return None


async def waiver_grade(view: CaseView | None) -> str | None:
    """The recommending incubator's grade the case's inspection decision used."""
    if view is None or view.case.inspection not in ("waived", "spot_check"):
        return None
    decision = await exemptions.decision_for(view.case.case_no)
    return decision.grade if decision else None


@router.get("/query", response_class=HTMLResponse)
async def progress_query(
    request: Request,
    case_no: str = "",
    uscc: str = "",
    query_code: str = "",
    level: int = 0,
    withdrawn: str = "",
) -> Response:
    """Progress query by case number and the receipt's query code (or the USCC); with
    the query code a decided case can be rated, and the reply to a rating is shown."""
    view = None
    contact = None
    not_found = False
    try:
        view = await _lookup(case_no.strip(), uscc, query_code)
        if view is not None and uscc:
            contact = await case_contact.masked_contact(case_no.strip(), uscc)
    except NotFound:
        not_found = True
    rating = await holder.for_case(view.case) if view else None
    return render(
        request,
        "query.html",
        view=view,
        waiver_grade=await waiver_grade(view),
        case_no=case_no,
        uscc=uscc,
        query_code=query_code,
        not_found=not_found,
        contact=contact,
        withdrawn=bool(withdrawn),
        rating=rating,
        can_rate=bool(rating and rating.can_rate and query_code),
        step_url="/query?" + urlencode({"case_no": case_no, "query_code": query_code}) + "&",
        status_code=404 if not_found else 200,
        **rating_context(language(request), level),
    )


@router.post("/query/withdraw-consent")
async def withdraw_consent(request: Request) -> Response:
    """The firm withdraws its consent to messages: its contact is erased."""
    form = await posted_form(request)
    case_no, uscc = form.text("case_no").strip(), form.text("uscc").strip()
    await case_contact.withdraw_consent(case_no, uscc)
    return redirect("/query?" + urlencode({"case_no": case_no, "uscc": uscc, "withdrawn": "1"}))


@router.post("/query/rate", response_class=HTMLResponse)
async def rate_case(request: Request) -> Response:
    """Rate a decided case; the case number with its query code is the holder's proof."""
    form = await request.form()
    case_no, query_code = str(form.get("case_no", "")), str(form.get("query_code", ""))
    level, tags, comment = posted_rating(form)
    target = await service.by_case_code(case_no, query_code)
    await service.rate(target, level=level, tags=tags, comment=comment, channel=Channel.QUERY)
    return redirect("/query?" + urlencode({"case_no": case_no, "query_code": query_code}))
