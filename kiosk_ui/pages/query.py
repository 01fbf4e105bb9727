"""The firm's progress query by case number and the receipt's query code."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.rating_ui import posted_rating, rating_context
from kiosk_ui.web import language, posted_form, redirect, render, settings_of
from servicedesk.cases import contact as case_contact
from servicedesk.cases import service as cases
from servicedesk.cases.service import CaseView
from servicedesk.deps import client_address
from servicedesk.errors import NotFound
from servicedesk.evaluations import holder, service
from servicedesk.evaluations.models import Channel
from servicedesk.exemptions import service as exemptions
from servicedesk.throttle import service as throttle

router = APIRouter()


async def waiver_grade(view: CaseView | None) -> str | None:
    """The recommending incubator's grade the case's inspection decision used."""
    if view is None or view.case.inspection not in ("waived", "spot_check"):
        return None
    decision = await exemptions.decision_for(view.case.case_no)
    return decision.grade if decision else None


async def limit_holder(request: Request) -> None:
    """A case number with its query code is the holder's proof on every page that takes
    it: guessed no faster there than in the query itself (one per-client limit)."""
    await throttle.limit(
        f"query:{client_address(request)}",
        per=settings_of(request).public_queries_per_minute,
        seconds=60,
        what="progress queries",
    )


async def _answer(
    request: Request, case_no: str, query_code: str, *, level: int = 0, withdrawn: bool = False
) -> Response:
    view = None
    contact = None
    not_found = False
    if case_no and query_code:
        await limit_holder(request)
        try:
            view = await cases.get_public(case_no, query_code=query_code)
            contact = await case_contact.masked_contact(case_no, query_code)
        except NotFound:
            not_found = True
    rating = await holder.for_case(view.case) if view else None
    return render(
        request,
        "query.html",
        view=view,
        waiver_grade=await waiver_grade(view),
        case_no=case_no,
        query_code=query_code if view else "",
        not_found=not_found,
        contact=contact,
        withdrawn=withdrawn,
        rating=rating,
        can_rate=bool(rating and rating.can_rate),
        step_url="/query?" + urlencode({"case_no": case_no, "query_code": query_code}) + "&",
        status_code=404 if not_found else 200,
        **rating_context(language(request), level),
    )


@router.get("/query", response_class=HTMLResponse)
async def progress_query(
    request: Request,
    case_no: str = "",
    query_code: str = "",
    code: str = "",
    level: int = 0,
    withdrawn: str = "",
) -> Response:
    """Progress query: the form, or the case when the address carries number and code
    (the receipt's QR code carries them as ``code``); a decided case can be rated there."""
    return await _answer(
        request,
        case_no.strip()[:48],
        (query_code or code).strip()[:32],
        level=level,
        withdrawn=bool(withdrawn),
    )


@router.post("/query", response_class=HTMLResponse)
async def progress_query_posted(request: Request) -> Response:
    """Progress query by case number and query code, posted (nothing in the address bar)."""
    form = await posted_form(request)
    return await _answer(request, form.text("case_no").strip()[:48], form.text("query_code")[:32])


@router.post("/query/withdraw-consent")
async def withdraw_consent(request: Request) -> Response:
    """The firm withdraws its consent to messages: its contact is erased."""
    form = await posted_form(request)
    case_no, query_code = form.text("case_no").strip()[:48], form.text("query_code")[:32]
    await limit_holder(request)
    await case_contact.withdraw_consent(case_no, query_code)
    target = {"case_no": case_no, "query_code": query_code, "withdrawn": "1"}
    return redirect("/query?" + urlencode(target))


@router.post("/query/rate", response_class=HTMLResponse)
async def rate_case(request: Request) -> Response:
    """Rate a decided case; the case number with its query code is the holder's proof."""
    form = await request.form()
    case_no = str(form.get("case_no", "")).strip()[:48]
    query_code = str(form.get("query_code", ""))[:32]
    level, tags, comment = posted_rating(form)
    await limit_holder(request)
    target = await service.by_case_code(case_no, query_code)
    await service.rate(target, level=level, tags=tags, comment=comment, channel=Channel.QUERY)
    return redirect("/query?" + urlencode({"case_no": case_no, "query_code": query_code}))
