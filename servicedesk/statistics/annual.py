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
from servicedesk.statistics.figures import Table
from servicedesk.statistics.queries import Scope
from servicedesk.statistics.sql import day_bounds
from servicedesk.timeutil import beijing_date

TREND_INDICATORS = ("window_satisfaction", "graduation_rate", "spot_check_pass_rate")
LEVEL_NAMES = {"national": "国家级", "municipal": "市级", "district": "区级"}


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


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def _count_table(
    name: str, heading: str, counts: Counter[str], names: dict[str, str], *, by_key: bool = False
) -> Table:
    """Counts, largest first (or in key order: grades A to D)."""
    table = Table(name, [("key", heading), ("n", "数量")])
    order = (
        sorted(counts.items()) if by_key else sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    for key, n in order:
        table.rows.append({"key": names.get(key, key), "n": n})
    return table


async def _incubators(year: int) -> Section:
    views = await ratings.list_with_ratings()
    grades = Counter(v.rating.grade if v.rating else "未评级" for v in views)
    section = Section("incubators", "一、孵化器概况")
    section.tables = [
        _count_table("grades", "信用等级", grades, {}, by_key=True),
        _count_table("districts", "所在区", Counter(v.incubator.district for v in views), {}),
        _count_table("levels", "级别", Counter(v.incubator.level for v in views), LEVEL_NAMES),
        _count_table("kinds", "类型", Counter(v.incubator.kind for v in views), {}),
    ]
    total = len(views)
    top = ", ".join(f"{g}级{grades.get(g, 0)}家" for g in "ABCD")
    section.text.append(
        f"截至{year}年末，纳入监测的孵化器共{total}家；已发布信用等级中{top}，"
        f"A级占{pct(grades.get('A', 0), total)}。"
    )
    return section


async def _firms(year: int) -> Section:
    rows = await Incubation.all().values("status", "since", "graduated_on")
    joined = sum(1 for r in rows if r["since"] and r["since"].year == year)
    graduated = sum(1 for r in rows if r["graduated_on"] and r["graduated_on"].year == year)
    left = sum(1 for r in rows if str(r["status"]) == "left")
    incubated = sum(1 for r in rows if str(r["status"]) == "incubated")
    section = Section("firms", "二、在孵企业")
    table = Table("firms", [("key", "项目"), ("n", "企业数")])
    table.rows = [
        {"key": "本年新入孵", "n": joined},
        {"key": "本年毕业", "n": graduated},
        {"key": "离孵（累计）", "n": left},
        {"key": "年末在孵", "n": incubated},
    ]
    section.tables = [table]
    section.text.append(
        f"{year}年新入孵企业{joined}家，毕业{graduated}家，离孵{left}家；年末在孵企业{incubated}家。"
    )
    return section


async def _trends(year: int) -> Section:
    quarters = [f"{year}-Q{q}" for q in range(1, 5)]
    rows = (
        await IndicatorValue.filter(period__in=quarters, name__in=TREND_INDICATORS)
        .annotate(mean=Avg("value"))
        .group_by("period", "name")
        .values("period", "name", "mean")
    )
    means = {(r["period"], r["name"]): r["mean"] for r in rows}
    names = {i.name: i.name_zh for i in INDICATORS}
    table = Table("trends", [("period", "季度")] + [(n, names[n]) for n in TREND_INDICATORS])
    for quarter in quarters:
        table.rows.append(
            {"period": quarter} | {n: _round(means.get((quarter, n))) for n in TREND_INDICATORS}
        )
    section = Section("trends", "三、指标趋势", tables=[table])
    known = [r for r in table.rows if r["window_satisfaction"] is not None]
    if known:
        first, last = known[0], known[-1]
        section.text.append(
            f"服务窗口满意率（各孵化器平均）由{first['period']}的{first['window_satisfaction']}%"
            f"变为{last['period']}的{last['window_satisfaction']}%。"
        )
    else:
        section.text.append(f"{year}年尚无按季度的服务窗口满意率数据。")
    return section


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


async def _credit(year: int) -> Section:
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
    section = Section("credit", "四、信用评级、申诉、免核查与抽查")
    section.tables = [
        _count_table("appeals", "申诉状态", Counter(str(a) for a in appeals), {}),
        _count_table("waivers", "核查决定", waivers, _WAIVERS),
        _count_table("checks", "抽查结果", checks, _CHECKS),
    ]
    decided, waived = sum(waivers.values()), waivers.get("waived", 0)
    failed, falsified = (
        checks.get("fail", 0) + checks.get("falsified", 0),
        checks.get("falsified", 0),
    )
    section.text.append(
        f"{year}年发布评级{runs}批次，收到申诉{len(appeals)}件。"
        f"受理时作出核查决定{decided}件，其中免于实地核查{waived}件（{pct(waived, decided)}）；"
        f"抽查{sum(checks.values())}件，不合格{failed}件，其中材料造假{falsified}件。"
    )
    return section


_WAIVERS = {"waived": "免于实地核查", "spot_check": "抽中核查", "required": "需实地核查",
            "not_applicable": "不适用"}  # fmt: skip
_CHECKS = {"pass": "合格", "fail": "不合格", "falsified": "材料造假", "open": "待核查"}


async def _service(year: int) -> tuple[Section, dict[str, Any]]:
    scope = Scope(date(year, 1, 1), date(year, 12, 31))
    stats = await statistics.details(scope, None)
    s = stats.summary
    months = Table("months", [("month", "月份"), ("tickets", "取号量"), ("cases", "办件量")])
    for month in range(1, 13):
        days = [r for r in stats.tables["days"].rows if int(r["day"][5:7]) == month]
        months.rows.append(
            {
                "month": f"{month}月",
                "tickets": sum(r["tickets"] for r in days),
                "cases": sum(r["cases"] for r in days),
            }
        )
    section = Section("service", "五、窗口服务", tables=[months, stats.tables["points"]])

    def share(key: str) -> str:
        return "—" if s.get(key) is None else f"{100 * s[key]:.1f}%"

    section.text.append(
        f"{year}年各服务窗口共取号{s['tickets']:,}次、收件{s['cases']:,}件；按承诺时限办结率"
        f"{share('on_time_rate')}，按法定时限办结率{share('on_time_statutory_rate')}。"
        f"等候时间中位数{s['wait_minutes_p50'] or '—'}分钟，"
        f"90%的企业在{s['wait_minutes_p90'] or '—'}分钟内被叫号；过号率{share('no_show_rate')}。"
    )
    section.text.append(
        f"企业共评价{s['evaluations']:,}次，满意率{share('satisfaction_rate')}；差评{s['bad_ratings']}"
        f"次，差评整改率{share('rectification_rate')}。"
    )
    return section, s


async def build(year: int) -> AnnualReport:
    """Every section of the year's report."""
    if not 2000 <= year <= beijing_date().year:
        from servicedesk.errors import InvalidInput

        raise InvalidInput(f"year must lie between 2000 and {beijing_date().year}")
    service_section, summary = await _service(year)
    sections = [
        await _incubators(year),
        await _firms(year),
        await _trends(year),
        await _credit(year),
        service_section,
    ]
    return AnnualReport(year=year, sections=sections, summary=summary)
