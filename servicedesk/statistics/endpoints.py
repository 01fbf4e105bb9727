from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from servicedesk.deps import AnyPrincipal
from servicedesk.errors import NotFound
from servicedesk.statistics import export, service
from servicedesk.statistics.schemas import ServiceSummary, details_read

router = APIRouter(prefix="/statistics", tags=["statistics"])
From = Annotated[date | None, Query(alias="from")]
To = Annotated[date | None, Query()]
Point = Annotated[str | None, Query(max_length=32)]


@router.get("/service", response_model=ServiceSummary)
async def service_summary(
    principal: AnyPrincipal, from_: From = None, to: To = None, service_point: Point = None
) -> dict[str, Any]:
    """Volumes, timeliness, waits, no-shows and satisfaction for a range (default: the
    last 30 days); officials see every point, a supervisor their own."""
    scope, _ = await service.scope_for(principal, start=from_, end=to, service_point=service_point)
    return await service.summary(scope)


@router.get("/service/details")
async def service_details(
    principal: AnyPrincipal, from_: From = None, to: To = None, service_point: Point = None
) -> JSONResponse:
    """Every breakdown of the statistics page, and the previous period's summary."""
    scope, point = await service.scope_for(
        principal, start=from_, end=to, service_point=service_point
    )
    return JSONResponse(details_read(await service.details(scope, point)))


@router.get("/service/export.{fmt}")
async def service_export(
    principal: AnyPrincipal,
    fmt: str,
    from_: From = None,
    to: To = None,
    service_point: Point = None,
    table: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    """The breakdowns as XLSX (one sheet each) or one of them as CSV (``table=``)."""
    scope, point = await service.scope_for(
        principal, start=from_, end=to, service_point=service_point
    )
    stats = await service.details(scope, point)
    name = f"statistics-{scope.start}-{scope.end}"
    if fmt == "xlsx":
        return Response(
            export.xlsx_bytes(stats.tables.values()),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    if fmt == "csv" and table in stats.tables:
        return Response(
            export.csv_bytes(stats.tables[table]),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}-{table}.csv"'},
        )
    raise NotFound(
        f"no export {fmt!r}: use xlsx, or csv with table= one of {', '.join(stats.tables)}"
    )
