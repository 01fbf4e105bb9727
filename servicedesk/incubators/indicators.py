"""Periodic indicators: reported by the incubator (form or CSV) or derived from records.

An upload is validated whole: every bad row is named and nothing is stored unless
every row is good.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd
from tortoise.transactions import in_transaction

from credit.incubator import INDICATOR_NAMES, INDICATORS
from servicedesk.audit import service as audit
from servicedesk.errors import InvalidInput
from servicedesk.incubators import periods
from servicedesk.incubators.models import CreditEvent, Incubator, IndicatorValue
from servicedesk.timeutil import now, today

REPORTED = tuple(i.name for i in INDICATORS if i.source == "reported")
PERCENT = {i.name for i in INDICATORS if i.unit == "%"}
MAX_ROWS = 500


@dataclass(frozen=True)
class RowError:
    row: int
    problem: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "problem": self.problem}


def _number(name: str, raw: str) -> tuple[float | None, str | None]:
    text = raw.strip()
    if text == "":
        return None, None
    try:
        value = float(text)
    except ValueError:
        return None, f"{name} {raw!r} is not a number"
    if not math.isfinite(value) or value < 0:
        return None, f"{name} must be a number of at least 0, got {raw!r}"
    if name in PERCENT and value > 100:
        return None, f"{name} is a percentage and may not exceed 100, got {raw!r}"
    return value, None


def _check_row(
    number: int, row: dict[str, str], allowed: tuple[str, ...]
) -> tuple[str, dict[str, float | None], list[RowError]]:
    errors: list[RowError] = []
    period = (row.get("period") or "").strip()
    try:
        periods.check(period)
        if periods.sort_key(period) > periods.sort_key(periods.quarter_of(today())):
            errors.append(RowError(number, f"period {period} lies in the future"))
    except InvalidInput:
        errors.append(RowError(number, f"period {period!r} is not a year or a quarter (2026-Q3)"))
    values: dict[str, float | None] = {}
    for name in allowed:
        value, problem = _number(name, row.get(name) or "")
        if problem:
            errors.append(RowError(number, problem))
        values[name] = value
    if not errors and all(v is None for v in values.values()):
        errors.append(RowError(number, "no indicator value given"))
    return period, values, errors


def validate(
    rows: list[dict[str, str]], *, allowed: tuple[str, ...] = REPORTED, first_row: int = 2
) -> dict[str, dict[str, float | None]]:
    """Rows keyed by period, or :class:`InvalidInput` listing every bad row."""
    if not rows:
        raise InvalidInput("no rows to import", extra={"rows": []})
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"at most {MAX_ROWS} rows per upload", extra={"rows": []})
    errors: list[RowError] = []
    clean: dict[str, dict[str, float | None]] = {}
    for offset, row in enumerate(rows):
        period, values, problems = _check_row(first_row + offset, row, allowed)
        if not problems and period in clean:
            problems.append(RowError(first_row + offset, f"period {period} appears twice"))
        errors.extend(problems)
        clean[period] = values
    if errors:
        listing = "; ".join(f"row {e.row}: {e.problem}" for e in errors)
        raise InvalidInput(
            f"nothing imported, {len(errors)} problem(s): {listing}",
            extra={"rows": [e.as_dict() for e in errors]},
        )
    return clean


def parse_csv(text: str, *, allowed: tuple[str, ...] = REPORTED) -> list[dict[str, str]]:
    """CSV rows as dicts; the header must be ``period`` and known indicator names."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    if "period" not in header:
        raise InvalidInput("the CSV header needs a 'period' column", extra={"rows": []})
    unknown = [h for h in header if h != "period" and h not in allowed]
    if unknown:
        raise InvalidInput(
            f"unknown column(s) {', '.join(unknown)}; allowed: period, {', '.join(allowed)}",
            extra={"rows": []},
        )
    rows: list[dict[str, str]] = []
    for raw in reader:
        rows.append({(k or "").strip(): (v or "") for k, v in raw.items() if k})
    return rows


async def record(
    incubator: Incubator,
    rows: dict[str, dict[str, float | None]],
    *,
    actor: str,
    source: str = "reported",
) -> int:
    """Upsert validated rows in one transaction; returns how many values were stored."""
    stored = 0
    async with in_transaction():
        for period, values in rows.items():
            for name, value in values.items():
                if value is None:
                    continue
                await _upsert(incubator, period, name, value, source=source, actor=actor)
                stored += 1
        await audit.record(
            "indicators.report",
            actor=actor,
            entity="incubator",
            entity_id=incubator.code,
            after={"source": source, "rows": rows},
        )
    return stored


async def _upsert(
    incubator: Incubator, period: str, name: str, value: float | None, *, source: str, actor: str
) -> None:
    await IndicatorValue.update_or_create(
        defaults={"value": value, "source": source, "recorded_by": actor, "recorded_at": now()},
        incubator=incubator,
        period=period,
        name=name,
    )


