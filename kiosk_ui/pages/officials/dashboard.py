"""The officials' overview: ratings with waiver and spot-check figures, one
incubator's page, and every table as CSV."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui import charts, tables
from kiosk_ui.incubator_summary import summary
from kiosk_ui.pages.officials.common import Official, page
from kiosk_ui.web import language, translator
from servicedesk.errors import NotFound
from servicedesk.exemptions import recommendations, spotchecks
from servicedesk.ratings import appeals
from servicedesk.ratings import service as ratings

router = APIRouter()
OVERALL = {
    "grades": tables.grade_table,
    "spotchecks": tables.spot_check_table,
    "waivers": tables.waiver_table,
    "appeals": tables.appeal_table,
}
"""Tables over every incubator, by export name."""


@router.get("", response_class=HTMLResponse)
async def dashboard(
    request: Request, official: Official, grade: str = "", district: str = "", level: str = ""
) -> Response:
    """Ratings filtered by grade, district and level, with waiver and spot-check figures."""
    ratings_table = await tables.ratings_table(
        grade=grade or None, district=district or None, level=level or None
    )
    grades = await tables.grade_table()
    everyone = await ratings.list_with_ratings()
    return page(
        request,
        "officials.html",
        official,
        ratings_table=ratings_table,
        grades=grades,
        bars=charts.bar_svg(grades.rows, translator(language(request))),
        stats=await spotchecks.waiver_stats(),
        queue=len(await ratings.review_queue()),
        grade=grade,
        district=district,
        level=level,
        districts=sorted({v.incubator.district for v in everyone}),
        open_appeals=len(await appeals.list_appeals(open_only=True)),
        suspended=await recommendations.suspensions(active_only=True),
    )


@router.get("/incubators/{code}", response_class=HTMLResponse)
async def incubator_page(request: Request, official: Official, code: str) -> Response:
    """One incubator: score trend, reasons, indicator history, recommendations, appeals."""
    return page(
        request,
        "officials_incubator.html",
        official,
        export_base="/officials/export/",
        code_q=f"?code={code}",
        **await summary(code, language(request)),
    )


@router.get("/export/{name}.csv")
async def export(
    request: Request,
    official: Official,
    name: str,
    code: str = "",
    grade: str = "",
    district: str = "",
    level: str = "",
    run: int | None = None,
) -> Response:
    """Any dashboard table as CSV."""
    if name == "ratings":
        table = await tables.ratings_table(
            grade=grade or None, district=district or None, level=level or None
        )
    elif name == "review":
        table = await tables.review_table(run, lang=language(request))
    elif name in OVERALL:
        table = await OVERALL[name]()
    elif name in tables.PER_INCUBATOR and code:
        table = await tables.PER_INCUBATOR[name](code)
    else:
        raise NotFound(f"no table {name!r}")
    return await tables.csv_response(table, request, actor=official.label)
