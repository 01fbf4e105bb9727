from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.web import check_csrf, page_gate, posted_form, redirect, render, staff_on_page
from servicedesk.accounts import service as accounts
from servicedesk.accounts.service import Principal
from servicedesk.cases import corrections, transitions
from servicedesk.cases import service as cases
from servicedesk.cases.machine import ALLOWED
from servicedesk.catalogue import service as catalogue
from servicedesk.errors import Forbidden, InvalidInput, ServiceDeskError
from servicedesk.notifications import contacts
from servicedesk.notifications import service as notifications
from servicedesk.notifications.contacts import firm_holder

router = APIRouter(prefix="/clerk")
SIMPLE_ACTIONS = {"start_review", "approve", "deny", "issue_result", "close", "reject"}


async def _clerk(request: Request) -> Principal | None:
    return await staff_on_page(
        request, {"clerk", "supervisor", "admin"}, "this page is for window clerks"
    )


ClerkPage = Annotated[Principal, page_gate(_clerk)]


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD)") from None


@router.get("/cases", response_class=HTMLResponse)
async def case_list(request: Request, clerk: ClerkPage, status: str | None = None) -> Response:
    """The clerk's cases, newest first, with their clocks."""
    views = await cases.list_for_clerk(clerk, statuses=[status] if status else None)
    return render(request, "clerk_cases.html", views=views, status=status or "", principal=clerk)


async def _point_code(clerk: Principal) -> str:
    code = await accounts.service_point_code(clerk.user) if clerk.user else None
    if not code:
        raise Forbidden("you are not bound to a service point")
    return code


@router.get("/intake", response_class=HTMLResponse)
async def intake_form(
    request: Request, clerk: ClerkPage, matter: str = "", error: str = ""
) -> Response:
    """Walk-in intake: a firm at the window without a kiosk (USCC, matter, materials
    received, recommendation code)."""
    sp = await _point_code(clerk)
    entries = await catalogue.catalogue(sp)
    chosen = next((e for e in entries if e.matter.code == matter), None)
    return render(
        request,
        "clerk_intake.html",
        principal=clerk,
        entries=entries,
        chosen=chosen,
        error=error,
        values={},
    )


@router.post("/intake")
async def intake(request: Request, clerk: ClerkPage) -> Response:
    """Register the walk-in application and open its case page."""
    form = await posted_form(request)
    sp = await _point_code(clerk)
    try:
        view = await cases.submit(
            principal=clerk,
            service_point=sp,
            matter_code=form.text("matter_code"),
            uscc=form.text("uscc"),
            firm_name=form.text("firm_name"),
            materials=form.texts("materials"),
            recommendation_code=form.text("recommendation_code").strip() or None,
        )
    except ServiceDeskError as exc:
        entries = await catalogue.catalogue(sp)
        chosen = next((e for e in entries if e.matter.code == form.text("matter_code")), None)
        return render(
            request,
            "clerk_intake.html",
            status_code=exc.status_code,
            principal=clerk,
            entries=entries,
            chosen=chosen,
            error=exc.detail,
            values={k: form.text(k) for k in ("uscc", "firm_name", "recommendation_code")},
        )
    return redirect(f"/clerk/cases/{view.case.case_no}")


@router.get("/cases/{case_no}", response_class=HTMLResponse)
async def case_detail(request: Request, clerk: ClerkPage, case_no: str) -> Response:
    """One case: materials, notice, clock, timeline and the decisions a clerk may take."""
    view = await cases.get_for_staff(case_no, clerk)
    return render(
        request,
        "clerk_case.html",
        view=view,
        principal=clerk,
        allowed={a for a, s in ALLOWED.items() if view.case.status in s},
        # The clerk may have to phone the firm about its case: the contact in full.
        contact=await contacts.active(firm_holder(view.case.firm.uscc)),
        messages=[notifications.read(m) for m in await notifications.for_case(case_no)],
    )


@router.post("/cases/{case_no}/{action}")
async def case_action(request: Request, clerk: ClerkPage, case_no: str, action: str) -> Response:
    """Accept, return, reject or move a case on, from the case page's forms."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    if action == "accept":
        await transitions.accept(
            case_no,
            principal=clerk,
            with_deficiency=True if form.get("with_deficiency") else None,
            supplement_due=_date(str(form.get("supplement_due") or "")),
        )
    elif action == "return":
        items = [
            {
                "material_code": code.removeprefix("defect_"),
                "problem": str(form.get("problem_" + code.removeprefix("defect_"), "")),
            }
            for code in form
            if code.startswith("defect_")
        ]
        await transitions.return_for_correction(case_no, principal=clerk, items=items)
    elif action in {"resubmit", "supplement"}:
        materials = [str(m) for m in form.getlist("materials")]
        handler = corrections.resubmit if action == "resubmit" else corrections.supplement
        await handler(case_no, principal=clerk, materials=materials)
    elif action == "extend_supplement":
        due = _date(str(form.get("supplement_due") or ""))
        if due is None:
            raise InvalidInput(
                "give the new supplement deadline", extra={"field": "supplement_due"}
            )
        await transitions.extend_supplement(case_no, principal=clerk, supplement_due=due)
    elif action in SIMPLE_ACTIONS:
        await transitions.simple_transition(
            case_no, action, principal=clerk, reason=str(form.get("reason", ""))
        )
    else:
        raise Forbidden(f"unknown action {action!r}")
    return redirect(f"/clerk/cases/{case_no}")
