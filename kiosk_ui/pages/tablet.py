"""The window's evaluation tablet (/rate/{window}), facing the firm across the counter.

It is a kiosk device of the window's service point (enrolled like a kiosk) and offers
only the ticket just finished at its window, for a few minutes, until it is rated.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.pages.kiosk import kiosk_csrf, kiosk_device, remember_device
from kiosk_ui.rating_ui import posted_rating, rating_context
from kiosk_ui.web import form_int, language, redirect, render
from servicedesk.errors import Forbidden
from servicedesk.evaluations import holder

router = APIRouter()
REFRESH_SECONDS = 5


@router.get("/rate/{window}", response_class=HTMLResponse)
async def tablet(request: Request, window: str, level: int = 0, thanks: int = 0) -> Response:
    """The service just finished at this window, to be rated by the firm."""
    desk = await holder.tablet(window)
    _, fresh = await kiosk_device(request, desk.window.service_point.code)
    response = render(
        request,
        "rate_tablet.html",
        desk=desk,
        thanks=bool(thanks),
        refresh=REFRESH_SECONDS if desk.ticket is None or thanks else 90,
        tablet_csrf=kiosk_csrf(request, fresh),
        **rating_context(language(request), level),
    )
    return remember_device(request, response, fresh)


@router.post("/rate/{window}", response_class=HTMLResponse)
async def tablet_rate(request: Request, window: str) -> Response:
    """Store the firm's rating of the ticket the tablet offered."""
    desk = await holder.tablet(window)
    await kiosk_device(request, desk.window.service_point.code)
    form = await request.form()
    if not hmac.compare_digest(str(form.get("csrf_token", "")), kiosk_csrf(request)):
        raise Forbidden("the form expired; rate again")
    level, tags, comment = posted_rating(form)
    await holder.rate_at_window(
        window,
        ticket_id=form_int(form.get("ticket_id"), field="ticket_id"),
        level=level,
        tags=tags,
        comment=comment,
    )
    return redirect(f"/rate/{window}?thanks=1")
