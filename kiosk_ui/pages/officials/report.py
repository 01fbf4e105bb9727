"""The annual report for officials: the HTML page (prints on A4) and its PDF."""

from __future__ import annotations

from anyio import to_thread
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui import report
from kiosk_ui.pages.officials.common import Official
from kiosk_ui.web import language
from servicedesk.statistics import annual
from servicedesk.timeutil import today

router = APIRouter()


@router.get("/report", response_class=HTMLResponse)
async def annual_report(request: Request, official: Official, year: int = 0) -> Response:
    """The year's report (default: last year) with charts and the figures in words."""
    del official
    built = await annual.build(year or today().year - 1, lang=language(request))
    return HTMLResponse(report.render_annual(built, links=True))


@router.get("/report.pdf")
async def annual_report_pdf(request: Request, official: Official, year: int = 0) -> Response:
    """The same report as a PDF, in the page's language, with its Chinese font embedded."""
    del official
    built = await annual.build(year or today().year - 1, lang=language(request))
    html = report.render_annual(built)
    pdf = await to_thread.run_sync(report.pdf_bytes, html)  # seconds of layout: off the loop
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="annual-report-{built.year}.pdf"'},
    )