async def import_csv(incubator: Incubator, text: str, *, actor: str) -> int:
    return await record(incubator, validate(parse_csv(text)), actor=actor)


async def history(incubator: Incubator) -> list[tuple[str, dict[str, float | None]]]:
    """Every period with its indicator values, oldest first."""
    table: dict[str, dict[str, float | None]] = defaultdict(dict)
    for row in await IndicatorValue.filter(incubator=incubator):
        table[row.period][row.name] = row.value
    return sorted(table.items(), key=lambda item: periods.sort_key(item[0]))


async def set_derived(incubator: Incubator, period: str, name: str, value: float | None) -> None:
    await _upsert(incubator, period, name, value, source="derived", actor="system")


class Deriver(Protocol):
    """Computes one derived indicator of an incubator for a period; None when missing."""

    async def __call__(self, incubator: Incubator, period: str, /) -> float | None: ...


# Derived indicators whose records live in domains above this one (ratings given at
# service windows); the composition root installs them (servicedesk.wiring).
_derivers: dict[str, Deriver] = {}


def install_derivers(derivers: dict[str, Deriver]) -> None:
    _derivers.clear()
    _derivers.update(derivers)


async def refresh_derived(incubators: list[Incubator], period: str) -> None:
    """Recompute the installed derived indicators for ``period`` before a rating run.

    A missing value is not stored, so an older period's value is carried forward as
    for any indicator (see :func:`feature_frame`) and missing never turns into zero.
    """
    for incubator in incubators:
        for name, derive in _derivers.items():
            value = await derive(incubator, period)
            if value is not None:
                await set_derived(incubator, period, name, value)


async def feature_frame(
    incubators: list[Incubator], period: str
) -> tuple[pd.DataFrame, dict[int, str]]:
    """One row per incubator: each indicator's latest value up to ``period``.

    A period may hold only some indicators (a spot-check result updates the quality
    indicator of the running quarter before anything is reported for it), so each
    indicator is carried forward from its latest period, at most a year back.
    Returns the frame (index: incubator id) and the latest period used per incubator;
    incubators without any indicator in that year are left out.
    """
    limit = _ordinal(period)
    latest: dict[int, dict[str, tuple[int, str, float | None]]] = defaultdict(dict)
    ids = [i.id for i in incubators]
    for row in await IndicatorValue.filter(incubator_id__in=ids):
        at = _ordinal(row.period)
        if not limit - LOOKBACK_QUARTERS < at <= limit:
            continue
        seen = latest[row.incubator_id].get(row.name)
        if seen is None or seen[0] < at:
            latest[row.incubator_id][row.name] = (at, row.period, row.value)
    records: dict[int, dict[str, float]] = {}
    used: dict[int, str] = {}
    for incubator_id, values in latest.items():
        used[incubator_id] = max((v[0], v[1]) for v in values.values())[1]
        records[incubator_id] = {
            n: _nan(values[n][2]) if n in values else math.nan for n in INDICATOR_NAMES
        }
    frame = pd.DataFrame.from_dict(records, orient="index", columns=list(INDICATOR_NAMES))
    return frame.astype("float64"), used


LOOKBACK_QUARTERS = 4


def _ordinal(period: str) -> int:
    """Quarters since year 0 at the end of the period (a year ends with its Q4)."""
    year, quarter, _ = periods.sort_key(period)
    return year * 4 + quarter


def _nan(value: float | None) -> float:
    return math.nan if value is None else float(value)


async def training_frame() -> tuple[pd.DataFrame, pd.Series, list[str]]:
    """Every incubator-period whose next period is over, labelled by serious events in it.

    ``bad`` is 1 when a serious credit event (failed or falsified spot check, violation,
    false report) was recorded against the incubator in the following period.
    """
    current = periods.sort_key(periods.quarter_of(today()))
    table: dict[tuple[int, str], dict[str, float]] = defaultdict(dict)
    for row in await IndicatorValue.all():
        table[(row.incubator_id, row.period)][row.name] = _nan(row.value)
    events = {(e.incubator_id, e.period) for e in await CreditEvent.filter(serious=True)}
    keys = sorted(
        (k for k in table if periods.sort_key(periods.next_period(k[1])) < current),
        key=lambda k: (periods.sort_key(k[1]), k[0]),
    )
    rows = [{n: table[k].get(n, math.nan) for n in INDICATOR_NAMES} for k in keys]
    frame = pd.DataFrame(rows, columns=list(INDICATOR_NAMES)).astype("float64")
    target = pd.Series(
        [int((k[0], periods.next_period(k[1])) in events) for k in keys], name="bad", dtype="int64"
    )
    return frame, target, [k[1] for k in keys]
