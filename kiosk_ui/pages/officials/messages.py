"""Messages to firms: by state, a dead one sent again, delivery rate per channel, and
which channel is off (its messages are kept as "not sent: channel off")."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.pages.officials.common import Official, page
from kiosk_ui.web import posted_form, redirect, settings_of
from servicedesk.notifications import service as notifications

router = APIRouter()


@router.get("/messages", response_class=HTMLResponse)
async def messages_page(request: Request, official: Official, status: str = "") -> Response:
    """Messages by state (newest first), channels with their delivery rate."""
    chosen = [status] if status else None
    return page(
        request,
        "officials_messages.html",
        official,
        channels=await notifications.summary(settings_of(request)),
        messages=[
            notifications.read(m) for m in await notifications.listing(official, statuses=chosen)
        ],
        status=status,
        statuses=notifications.STATUSES,
    )


@router.post("/messages/{message_id}/retry")
async def retry_message(request: Request, official: Official, message_id: int) -> Response:
    """Queue a dead or channel-off message again."""
    form = await posted_form(request)
    await notifications.retry(message_id, actor=official.label)
    back = form.text("status")
    return redirect("/officials/messages" + (f"?status={back}" if back else ""))
