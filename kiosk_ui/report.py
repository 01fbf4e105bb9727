"""The annual report as HTML (screen and A4 print) and as PDF.

The PDF is made by WeasyPrint from the same HTML: it installs from PyPI, lays out CSS
paged media (A4, page numbers) with Debian's Pango, and embeds the subset of the
Noto Sans CJK font it uses, so the PDF reads the same everywhere. The charts are the
pages' matplotlib SVGs, whose glyphs are already outlines.
"""

from __future__ import annotations

from markupsafe import Markup

from kiosk_ui import charts
from kiosk_ui.charts import Gettext
from kiosk_ui.web import HERE, templates, translator
from servicedesk.errors import ServiceDeskError
from servicedesk.statistics.annual import AnnualReport, Section
from servicedesk.statistics.figures import Table
from servicedesk.timeutil import now


def _labels(table: Table, _: Gettext) -> list[str]:
    """The first column's words (districts read through the catalogue; names stay)."""
    return [_(str(row.get(table.columns[0][0]))) for row in table.rows]


def _values(table: Table, key: str) -> list[float | None]:
    return [row.get(key) for row in table.rows]


def _chart(table: Table, _: Gettext) -> Markup:
    title = _(table.columns[0][1])
    if table.name == "trends":
        series = [(_(head), _values(table, key)) for key, head in table.columns[1:]]
        return charts.lines(_labels(table, _), series, label=title)
    count = charts.Frame(ylabel=_("数量（张/件）"))
    if table.name == "months":
        series = [(_("取号量"), _values(table, "tickets")), (_("办件量"), _values(table, "cases"))]
        return charts.bars(_labels(table, _), series, label=title, frame=count)
    if table.name == "points":
        series = [(_("满意率"), _values(table, "satisfaction_rate")),
                  (_("按承诺时限办结率"), _values(table, "on_time_rate"))]  # fmt: skip
        frame = charts.Frame(ylabel=_("比例"))
        return charts.bars(_labels(table, _), series, percent=True, label=title, frame=frame)
    key = "n" if any(k == "n" for k, _head in table.columns) else table.columns[1][0]
    series = [(_(table.columns[1][1]), _values(table, key))]
    frame = charts.Frame(ylabel=_(table.columns[1][1]))  # incubators or firms, not tickets
    return charts.bars(_labels(table, _), series, label=title, size=(5.2, 2.4), frame=frame)


def figures(section: Section, _: Gettext = charts.same) -> list[tuple[Table, Markup]]:
    return [(table, _chart(table, _)) for table in section.tables]


def render_annual(report: AnnualReport, *, links: bool = False) -> str:
    """A standalone HTML document in the report's language: styles inline, charts
    inline, nothing to fetch."""
    lang = report.lang
    css = (HERE / "static" / "report.css").read_text(encoding="utf-8")
    template = templates.env.get_template("annual_report.html")
    return template.render(
        report=report,
        sections=[(s, figures(s, translator(lang))) for s in report.sections],
        css=Markup(css),
        generated=now(),
        lang=lang,
        _=translator(lang),
        links=links,
    )


class PdfUnavailable(ServiceDeskError):
    """WeasyPrint cannot load the system's Pango (a Debian package)."""

    status_code = 503


def pdf_bytes(html: str) -> bytes:
    try:
        from weasyprint import HTML
    except OSError as exc:  # Pango's shared libraries are missing
        raise PdfUnavailable(
            "PDF output needs Pango and a CJK font: apt-get install libpango-1.0-0 "
            f"libpangoft2-1.0-0 fonts-noto-cjk ({exc})"
        ) from None
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
