"""The annual report on incubators and their service (article 25's "blue book").

Figures for one calendar year: incubators by grade, district, level and kind; firms
incubated, graduated and left; indicator trends by quarter; ratings, appeals, waivers
and spot checks; the service desk's volumes, timeliness and satisfaction. Each
section carries a few sentences stating its figures, written from the figures.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tortoise.functions import Avg

from credit.incubator import INDICATORS
from servicedesk.exemptions.models import SpotCheck, WaiverDecision
from servicedesk.incubators.models import Incubation, IndicatorValue
from servicedesk.ratings import service as ratings
from servicedesk.ratings.models import Appeal, RatingRun
from servicedesk.statistics import service as statistics
from servicedesk.statistics.annual_words import month, words
from servicedesk.statistics.figures import Table
from servicedesk.statistics.queries import Scope
from servicedesk.statistics.sql import day_bounds
from servicedesk.timeutil import beijing_date

TREND_INDICATORS = ("window_satisfaction", "graduation_rate", "spot_check_pass_rate")
Words = dict[str, str]


@dataclass
class Section:
    key: str
    title: str
    text: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class AnnualReport:
    year: int
    sections: list[Section]
    summary: dict[str, Any]
    lang: str = "zh"


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def _count_table(
    name: str,
    heading: str,
    counts: Counter[str],
    w: Words,
    prefix: str = "",
    *,
    by_key: bool = False,
) -> Table:
    """Counts, largest first (or in key order: grades A to D); a key with a word under
    ``prefix`` in ``w`` is shown as that word (data such as districts as it is)."""
    table = Table(name, [("key", w[heading]), ("n", w["head.n"])])
    order = (
        sorted(counts.items()) if by_key else sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    for key, n in order:
        table.rows.append({"key": w.get(f"{prefix}.{key}", key), "n": n})
    return table


async def _incubators(year: int, w: Words) -> Section:
    views = await ratings.list_with_ratings()
    grades = Counter(v.rating.grade if v.rating else "none" for v in views)
    section = Section("incubators", w["title.incubators"])
    section.tables = [
        _count_table("grades", "head.grade", grades, w, "grade", by_key=True),
        _count_table("districts", "head.district", Counter(v.incubator.district for v in views), w),
        _count_table("levels", "head.level", Counter(v.incubator.level for v in views), w, "level"),
        _count_table("kinds", "head.kind", Counter(v.incubator.kind for v in views), w, "kind"),
    ]
    total = len(views)
    top = w["list_sep"].join(w["grade_count"].format(grade=g, n=grades.get(g, 0)) for g in "ABCD")
    a_share = pct(grades.get("A", 0), total)
    section.text.append(
        w["text.incubators"].format(year=year, total=total, top=top, a_share=a_share)
    )
    return section


async def _firms(year: int, w: Words) -> Section:
    rows = await Incubation.all().values("status", "since", "graduated_on")
    joined = sum(1 for r in rows if r["since"] and r["since"].year == year)
    graduated = sum(1 for r in rows if r["graduated_on"] and r["graduated_on"].year == year)
    left = sum(1 for r in rows if str(r["status"]) == "left")
    incubated = sum(1 for r in rows if str(r["status"]) == "incubated")
    section = Section("firms", w["title.firms"])
    table = Table("firms", [("key", w["head.item"]), ("n", w["head.firms"])])
    figures = {"joined": joined, "graduated": graduated, "left": left, "incubated": incubated}
    table.rows = [{"key": w[f"firms.{key}"], "n": n} for key, n in figures.items()]
    section.tables = [table]
    section.text.append(w["text.firms"].format(year=year, **figures))
    return section


async def _trends(year: int, w: Words, lang: str) -> Section:
    quarters = [f"{year}-Q{q}" for q in range(1, 5)]
    rows = (
        await IndicatorValue.filter(period__in=quarters, name__in=TREND_INDICATORS)
        .annotate(mean=Avg("value"))
        .group_by("period", "name")
        .values("period", "name", "mean")
    )
    means = {(r["period"], r["name"]): r["mean"] for r in rows}
    names = {i.name: i.name_en if lang == "en" else i.name_zh for i in INDICATORS}
    table = Table(
        "trends", [("period", w["head.quarter"])] + [(n, names[n]) for n in TREND_INDICATORS]
    )
    for quarter in quarters:
        table.rows.append(
            {"period": quarter} | {n: _round(means.get((quarter, n))) for n in TREND_INDICATORS}
        )
    section = Section("trends", w["title.trends"], tables=[table])
    known = [r for r in table.rows if r["window_satisfaction"] is not None]
    if known:
        first, last = known[0], known[-1]
        section.text.append(
            w["text.trends"].format(
                first=first["period"],
                first_value=first["window_satisfaction"],
                last=last["period"],
                last_value=last["window_satisfaction"],
            )
        )
    else:
        section.text.append(w["text.trends_none"].format(year=year))
    return section


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


async def _credit(year: int, w: Words) -> Section:
    low, high = day_bounds(date(year, 1, 1), date(year, 12, 31))
    runs = await RatingRun.filter(published_at__gte=low, published_at__lt=high).count()
    appeals = await Appeal.filter(filed_at__gte=low, filed_at__lt=high).values_list(
        "status", flat=True
    )
    waivers: Counter[str] = Counter(
        str(i)
        for i in await WaiverDecision.filter(decided_at__gte=low, decided_at__lt=high).values_list(
            "inspection", flat=True
        )
    )
    checks: Counter[str] = Counter(
        str(o or "open")
        for o in await SpotCheck.filter(drawn_at__gte=low, drawn_at__lt=high).values_list(
            "outcome", flat=True
        )
    )
    section = Section("credit", w["title.credit"])
    section.tables = [
        _count_table("appeals", "head.appeal", Counter(str(a) for a in appeals), w, "appeal"),
        _count_table("waivers", "head.inspection", waivers, w, "inspection"),
        _count_table("checks", "head.check", checks, w, "check"),
    ]
    decided, waived = sum(waivers.values()), waivers.get("waived", 0)
    failed, falsified = (
        checks.get("fail", 0) + checks.get("falsified", 0),
        checks.get("falsified", 0),
    )
    section.text.append(
        w["text.credit"].format(
            year=year,
            runs=runs,
            appeals=len(appeals),
            decided=decided,
            waived=waived,
            waived_share=pct(waived, decided),
            checks=sum(checks.values()),
            failed=failed,
            falsified=falsified,
        )
    )
    return section


async def _service(year: int, w: Words, lang: str) -> tuple[Section, dict[str, Any]]:
    scope = Scope(date(year, 1, 1), date(year, 12, 31))
    stats = await statistics.details(scope, None)
    s = stats.summary
    heads = [("month", w["head.month"]), ("tickets", w["head.tickets"]), ("cases", w["head.cases"])]
    months = Table("months", heads)
    for number in range(1, 13):
        days = [r for r in stats.tables["days"].rows if int(r["day"][5:7]) == number]
        months.rows.append(
            {
                "month": month(number, lang),
                "tickets": sum(r["tickets"] for r in days),
                "cases": sum(r["cases"] for r in days),
            }
        )
    section = Section("service", w["title.service"], tables=[months, stats.tables["points"]])
    section.text += _service_text(year, s, w)
    return section, s


def _service_text(year: int, s: dict[str, Any], w: Words) -> list[str]:
    def share(key: str) -> str:
        return "—" if s.get(key) is None else f"{100 * s[key]:.1f}%"

    return [
        w["text.service"].format(
            year=year,
            tickets=f"{s['tickets']:,}",
            cases=f"{s['cases']:,}",
            on_time=share("on_time_rate"),
            on_time_statutory=share("on_time_statutory_rate"),
            wait_p50=s["wait_minutes_p50"] or "—",
            wait_p90=s["wait_minutes_p90"] or "—",
            no_show=share("no_show_rate"),
        ),
        w["text.ratings"].format(
            evaluations=f"{s['evaluations']:,}",
            satisfaction=share("satisfaction_rate"),
            bad=s["bad_ratings"],
            rectification=share("rectification_rate"),
        ),
    ]


async def build(year: int, *, lang: str = "zh") -> AnnualReport:
    """Every section of the year's report, written in ``lang`` (``zh`` or ``en``)."""
    if not 2000 <= year <= beijing_date().year:
        from servicedesk.errors import InvalidInput

        raise InvalidInput(f"year must lie between 2000 and {beijing_date().year}")
    w = words(lang)
    service_section, summary = await _service(year, w, lang)
    sections = [
        await _incubators(year, w),
        await _firms(year, w),
        await _trends(year, w, lang),
        await _credit(year, w),
        service_section,
    ]
    return AnnualReport(year=year, sections=sections, summary=summary, lang=lang)
