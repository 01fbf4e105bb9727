"""The hall's display board: numbers being called and the last ten calls, live."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.web import render
from servicedesk.catalogue import service as catalogue
from servicedesk.queue import service as queue

router = APIRouter()


@router.get("/board/{sp}", response_class=HTMLResponse)
async def board(request: Request, sp: str) -> Response:
    """Full-screen display for a service point; updates by Server-Sent Events."""
    point = await catalogue.get_point(sp)
    return render(
        request,
        "board.html",
        point=point,
        calling=await queue.now_calling(point),
        recent=await queue.recent_calls(point),
    )
