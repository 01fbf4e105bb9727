"""Follow-ups of bad ratings, for the point's supervisor and for officials."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.rating_ui import rating_context
from kiosk_ui.web import language, posted_form, redirect, render, staff_gate
from servicedesk.accounts.service import Principal
from servicedesk.errors import InvalidInput
from servicedesk.evaluations import followups
from servicedesk.evaluations.models import ReplyKind

handler = staff_gate(
    {"supervisor", "official", "admin"},
    "follow-ups are for the service point's supervisor and officials",
    form_refusal="log in as a supervisor or an official first",
)
Handler = Annotated[Principal, Depends(handler)]
router = APIRouter(prefix="/follow-ups", dependencies=[Depends(handler)])


@router.get("", response_class=HTMLResponse)
async def follow_ups(request: Request, principal: Handler, status: str = "") -> Response:
    """Bad ratings to answer, the most urgent first."""
    views = await followups.list_for(principal, status=status or None)
    if not status:
        views = [v for v in views if v.follow_up.status.value != "closed"] + [
            v for v in views if v.follow_up.status.value == "closed"
        ]
    return render(
        request,
        "follow_ups.html",
        principal=principal,
        views=views,
        status=status,
        overdue=sum(v.warning == "red" for v in views),
        **rating_context(language(request)),
    )


@router.post("/{follow_up_id}/reply", response_class=HTMLResponse)
async def reply(request: Request, principal: Handler, follow_up_id: int) -> Response:
    """Rectified or explained, with the text the firm will read."""
    form = await posted_form(request)
    try:
        kind = ReplyKind(form.text("kind"))
    except ValueError:
        raise InvalidInput("choose rectified or explained", extra={"field": "kind"}) from None
    await followups.reply(follow_up_id, principal=principal, kind=kind, text=form.text("text"))
    return redirect("/follow-ups")


@router.post("/{follow_up_id}/approve", response_class=HTMLResponse)
async def approve(request: Request, principal: Handler, follow_up_id: int) -> Response:
    """A second person approves an explanation."""
    await posted_form(request)
    await followups.approve(follow_up_id, principal=principal)
    return redirect("/follow-ups")


@router.post("/{follow_up_id}/send-back", response_class=HTMLResponse)
async def send_back(request: Request, principal: Handler, follow_up_id: int) -> Response:
    """A second person does not accept an explanation."""
    form = await posted_form(request)
    await followups.send_back(follow_up_id, principal=principal, reason=form.text("reason"))
    return redirect("/follow-ups")
