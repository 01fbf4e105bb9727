"""Officials' list of cases running late across every service point, with CSV."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui import tables
from kiosk_ui.pages.officials.common import Official, page
from servicedesk.cases import service as cases
from servicedesk.cases.overdue import Filters
from servicedesk.catalogue import service as catalogue

router = APIRouter()


def _filters(service_point: str, matter: str, kind: str) -> Filters:
    return Filters(service_point=service_point or None, matter=matter or None, kind=kind or None)


@router.get("/overdue", response_class=HTMLResponse)
async def overdue_page(
    request: Request, official: Official, sp: str = "", matter: str = "", kind: str = ""
) -> Response:
    """Red, yellow and supplement-overdue cases, filtered by point, matter and kind."""
    table = tables.overdue_table(await cases.overdue_list(_filters(sp, matter, kind)))
    return page(
        request,
        "officials_overdue.html",
        official,
        table=table,
        points=await catalogue.list_points(),
        sp=sp,
        matter=matter,
        kind=kind,
    )


@router.get("/overdue.csv")
async def overdue_csv(
    request: Request, official: Official, sp: str = "", matter: str = "", kind: str = ""
) -> Response:
    """The same list as CSV (the export is audited)."""
    table = tables.overdue_table(await cases.overdue_list(_filters(sp, matter, kind)))
    return await tables.csv_response(table, request, actor=official.label)
