"""Service statistics: officials see every point, a supervisor their own; each breakdown
with a chart, CSV of each table and XLSX of all."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui import statistics_view
from kiosk_ui.web import language, render, staff_gate, translator
from servicedesk.accounts.service import Principal
from servicedesk.catalogue import service as catalogue
from servicedesk.errors import InvalidInput, NotFound
from servicedesk.statistics import export, service
from servicedesk.statistics.service import ServiceStatistics

viewer = staff_gate(
    {"supervisor", "official", "admin"}, "statistics are for officials and supervisors"
)
Viewer = Annotated[Principal, Depends(viewer)]
router = APIRouter(prefix="/statistics", dependencies=[Depends(viewer)])


def _date(value: str, field: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise InvalidInput(f"{field}: write a date as YYYY-MM-DD", extra={"field": field}) from None


async def _stats(
    principal: Principal, start: str, end: str, point: str, *, lang: str = "zh"
) -> ServiceStatistics:
    scope, found = await service.scope_for(
        principal, start=_date(start, "from"), end=_date(end, "to"), service_point=point or None
    )
    return await service.details(scope, found, lang=lang)


@router.get("", response_class=HTMLResponse)
async def statistics_page(
    request: Request, principal: Viewer, start: str = "", end: str = "", service_point: str = ""
) -> Response:
    """Figures for a range (default: the last 30 days) against the range before."""
    lang = language(request)
    stats = await _stats(principal, start, end, service_point, lang=lang)
    gettext = translator(lang)
    query = f"start={stats.scope.start}&end={stats.scope.end}&service_point={service_point}"
    return render(
        request,
        "statistics.html",
        principal=principal,
        stats=stats,
        cards=statistics_view.cards(stats.summary, stats.previous),
        tables=[(t, statistics_view.chart(t, gettext)) for t in stats.tables.values()],
        titles=statistics_view.TABLE_TITLES,
        points=await catalogue.list_points() if principal.role != "supervisor" else [],
        service_point=service_point,
        query=query,
    )


@router.get("/export.xlsx")
async def export_xlsx(
    principal: Viewer, start: str = "", end: str = "", service_point: str = ""
) -> Response:
    """Every table of the page, one worksheet each."""
    stats = await _stats(principal, start, end, service_point)
    name = f"statistics-{stats.scope.start}-{stats.scope.end}.xlsx"
    return Response(
        export.xlsx_bytes(stats.tables.values(), titles=statistics_view.TABLE_TITLES),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/export/{table}.csv")
async def export_csv(
    principal: Viewer, table: str, start: str = "", end: str = "", service_point: str = ""
) -> Response:
    """One table of the page as CSV."""
    stats = await _stats(principal, start, end, service_point)
    if table not in stats.tables:
        raise NotFound(f"no table {table!r}")
    name = f"statistics-{table}-{stats.scope.start}-{stats.scope.end}.csv"
    return Response(
        export.csv_bytes(stats.tables[table]),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
