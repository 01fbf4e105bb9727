"""One place where the service's codes become words, in the reader's language.

Templates never print a status, material, role, industry or actor code: they pass it
through the filters registered here (``|status``, ``|material(matter)``, ``|person`` …),
which read the translation catalogues (``kiosk_ui/locale``) and the objects' own names
(``name`` / ``name_en``). Staff appear by display name and role, never ``role:username``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from credit.incubator import INDICATORS
from servicedesk.timeutil import BEIJING

WINDOW_NO = re.compile(r"(\d+)\s*号窗口")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Actors that are not people: the system's own rules and kiosk devices.
MACHINE_ACTORS = {"system": "系统", "kiosk": "自助终端", "test": "系统"}


def _t(ctx: Context) -> Callable[[str], str]:
    gettext: Callable[[str], str] = ctx["_"]
    return gettext


def _en(ctx: Context) -> bool:
    return bool(ctx.get("lang") == "en")


def _code(value: Any) -> str:
    return str(value.value if isinstance(value, Enum) else value or "")


def keyed(ctx: Context, prefix: str, value: Any) -> str:
    """``prefix.value`` through the catalogue; an unknown value is shown as given."""
    code = _code(value)
    word = _t(ctx)(f"{prefix}.{code}")
    return code if word == f"{prefix}.{code}" else word


UNIT_ZH = {
    "count": "次",
    "%": "%",
    "per 100 firms": "人/百家",
    "firms": "家",
    "million CNY": "百万元",
}


def indicator_header(name: str, lang: str) -> str:
    """An indicator's name with its unit: 在孵企业数（家） / Firms incubated (firms)."""
    found = next((i for i in INDICATORS if i.name == name), None)
    if found is None:
        return name
    if lang == "en":
        return f"{found.name_en} ({found.unit})"
    return f"{found.name_zh}（{UNIT_ZH.get(found.unit, found.unit)}）"


def indicator_words() -> dict[str, str]:
    """English for the indicators' Chinese names, as tables and charts print them."""
    words = {i.name_zh: i.name_en for i in INDICATORS}
    words.update(
        {indicator_header(i.name, "zh"): indicator_header(i.name, "en") for i in INDICATORS}
    )
    return words


def _keyed_filter(prefix: str) -> Callable[[Context, Any], str]:
    """A filter giving the words for ``<prefix>.<code>`` in the page's language."""

    @pass_context
    def word(ctx: Context, value: Any) -> str:
        return keyed(ctx, prefix, value)

    return word


status = _keyed_filter("status")
inspection = _keyed_filter("inspection")
appointment = _keyed_filter("appointment")
industry = _keyed_filter("industry")


@pass_context
def industries(ctx: Context, values: Iterable[Any] | str | None) -> str:
    codes = values.replace(",", " ").split() if isinstance(values, str) else list(values or [])
    return _sep(ctx).join(keyed(ctx, "industry", c) for c in codes)


@pass_context
def role(ctx: Context, value: Any) -> str:
    code = _code(value)
    if code in MACHINE_ACTORS:
        return _t(ctx)(MACHINE_ACTORS[code])
    return _t(ctx)(code)


@pass_context
def person(ctx: Context, actor: str | None) -> str:
    """``official:official-li`` → "李处长 · 主管部门" ("李处长 · Official" in English)."""
    if not actor:
        return ""
    who, _colon, username = str(actor).partition(":")
    if who in MACHINE_ACTORS:
        return role(ctx, who)
    people: Mapping[str, str] = ctx.get("people") or {}
    if not username:  # a bare username, as some stored "…_by" columns hold
        username, who = who, ""
    name = people.get(username, "")
    label = role(ctx, who) if who else ""
    return " · ".join(part for part in (name, label) if part) or _t(ctx)("工作人员")


@pass_context
def name(ctx: Context, obj: Any) -> str:
    """An object's own name in the reader's language (``name_en`` when English)."""
    if obj is None:
        return ""

    def get(key: str) -> Any:
        return obj.get(key) if isinstance(obj, Mapping) else getattr(obj, key, None)

    english = get("name_en") if _en(ctx) else ""
    return str(english or get("name") or get("code") or "")


@pass_context
def window_name(ctx: Context, window: Any) -> str:
    """A window's display name: "1号窗口" reads "Window 1" in English."""
    if window is None:
        return ""
    given = str(getattr(window, "name", "") or getattr(window, "code", ""))
    numbered = WINDOW_NO.fullmatch(given)
    if _en(ctx) and numbered:
        return f"Window {numbered.group(1)}"
    return _t(ctx)(given)


def _sep(ctx: Context) -> str:
    return ", " if _en(ctx) else "、"


@pass_context
def material(ctx: Context, code: str, matter: Any) -> str:
    """A material's name, looked up by its code among the matter's materials."""
    for m in getattr(matter, "materials", None) or []:
        if m.code == code:
            return name(ctx, m)
    return _t(ctx)("其他材料")


@pass_context
def materials(ctx: Context, codes: Iterable[str], matter: Any) -> str:
    return _sep(ctx).join(material(ctx, c, matter) for c in codes)


