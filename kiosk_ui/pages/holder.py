"""The firm's own pages behind its codes: the ticket's status page (the receipt's QR),
where a finished service is rated and the answer to a bad rating is read."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.rating_ui import posted_rating, rating_context
from kiosk_ui.web import language, redirect, render
from servicedesk.evaluations import holder, service
from servicedesk.evaluations.models import Channel
from servicedesk.queue import issuing
from servicedesk.queue import service as queue

router = APIRouter()


@router.get("/ticket/{code}", response_class=HTMLResponse)
async def ticket_status(request: Request, code: str, level: int = 0) -> Response:
    """A ticket's live status, from the receipt's QR code (on the firm's phone); once
    the ticket is done, its rating."""
    view = await queue.by_code(code)
    return render(
        request,
        "ticket_status.html",
        view=view,
        code=code,
        rating=await holder.for_ticket(view.ticket),
        **rating_context(language(request), level),
    )


@router.post("/ticket/{code}/cancel", response_class=HTMLResponse)
async def ticket_cancel(code: str) -> Response:
    """The firm gives up its place."""
    await issuing.cancel_by_holder(code)
    return redirect(f"/ticket/{code}")


@router.post("/ticket/{code}/rate", response_class=HTMLResponse)
async def ticket_rate(request: Request, code: str) -> Response:
    """Rate the finished service; the receipt's code is the holder's proof."""
    level, tags, comment = posted_rating(await request.form())
    target = await service.by_receipt_code(code)
    await service.rate(target, level=level, tags=tags, comment=comment, channel=Channel.RECEIPT)
    return redirect(f"/ticket/{code}")
