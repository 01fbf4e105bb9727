"""Tables shown on the officials' dashboard and the incubator portal, and their CSV.

Each table is built once from the services and rendered either as HTML or as CSV,
so what an official or an operator exports is exactly what they saw.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from credit.incubator import INDICATORS
from kiosk_ui.display import TABLE_KINDS, indicator_header
from kiosk_ui.web import beijing_time, language, translator
from servicedesk.audit import service as audit
from servicedesk.catalogue import service as catalogue
from servicedesk.exemptions import recommendations, spotchecks
from servicedesk.exemptions import service as exemptions
from servicedesk.incubators import indicators
from servicedesk.incubators import service as incubators
from servicedesk.ratings import appeals
from servicedesk.ratings import service as ratings
from servicedesk.spreadsheet import inert

LABELS = {i.name: (i.name_zh, i.name_en) for i in INDICATORS}


def feature_label(name: str, lang: str) -> str:
    zh, en = LABELS.get(name, (name, name))
    return zh if lang == "zh" else en


@dataclass
class Table:
    """Rows of plain values; ``columns`` are (key, header) pairs with Chinese headers."""

    name: str
    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def kinds(self) -> dict[str, str]:
        return TABLE_KINDS.get(self.name, {})

    def csv(self, translate: Callable[[str], str]) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([translate(h) for _, h in self.columns])
        for row in self.rows:
            writer.writerow([spreadsheet_cell(row.get(k)) for k, _ in self.columns])
        return "\ufeff" + out.getvalue()  # a BOM so spreadsheet programs read UTF-8


def spreadsheet_cell(value: Any) -> str:
    """The cell as exported: text someone typed (a firm name, an appeal's reason) that a
    spreadsheet would run as a formula is prefixed with a quote; numbers stay numbers."""
    text = _plain(value)
    return inert(text) if isinstance(value, str | list) else text


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return beijing_time(value)
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1 else f"{value:.1f}"
    if isinstance(value, list):
        return "; ".join(str(v["detail"]) if isinstance(v, dict) else _plain(v) for v in value)
    if hasattr(value, "owed_materials"):  # an overdue case: what it owes, by when
        return f"{value.supplement_due} {', '.join(value.owed_materials)}"
    code = getattr(value, "code", None)  # a matter or service point: its code
    return str(code if code is not None else value)


def _reasons(reasons: Sequence[dict[str, Any]], lang: str) -> str:
    return "; ".join(f"{feature_label(r['feature'], lang)} -{r['points_lost']:g}" for r in reasons)


async def ratings_table(
    *,
    grade: str | None = None,
    district: str | None = None,
    level: str | None = None,
) -> Table:
    views = await ratings.list_with_ratings(grade=grade, district=district, level=level)
    table = Table(
        "ratings",
        [
            ("code", "代码"),
            ("name", "孵化器"),
            ("level", "级别"),
            ("district", "区"),
            ("grade", "等级"),
            ("score", "得分"),
            ("published_at", "发布时间"),
        ],
    )
    for v in views:
        r = v.rating
        table.rows.append(
            {
                "code": v.incubator.code,
                "name": v.incubator.name,
                "name_en": v.incubator.name_en,
                "level": v.incubator.level,
                "district": v.incubator.district,
                "grade": r.grade if r else None,
                "score": r.score if r else None,
                "published_at": r.published_at if r else None,
            }
        )
    return table


async def review_table(run_id: int | None, *, lang: str) -> Table:
    """The ratings of one run as its review page lists them (none without a run)."""
    table = Table(
        "review",
        [
            ("id", "编号"),
            ("incubator", "孵化器"),
            ("period", "期间"),
            ("score", "得分"),
            ("model_grade", "模型等级"),
            ("grade", "等级"),
            ("caps", "硬性规则"),
            ("reasons", "主要失分"),
            ("status", "状态"),
            ("reviewed_by", "审核人"),
            ("review_reason", "调整理由"),
            ("confirmed_by", "复核人"),
        ],
    )
    items = await ratings.run_ratings(run_id) if run_id else []
    for r in items:
        table.rows.append(
            {
                "id": r.id,
                "incubator": r.incubator.code,
                "period": r.run.period,
                "score": r.score,
                "model_grade": r.model_grade,
                "grade": r.grade,
                "caps": r.caps,
                "reasons": _reasons(r.reasons, lang),
                "status": r.status.value,
                "reviewed_by": r.reviewed_by,
                "review_reason": r.review_reason,
                "confirmed_by": r.confirmed_by,
            }
        )
    return table


async def grade_table() -> Table:
    table = Table(
        "grades",
        [
            ("grade", "等级"),
            ("n", "已抽查"),
            ("failed", "不合格"),
            ("observed", "实际不合格率"),
            ("predicted", "模型预测风险"),
        ],
    )
    table.rows = await spotchecks.grade_check()
    return table


async def spot_check_table() -> Table:
    table = Table(
        "spotchecks",
        [
            ("id", "编号"),
            ("case_no", "办件号"),
            ("incubator", "孵化器"),
            ("grade", "等级"),
            ("rate", "抽查比例"),
            ("draw_value", "抽签值"),
            ("outcome", "结果"),
            ("notes", "说明"),
            ("recorded_by", "记录人"),
        ],
    )
    for c in await spotchecks.recent():
        table.rows.append(
            {
                "id": c.id,
                "case_no": c.case_no,
                "incubator": c.incubator.code,
                "grade": c.grade,
                "rate": c.rate,
                "draw_value": c.draw_value,
                "outcome": c.outcome,
                "notes": c.notes,
                "recorded_by": c.recorded_by,
            }
        )
    return table


async def waiver_table() -> Table:
    table = Table(
        "waivers",
        [
            ("case_no", "办件号"),
            ("incubator", "推荐孵化器"),
            ("matter", "事项"),
            ("inspection", "核查决定"),
            ("grade", "评级"),
            ("policy_version", "政策版本"),
            ("decided_at", "决定时间"),
        ],
    )
    matters: dict[str, Any] = {}
    for d in await exemptions.recent_decisions():
        if d.recommendation_id is None:
            continue
        if d.matter_code not in matters:
            matters[d.matter_code] = await catalogue.get_matter(d.matter_code)
        table.rows.append(
            {
                "case_no": d.case_no,
                "incubator": d.incubator_code,
                "matter": matters[d.matter_code],
                "inspection": d.inspection,
                "grade": d.grade,
                "policy_version": d.policy_version,
                "decided_at": d.decided_at,
            }
        )
    return table


async def indicator_table(code: str) -> Table:
    rows = await indicators.history(await incubators.get(code))
    names = list(LABELS)
    headers = [(n, indicator_header(n, "zh")) for n in names]
    table = Table("indicators", [("period", "期间"), *headers])
    for period, values in rows[::-1]:
        table.rows.append({"period": period, **values})
    return table


async def recommendation_table(code: str) -> Table:
    table = Table(
        "recommendations",
        [
            ("id", "编号"),
            ("code", "推荐码"),
            ("firm", "企业"),
            ("uscc", "信用代码"),
            ("matter", "事项"),
            ("period", "期间"),
            ("valid_until", "有效期至"),
            ("status", "状态"),
            ("case_no", "办件号"),
        ],
    )
    for v in await recommendations.list_for(code):
        rec = v.recommendation
        table.rows.append(
            {
                "id": rec.id,
                "code": rec.code,
                "firm": rec.firm.name,
                "uscc": rec.firm.uscc,
                "matter": rec.matter,
                "period": rec.period,
                "valid_until": rec.valid_until,
                "status": v.status,
                "case_no": v.case_no,
            }
        )
    return table


async def history_table(code: str) -> Table:
    table = Table(
        "history",
        [
            ("period", "期间"),
            ("grade", "等级"),
            ("score", "得分"),
            ("model", "模型版本"),
            ("published_at", "发布时间"),
            ("status", "状态"),
        ],
    )
    for r in (await ratings.history(code))[::-1]:
        table.rows.append(
            {
                "period": r.run.period,
                "grade": r.grade,
                "score": r.score,
                "model": r.run.model_version,
                "published_at": r.published_at,
                "status": r.status.value,
            }
        )
    return table


async def appeal_table(code: str | None = None) -> Table:
    table = Table(
        "appeals",
        [
            ("id", "编号"),
            ("incubator", "孵化器"),
            ("grade", "申诉时等级"),
            ("reason", "申诉理由"),
            ("status", "状态"),
            ("new_grade", "更正等级"),
            ("outcome_note", "处理意见"),
            ("decided_by", "处理人"),
        ],
    )
    for a in await appeals.list_appeals(code=code):
        table.rows.append(
            {
                "id": a.id,
                "incubator": a.incubator.code,
                "grade": a.rating.grade,
                "reason": a.reason,
                "status": a.status,
                "new_grade": a.new_grade,
                "outcome_note": a.outcome_note,
                "decided_by": a.decided_by,
            }
        )
    return table


PER_INCUBATOR: dict[str, Callable[[str], Awaitable[Table]]] = {
    "indicators": indicator_table,
    "recommendations": recommendation_table,
    "history": history_table,
    "appeals": appeal_table,
}
"""The tables of one incubator, by export name."""


async def csv_response(table: Table, request: Request, *, actor: str) -> Response:
    """The table as a CSV download; who exported what is audited."""
    body = table.csv(translator(language(request)))
    await audit.record(
        "export.csv",
        actor=actor,
        entity="table",
        entity_id=table.name,
        after={"rows": len(table.rows)},
    )
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{table.name}.csv"'},
    )


def overdue_table(views: Sequence[Any]) -> Table:
    """Cases running late: red or yellow clocks, overdue supplements."""
    table = Table(
        "overdue",
        [
            ("case_no", "办件号"),
            ("service_point", "服务点"),
            ("matter", "事项"),
            ("firm", "企业"),
            ("status", "状态"),
            ("deadline", "办结期限"),
            ("warning", "预警"),
            ("supplement", "补齐逾期"),
        ],
    )
    for v in views:
        c = v.case
        table.rows.append(
            {
                "case_no": c.case_no,
                "service_point": c.service_point,
                "matter": c.matter,
                "firm": c.firm.name,
                "status": c.status.value,
                "deadline": v.clock.deadline,
                "warning": v.clock.warning,
                "supplement": c if c.supplement_overdue else None,
            }
        )
    return table
