"""The breakdown tables of the statistics page, each from a few grouped aggregates."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from servicedesk.statistics import queries, times
from servicedesk.statistics.figures import Table, minutes, rate
from servicedesk.statistics.queries import Rows, Scope
from servicedesk.timeutil import today

TIME_COLUMNS = [
    ("wait_p50", "等候时间中位数（分钟）"),
    ("wait_p90", "等候时间90%分位（分钟）"),
    ("service_p50", "办理时间中位数（分钟）"),
    ("service_p90", "办理时间90%分位（分钟）"),
]


def _times(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "wait_p50": minutes(row.get("wait_s_p50")),
        "wait_p90": minutes(row.get("wait_s_p90")),
        "service_p50": minutes(row.get("service_s_p50")),
        "service_p90": minutes(row.get("service_s_p90")),
    }


def _satisfaction(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "evaluations": int(row.get("evaluations") or 0),
        "satisfaction_rate": rate(int(row.get("good") or 0), int(row.get("evaluations") or 0)),
    }


def _points(labels: dict[Any, str], parts: dict[str, Rows]) -> Table:
    tickets, times, cases = parts["tickets"], parts["times"], parts["cases"]
    decided, rated, follow_ups = parts["decided"], parts["rated"], parts["follow"]
    keys = sorted(set(tickets) | set(cases) | set(rated), key=lambda k: labels.get(k, ""))
    table = Table(
        "points",
        [
            ("point", "服务点"),
            ("tickets", "取号量"),
            ("cases", "办件量"),
            ("no_show_rate", "过号率"),
            *TIME_COLUMNS,
            ("on_time_rate", "按承诺时限办结率"),
            ("evaluations", "评价数"),
            ("satisfaction_rate", "满意率"),
            ("rectification_rate", "差评整改率"),
        ],
    )
    for key in keys:
        t, c, d = tickets.get(key, {}), cases.get(key, {}), decided.get(key, {})
        follow = follow_ups.get(key, {})
        opened = int(follow.get("opened") or 0) - int(follow.get("explained") or 0)
        table.rows.append(
            {
                "point": labels.get(key, str(key)),
                "tickets": int(t.get("tickets") or 0),
                "cases": int(c.get("cases") or 0),
                "no_show_rate": rate(int(t.get("no_shows") or 0), int(t.get("called") or 0)),
                **_times(times.get(key, {})),
                "on_time_rate": rate(int(d.get("on_time") or 0), int(d.get("decided") or 0)),
                **_satisfaction(rated.get(key, {})),
                "rectification_rate": rate(int(follow.get("rectified") or 0), opened),
            }
        )
    return table


def _people(name: str, heading: str, labels: dict[Any, str], times: Rows, rated: Rows) -> Table:
    table = Table(
        f"{name}s",
        [
            (name, heading),
            ("served", "办结数"),
            *TIME_COLUMNS,
            ("evaluations", "评价数"),
            ("satisfaction_rate", "满意率"),
        ],
    )
    for key in sorted((k for k in times if k is not None), key=lambda k: labels.get(k, "")):
        table.rows.append(
            {
                name: labels.get(key, str(key)),
                "served": int(times[key].get("service_s_n") or 0),
                **_times(times[key]),
                **_satisfaction(rated.get(key, {})),
            }
        )
    return table


def _cases(labels: dict[Any, str], cases: Rows, decided: Rows) -> Table:
    table = Table(
        "cases",
        [
            ("point", "服务点"),
            ("cases", "收件数"),
            ("acceptance_rate", "受理率"),
            ("return_rate", "一次性告知（退回补正）率"),
            ("deficiency_rate", "容缺受理率"),
            ("decided", "办结数"),
            ("on_time_rate", "按承诺时限办结率"),
            ("on_time_statutory_rate", "按法定时限办结率"),
        ],
    )
    for key in sorted(set(cases) | set(decided), key=lambda k: labels.get(k, "")):
        c, d = cases.get(key, {}), decided.get(key, {})
        received, accepted = int(c.get("cases") or 0), int(c.get("accepted") or 0)
        done = int(d.get("decided") or 0)
        table.rows.append(
            {
                "point": labels.get(key, str(key)),
                "cases": received,
                "acceptance_rate": rate(accepted, received),
                "return_rate": rate(int(c.get("returned") or 0), received),
                "deficiency_rate": rate(int(c.get("deficient") or 0), accepted),
                "decided": done,
                "on_time_rate": rate(int(d.get("on_time") or 0), done),
                "on_time_statutory_rate": rate(int(d.get("on_time_statutory") or 0), done),
            }
        )
    return table


def _series(scope: Scope, tickets: Rows, cases: Rows) -> Table:
    """Every day of the range, days without any service included."""
    table = Table("days", [("day", "日期"), ("tickets", "取号量"), ("cases", "办件量")])
    for offset in range(scope.days):
        day = (scope.start + timedelta(days=offset)).isoformat()
        table.rows.append(
            {
                "day": day,
                "tickets": int(tickets.get(day, {}).get("tickets") or 0),
                "cases": int(cases.get(day, {}).get("cases") or 0),
            }
        )
    return table


def _counts(name: str, heading: str, rows: Rows, names: dict[str, str]) -> Table:
    table = Table(name, [("outcome", heading), ("n", "数量")])
    for key, label in names.items():
        table.rows.append({"outcome": label, "n": int(rows.get(key, {}).get("n") or 0)})
    return table


def _matters(labels: dict[Any, str], tickets: Rows, cases: Rows) -> Table:
    table = Table("matters", [("matter", "事项"), ("tickets", "取号量"), ("cases", "办件量")])
    for key in sorted(set(tickets) | set(cases), key=lambda k: str(labels.get(k, ""))):
        table.rows.append(
            {
                "matter": labels.get(key, "—"),
                "tickets": int(tickets.get(key, {}).get("tickets") or 0),
                "cases": int(cases.get(key, {}).get("cases") or 0),
            }
        )
    return table


def _hours(tickets: Rows) -> Table:
    """Numbers taken per hour of the day: office hours always, others when used."""
    table = Table("hours", [("hour", "时段"), ("tickets", "取号量")])
    for hour in range(24):
        count = int(tickets.get(hour, {}).get("tickets") or 0)
        if count or 8 <= hour <= 17:
            table.rows.append({"hour": f"{hour:02d}:00", "tickets": count})
    return table


WAIVER_NAMES = {
    "waived": "免于实地核查",
    "spot_check": "免核查但抽中核查",
    "required": "需实地核查",
    "not_applicable": "不适用",
}
CHECK_NAMES = {"pass": "合格", "fail": "不合格", "falsified": "材料造假", "open": "待核查"}


async def build(scope: Scope, labels: dict[str, dict[Any, str]]) -> dict[str, Table]:
    names = (
        "tickets", "times", "cases", "decided", "rated", "follow", "matter_t", "matter_c",
        "day_t", "day_c", "hour_t", "window_times", "window_rated", "clerk_times",
        "clerk_rated", "waivers", "checks",
    )  # fmt: skip
    results = await asyncio.gather(
        queries.tickets_by(scope, "point"),
        times.times_by(scope, "point"),
        queries.cases_by(scope, "point"),
        queries.decisions_by_point(scope),
        queries.evaluations_by(scope, "point"),
        queries.follow_ups_by_point(scope, today=today()),
        queries.tickets_by(scope, "matter"),
        queries.cases_by(scope, "matter"),
        queries.tickets_by(scope, "day"),
        queries.cases_by(scope, "day"),
        queries.tickets_by(scope, "hour"),
        times.times_by(scope, "window"),
        queries.evaluations_by(scope, "window"),
        times.times_by(scope, "clerk"),
        queries.evaluations_by(scope, "clerk"),
        queries.waivers(scope),
        queries.spot_checks(scope),
    )
    r = dict(zip(names, results, strict=True))
    tables = [
        _points(labels["point"], r),
        _matters(labels["matter"], r["matter_t"], r["matter_c"]),
        _series(scope, r["day_t"], r["day_c"]),
        _hours(r["hour_t"]),
        _people("window", "窗口", labels["window"], r["window_times"], r["window_rated"]),
        _people("clerk", "工作人员", labels["clerk"], r["clerk_times"], r["clerk_rated"]),
        _cases(labels["point"], r["cases"], r["decided"]),
        _counts("waivers", "核查决定", r["waivers"], WAIVER_NAMES),
        _counts("spot_checks", "抽查结果", r["checks"], CHECK_NAMES),
    ]
    return {t.name: t for t in tables}
