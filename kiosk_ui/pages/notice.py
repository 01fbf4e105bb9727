"""The printable one-time notice (A4): case number, legal basis, and each material
with what is wrong with it, in the page's language. Linked from the web query and the
clerk's case page (the kiosk's query prints it through ``kiosk.notice``)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.pages.clerk_cases import ClerkPage
from kiosk_ui.pages.query import limit_holder
from kiosk_ui.web import language, render
from servicedesk.accounts.service import Principal
from servicedesk.cases import service as cases
from servicedesk.cases.service import CaseView
from servicedesk.errors import NotFound

router = APIRouter()


def notice_page(
    request: Request,
    view: CaseView,
    *,
    back: str,
    principal: Principal | None = None,
) -> Response:
    """The notice of a returned case, or 404 when the case has no open notice."""
    if view.notice is None:
        raise NotFound(f"case {view.case.case_no} has no open one-time notice")
    switch = ""
    if request.method == "GET":
        url = request.url.include_query_params(lang="en" if language(request) == "zh" else "zh")
        switch = f"{url.path}?{url.query}"
    return render(
        request,
        "notice_print.html",
        view=view,
        back=back,
        principal=principal,
        switch=switch,
    )


@router.get("/query/notice", response_class=HTMLResponse)
async def public_notice(request: Request, case_no: str = "", query_code: str = "") -> Response:
    """The notice for whoever holds the case number and its query code, as the query."""
    await limit_holder(request)
    view = await cases.get_public(case_no.strip()[:48], query_code=query_code[:32])
    back = "/query?" + urlencode({"case_no": case_no, "query_code": query_code})
    return notice_page(request, view, back=back)


@router.get("/clerk/cases/{case_no}/notice", response_class=HTMLResponse)
async def clerk_notice(request: Request, clerk: ClerkPage, case_no: str) -> Response:
    """The notice to print for a firm at the window."""
    view = await cases.get_for_staff(case_no, clerk)
    return notice_page(request, view, back=f"/clerk/cases/{case_no}", principal=clerk)