@pass_context
def day(ctx: Context, value: date | datetime | str | None) -> str:
    """A date as the reader writes it: 2027-01-12 / 12 Jan 2027."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.astimezone(BEIJING).date()
    if _en(ctx):
        return f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    return value.isoformat()


def percent(value: float | None, digits: int = 0) -> str:
    """A share 0–1 as a percentage: 0.25 → "25%"."""
    if value is None:
        return "–"
    return f"{value * 100:.{digits}f}%"


@pass_context
def grade(ctx: Context, value: str | None) -> str:
    if not value:
        return _t(ctx)("未评级")
    return f"Grade {value}" if _en(ctx) else f"{value} 级"


@pass_context
def policy_version(ctx: Context, version: int | None) -> str:
    return f"policy version {version}" if _en(ctx) else f"政策第 {version} 版"


@pass_context
def step(ctx: Context, action: str, to_status: str) -> str:
    """One timeline step; an action and a state that say the same thing say it once."""
    done, state = keyed(ctx, "action", action), status(ctx, to_status)
    return state if done.casefold() == state.casefold() else f"{done} → {state}"


@pass_context
def said(ctx: Context, text: Any) -> Markup:
    """Free text a person wrote (a reason, a reply, a note) as written, never translated;
    on an English page Chinese text is marked as Chinese, so that a screen reader reads
    it as Chinese (WCAG 3.1.2, language of parts)."""
    value = "" if text is None else str(text)
    if _en(ctx) and CJK.search(value):
        return Markup('<span lang="zh-CN">{}</span>').format(value)
    return escape(value)


FILTERS: dict[str, Callable[..., str]] = {
    "said": said,
    "status": status,
    "inspection": inspection,
    "industry": industry,
    "appointment": appointment,
    "industries": industries,
    "role": role,
    "person": person,
    "name": name,
    "window_name": window_name,
    "material": material,
    "materials": materials,
    "day": day,
    "percent": percent,
    "grade": grade,
    "policy_version": policy_version,
}


# The first unmet waiver condition, in one public sentence (rules of exemptions.service).
RULE_ORDER = (
    "matter_waivable",
    "recommendation",
    "recommendation_valid",
    "incubation",
    "rating",
    "privilege",
)


@pass_context
def inspection_sentence(ctx: Context, case: Any, grade_value: str | None = None) -> str:
    """The inspection decision in one sentence, without draw values, seeds or row ids."""
    gettext = _t(ctx)
    value = _code(getattr(case, "inspection", None))
    if value in ("waived", "spot_check"):
        text = (
            "本事项免于实地核查：推荐孵化器信用等级 {grade}"
            if value == "waived"
            else "本事项被随机抽中实地核查（推荐孵化器信用等级 {grade}），工作人员将与您联系"
        )
        return gettext(text).format(grade=grade_value or "–")
    if value == "required":
        failed = {r.get("rule") for r in case.inspection_reasons or [] if not r.get("ok")}
        why = next((r for r in RULE_ORDER if r in failed), "")
        reason = keyed(ctx, "rule", why) if why else gettext("未满足免于核查的条件")
        return gettext("本事项需要实地核查：{why}").format(why=reason)
    return gettext("本事项无需实地核查") if value else ""


@pass_context
def owed_sentence(ctx: Context, case: Any) -> str:
    """What a case accepted with deficiency still owes, and by when."""
    owed = list(getattr(case, "owed_materials", None) or [])
    if not owed:
        return ""
    return _t(ctx)("请于 {due} 前补交：{items}").format(
        due=day(ctx, case.supplement_due), items=materials(ctx, owed, case.matter)
    )


@pass_context
def cap(ctx: Context, item: Mapping[str, Any]) -> str:
    """A hard rule that capped a grade: "报送期内有虚假报送（等级最高 D）"."""
    word = keyed(ctx, "cap", item.get("rule", ""))
    return _t(ctx)("{rule}（等级最高 {grade}）").format(rule=word, grade=item.get("grade", ""))


# How a page words each coded column of ``kiosk_ui.tables`` (by table, then column, as
# ``cell`` kinds); the CSV exports keep the codes, for machines.
TABLE_KINDS: dict[str, dict[str, str]] = {
    "ratings": {"level": "level", "district": "district", "grade": "grade"},
    "review": {
        "status": "rating",
        "reviewed_by": "person",
        "confirmed_by": "person",
        "caps": "caps",
    },
    "spotchecks": {"rate": "percent", "outcome": "outcome", "recorded_by": "person"},
    "waivers": {"inspection": "inspection", "policy_version": "policy", "matter": "name"},
    "grades": {"observed": "percent", "predicted": "percent"},
    "recommendations": {"status": "rec", "matter": "name"},
    "history": {"status": "rating"},
    "appeals": {"status": "appeal", "decided_by": "person", "reason": "said"},
    "overdue": {
        "status": "status",
        "warning": "warning",
        "matter": "name",
        "service_point": "name",
        "supplement": "owed",
    },
}

# Table columns whose codes read through a catalogue prefix (``kiosk_ui.tables.KINDS``).
PREFIXED = {
    "status": "status",
    "inspection": "inspection",
    "outcome": "outcome",
    "appeal": "appeal",
    "rating": "rating",
    "rec": "rec",
    "level": "level",
    "warning": "warning",
}


@pass_context
def cell(ctx: Context, value: Any, kind: str) -> str:
    """One table cell in words, by the column's kind."""
    if kind in PREFIXED:
        return keyed(ctx, PREFIXED[kind], value)
    words: dict[str, Callable[[], str]] = {
        "person": lambda: person(ctx, value),
        "percent": lambda: percent(value),
        "name": lambda: name(ctx, value),
        "district": lambda: _t(ctx)(str(value)),
        "grade": lambda: str(value),
        "policy": lambda: policy_version(ctx, value),
        "owed": lambda: owed_sentence(ctx, value),
        "caps": lambda: "; ".join(cap(ctx, c) for c in value),
        "said": lambda: said(ctx, value),
    }
    return words[kind]() if kind in words else str(value)


def install(env: Environment) -> None:
    """Register the filters (and ``step``) on the pages' Jinja environment."""
    env.filters.update(FILTERS, cap=cap)
    env.globals.update(
        step=step,
        inspection_sentence=inspection_sentence,
        owed_sentence=owed_sentence,
        cell=cell,
    )
