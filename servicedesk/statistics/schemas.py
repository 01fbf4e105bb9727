from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from servicedesk.statistics.service import ServiceStatistics


class ServiceSummary(BaseModel):
    """DESIGN §6.1: rates in 0..1, null when there is nothing to divide."""

    model_config = ConfigDict(extra="allow")

    tickets: int
    cases: int
    on_time_rate: float | None
    wait_minutes_p50: float | None
    wait_minutes_p90: float | None
    service_minutes_p50: float | None
    no_show_rate: float | None
    satisfaction_rate: float | None
    evaluations: int
    bad_ratings: int
    rectification_rate: float | None


class TableRead(BaseModel):
    columns: list[dict[str, str]]
    rows: list[dict[str, Any]]


class ServiceDetails(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: date
    to: date
    service_point: str | None
    summary: ServiceSummary
    previous: ServiceSummary
    tables: dict[str, TableRead]


def details_read(stats: ServiceStatistics) -> dict[str, Any]:
    return {
        "from": stats.scope.start.isoformat(),
        "to": stats.scope.end.isoformat(),
        "service_point": stats.point.code if stats.point else None,
        "summary": stats.summary,
        "previous": stats.previous,
        "tables": {
            name: {
                "columns": [{"key": k, "title": t} for k, t in table.columns],
                "rows": table.rows,
            }
            for name, table in stats.tables.items()
        },
    }
