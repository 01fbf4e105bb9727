"""The clerk console at ``/clerk``: bound to a window, calls and serves tickets.

The window is chosen once after login and kept in a cookie; every action checks
again that the window belongs to the clerk's service point. The panel refreshes
itself over Server-Sent Events, without reloading the page.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.web import check_csrf, form_int, page_gate, page_principal, redirect, render
from servicedesk.accounts.service import Principal
from servicedesk.catalogue import service as catalogue
from servicedesk.catalogue.models import Window
from servicedesk.errors import Forbidden, ServiceDeskError
from servicedesk.queue import calls, transitions
from servicedesk.queue import service as queue

router = APIRouter(prefix="/clerk")
WINDOW_COOKIE = "sd_window"
ACTIONS = {
    "recall": calls.recall,
    "start": transitions.start,
    "no-show": transitions.no_show,
    "complete": transitions.complete,
}


async def _clerk(request: Request) -> Principal | None:
    principal = await page_principal(request)
    if principal is None:
        return None
    if principal.role not in {"clerk", "supervisor", "admin"} or principal.service_point_id is None:
        raise Forbidden("the console is for window clerks bound to a service point")
    return principal


ConsoleClerk = Annotated[Principal, page_gate(_clerk)]


async def _window(request: Request, clerk: Principal) -> Window | None:
    code = request.query_params.get("window") or request.cookies.get(WINDOW_COOKIE)
    if not code:
        return None
    return await queue.window_at(code, service_point_id=clerk.service_point_id)


async def _context(clerk: Principal, window: Window) -> dict[str, Any]:
    desk = await queue.desk(window)
    point = await catalogue.point_detail(desk.point.code)
    return {
        "queues": {q.code: q for q in point.queues},
        "windows": {w.code: w for w in point.windows},
        "point": desk.point,
        "window": desk.window,
        "principal": clerk,
        "current": desk.current,
        "counts": desk.counts,
        "served": desk.served,
        "upcoming": desk.upcoming,
        "recent": desk.recent,
    }


@router.get("", response_class=HTMLResponse)
async def console(request: Request, clerk: ConsoleClerk, error: str | None = None) -> Response:
    """The window's console: current ticket, waiting counts, call next."""
    window = await _window(request, clerk)
    if window is None:
        windows = await queue.windows_at(clerk.service_point_id)
        return render(request, "console_pick.html", windows=windows, principal=clerk)
    response = render(request, "console.html", error=error, **await _context(clerk, window))
    if request.query_params.get("window"):
        response.set_cookie(WINDOW_COOKIE, window.code, httponly=True, samesite="lax")
    return response


@router.get("/panel", response_class=HTMLResponse)
async def panel(request: Request) -> Response:
    """The live part of the console, fetched again whenever the hall changes."""
    clerk = await _clerk(request)
    if clerk is None:  # logged out meanwhile: the page's script leaves the panel alone
        return Response(status_code=401)
    window = await _window(request, clerk)
    if window is None:
        return Response(status_code=204)
    return render(request, "console_panel.html", **await _context(clerk, window))


@router.post("/window/{action}")
async def act(request: Request, clerk: ConsoleClerk, action: str) -> Response:
    """Call next, recall, start, no-show, complete or transfer at the bound window."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    window = await _window(request, clerk)
    if window is None:
        return redirect("/clerk")
    ticket_id = form_int(form.get("ticket_id"), field="ticket_id")
    try:
        if action == "call-next":
            if await calls.call_next(window.code, principal=clerk) is None:
                return redirect("/clerk?error=empty")
        elif action == "transfer":
            await transitions.transfer(ticket_id, queue=str(form.get("queue", "")), principal=clerk)
        elif action in ACTIONS:
            await ACTIONS[action](ticket_id, principal=clerk)
        else:
            raise Forbidden(f"unknown action {action!r}")
    except ServiceDeskError as exc:
        if isinstance(exc, Forbidden):
            raise
        return render(
            request,
            "console.html",
            status_code=exc.status_code,
            error=exc.detail,
            **await _context(clerk, window),
        )
    return redirect("/clerk")


@router.post("/window-release", dependencies=[page_gate(_clerk)])
async def release(request: Request) -> Response:
    """Leave the window (choose another)."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    response = redirect("/clerk")
    response.delete_cookie(WINDOW_COOKIE)
    return response
