"""What both the officials' incubator page and the incubator portal show of an
incubator (the context of ``incubator_summary.html``)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from kiosk_ui import charts, tables
from kiosk_ui.web import translator
from servicedesk.errors import NotFound
from servicedesk.exemptions import recommendations
from servicedesk.incubators import service as incubators
from servicedesk.ratings import service as ratings


async def summary(code: str, lang: str = "zh") -> dict[str, Any]:
    """Score trend, published rating, history, indicators, recommendations, appeals."""
    incubator = await incubators.get(code)
    try:
        current = await ratings.published(code)
    except NotFound:
        current = None
    return {
        "incubator": incubator,
        "current": current,
        "trend": await trend(code, lang),
        "history": await tables.history_table(code),
        "indicators": await tables.indicator_table(code),
        "recs": await tables.recommendation_table(code),
        "appeals": await tables.appeal_table(code),
        "suspension": await recommendations.active_suspension(incubator),
    }


async def trend(code: str, lang: str = "zh") -> Markup:
    history = await ratings.history(code)
    points = [(r.run.period, r.score, r.grade) for r in history]
    return charts.trend_svg(points, translator(lang))
