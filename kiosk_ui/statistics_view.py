"""The statistics as a page shows them: summary cards against the previous period and
a chart for every breakdown table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from kiosk_ui import charts
from kiosk_ui.charts import Gettext
from servicedesk.statistics.figures import Table

# The summary cards: key, Chinese title, kind (count / rate / minutes), higher is better.
CARDS: tuple[tuple[str, str, str, bool], ...] = (
    ("tickets", "取号量", "count", True),
    ("cases", "办件量", "count", True),
    ("on_time_rate", "按承诺时限办结率", "rate", True),
    ("on_time_statutory_rate", "按法定时限办结率", "rate", True),
    ("wait_minutes_p50", "等候时间中位数（分钟）", "minutes", False),
    ("wait_minutes_p90", "等候时间90%分位（分钟）", "minutes", False),
    ("service_minutes_p50", "办理时间中位数（分钟）", "minutes", False),
    ("no_show_rate", "过号率", "rate", False),
    ("acceptance_rate", "受理率", "rate", True),
    ("return_rate", "一次性告知（退回补正）率", "rate", False),
    ("deficiency_rate", "容缺受理率", "rate", True),
    ("satisfaction_rate", "满意率", "rate", True),
    ("evaluations", "评价数", "count", True),
    ("bad_ratings", "差评数", "count", False),
    ("rectification_rate", "差评整改率", "rate", True),
    ("follow_ups_overdue", "超期未答复差评", "count", False),
)
TABLE_TITLES = {
    "points": "各服务点",
    "matters": "各事项办理量",
    "days": "每日办理量",
    "hours": "各时段取号量",
    "windows": "各窗口等候与办理时间",
    "clerks": "各工作人员等候与办理时间",
    "cases": "受理、退回、容缺与按时办结",
    "waivers": "免于实地核查",
    "spot_checks": "抽查结果",
}


@dataclass(frozen=True)
class Card:
    key: str
    title: str
    value: str
    delta: str
    trend: str  # up (better) / down (worse) / "" (same or unknown)


def show(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "rate":
        return f"{100 * value:.1f}%"
    if kind == "minutes":
        return f"{value:.1f}"
    return f"{int(value):,}"


def cards(summary: dict[str, Any], previous: dict[str, Any]) -> list[Card]:
    out = []
    for key, title, kind, higher_better in CARDS:
        now, before = summary.get(key), previous.get(key)
        delta, trend = "", ""
        if now is not None and before is not None and now != before:
            change = now - before
            delta = ("+" if change > 0 else "−") + show(abs(change), kind)
            trend = "up" if (change > 0) == higher_better else "down"
        out.append(Card(key, title, show(now, kind), delta, trend))
    return out


def _column(table: Table, key: str) -> list[float | None]:
    return [row.get(key) for row in table.rows]


def _labels(table: Table) -> list[str]:
    first = table.columns[0][0]
    return [str(row.get(first)) for row in table.rows]


COUNT = charts.Frame(ylabel="数量（张/件）")
MINUTES = charts.Frame(ylabel="分钟")


def _pair(
    table: Table, first: tuple[str, str], second: tuple[str, str], _: Gettext, **kw: Any
) -> Markup:
    series = [(_(first[1]), _column(table, first[0])), (_(second[1]), _column(table, second[0]))]
    frame = charts.Frame(ylabel=_(COUNT.ylabel))
    return charts.bars(_labels(table), series, label=_(TABLE_TITLES[table.name]), frame=frame, **kw)


def _volumes(table: Table, _: Gettext) -> Markup:
    return _pair(table, ("tickets", "取号量"), ("cases", "办件量"), _)


def _matters(table: Table, _: Gettext) -> Markup:
    top = sorted(table.rows, key=lambda r: -(r["tickets"] + r["cases"]))[:12]
    short = Table(table.name, table.columns, top)
    return _pair(
        short, ("tickets", "取号量"), ("cases", "办件量"), _, horizontal=True, size=(6.4, 3.6)
    )


def _days(table: Table, _: Gettext) -> Markup:
    series = [(_("取号量"), _column(table, "tickets")), (_("办件量"), _column(table, "cases"))]
    days = [label[5:] for label in _labels(table)]
    frame = charts.Frame(xlabel=_("日期"), ylabel=_(COUNT.ylabel))
    return charts.lines(days, series, label=_(TABLE_TITLES[table.name]), frame=frame)


def _times(table: Table, _: Gettext) -> Markup:
    series = [
        (_("等候中位数"), _column(table, "wait_p50")),
        (_("等候90%分位"), _column(table, "wait_p90")),
        (_("办理中位数"), _column(table, "service_p50")),
    ]
    frame = charts.Frame(ylabel=_(MINUTES.ylabel))
    return charts.bars(_labels(table), series, label=_(TABLE_TITLES[table.name]), frame=frame)


def _case_rates(table: Table, _: Gettext) -> Markup:
    series = [
        (_("受理率"), _column(table, "acceptance_rate")),
        (_("按承诺时限"), _column(table, "on_time_rate")),
        (_("按法定时限"), _column(table, "on_time_statutory_rate")),
    ]
    frame = charts.Frame(ylabel=_("比例"))
    title = _(TABLE_TITLES[table.name])
    return charts.bars(_labels(table), series, percent=True, label=title, frame=frame)


def _single(key: str, title: str) -> Callable[[Table, Gettext], Markup]:
    def draw(table: Table, _: Gettext) -> Markup:
        series = [(_(title), _column(table, key))]
        frame = charts.Frame(ylabel=_(COUNT.ylabel))
        label = _(TABLE_TITLES.get(table.name, ""))
        return charts.bars(_labels(table), series, label=label, frame=frame)

    return draw


CHARTS: dict[str, Callable[[Table, Gettext], Markup]] = {
    "points": _volumes,
    "matters": _matters,
    "days": _days,
    "hours": _single("tickets", "取号量"),
    "windows": _times,
    "clerks": _times,
    "cases": _case_rates,
}


def chart(table: Table, _: Gettext = charts.same) -> Markup:
    """The chart that goes with one breakdown table, in the reader's language."""
    first = table.columns[0][0]
    rows = [{**r, first: _(r[first]) if isinstance(r.get(first), str) else r.get(first)}
            for r in table.rows]  # fmt: skip
    worded = Table(table.name, table.columns, rows)
    return CHARTS.get(table.name, _single("n", "数量"))(worded, _)
