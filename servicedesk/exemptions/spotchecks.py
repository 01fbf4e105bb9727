"""Spot checks: a draw among waived cases that nobody can predict or re-roll, and what
inspections find.

The draw is ``HMAC-SHA256(key, "recommendation:<id>")`` read as a number in [0, 1) and
compared with the policy's rate for the incubator's grade. The key derives from the
server's secret, which no page shows, so a firm cannot know its draw in advance; it is
keyed by the recommendation, not the case number, so withdrawing and resubmitting with
the same recommendation draws the same number. The value is stored with the decision and
the check, for officials (never for the firm); whoever holds the server's secret can redo
any draw.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from tortoise.transactions import in_transaction

from servicedesk.audit import service as audit
from servicedesk.cases.models import Case, CaseStatus
from servicedesk.errors import Conflict, InvalidInput, NotFound
from servicedesk.exemptions.models import SpotCheck, WaiverDecision
from servicedesk.incubators import derived, indicators, periods
from servicedesk.incubators.models import CreditEvent, Incubator, Suspension
from servicedesk.ratings.models import Rating
from servicedesk.settings import get_settings
from servicedesk.timeutil import beijing_date, now, today

OUTCOMES = ("pass", "fail", "falsified")
DRAW_METHOD = "hmac-sha256:recommendation"  # stored where a seed used to be


def draw_key(secret_key: str | None = None) -> bytes:
    """The draw's key, derived from the server's secret (never shown, never stored)."""
    secret = secret_key if secret_key is not None else get_settings().secret_key
    return hmac.new(secret.encode(), b"spot-check-draw", hashlib.sha256).digest()


def draw_value(key: bytes, recommendation_id: int) -> float:
    """A uniform number in [0, 1) fixed by the key and the recommendation."""
    message = f"recommendation:{recommendation_id}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def is_drawn(key: bytes, recommendation_id: int, rate: float) -> bool:
    return draw_value(key, recommendation_id) < rate


def draw(key: bytes, recommendation_ids: Iterable[int], rate: float) -> list[int]:
    """The recommendations drawn for inspection at ``rate`` under ``key``."""
    return [r for r in recommendation_ids if is_drawn(key, r, rate)]


async def open_of_withdrawn(recommendation_id: int) -> SpotCheck | None:
    """An open spot check drawn for a case that was then withdrawn, with this
    recommendation: it carries over to the recommendation's next case."""
    decisions = WaiverDecision.filter(
        recommendation_id=recommendation_id, spot_check_id__isnull=False
    )
    for decision in await decisions.order_by("-id"):
        check = await SpotCheck.get_or_none(id=decision.spot_check_id, outcome__isnull=True)
        if check is not None and await Case.exists(
            case_no=check.case_no, status=CaseStatus.WITHDRAWN
        ):
            return check
    return None


async def carry_over(check: SpotCheck, *, to_case: str, actor: str) -> SpotCheck:
    """Move an open check to the case that replaces its withdrawn one (inside the
    acceptance transaction)."""
    before = check.case_no
    moved = await SpotCheck.filter(id=check.id, outcome__isnull=True, case_no=before).update(
        case_no=to_case
    )
    if not moved:
        raise Conflict(f"spot check {check.id} changed meanwhile; accept again")
    await audit.record(
        "spot_check.carry_over",
        actor=actor,
        entity="spot_check",
        entity_id=check.id,
        before={"case_no": before},
        after={"case_no": to_case},
    )
    check.case_no = to_case
    return check


async def create(
    *,
    case_no: str,
    incubator: Incubator,
    grade: str,
    rate: float,
    value: float,
    policy_version: int,
) -> SpotCheck:
    """Open a spot check for a drawn case (inside the acceptance transaction)."""
    check = await SpotCheck.create(
        case_no=case_no,
        incubator=incubator,
        grade=grade,
        rate=rate,
        draw_seed=DRAW_METHOD,
        draw_value=value,
        policy_version=policy_version,
        drawn_at=now(),
    )
    await audit.record(
        "spot_check.draw",
        actor="system",
        entity="spot_check",
        entity_id=check.id,
        after={"case_no": case_no, "rate": rate, "method": DRAW_METHOD, "value": value},
    )
    return check


async def get(check_id: int) -> SpotCheck:
    check = await SpotCheck.get_or_none(id=check_id).prefetch_related("incubator")
    if check is None:
        raise NotFound(f"spot check {check_id} does not exist")
    return check


async def record_result(check_id: int, *, outcome: str, notes: str, actor: str) -> SpotCheck:
    """Record what the inspection found, once; it feeds the incubator's indicators."""
    if outcome not in OUTCOMES:
        raise InvalidInput(
            f"outcome must be one of {', '.join(OUTCOMES)}", extra={"field": "outcome"}
        )
    if outcome != "pass" and not notes.strip():
        raise InvalidInput(
            "a failed check needs notes saying what was found", extra={"field": "notes"}
        )
    async with in_transaction():
        check = await get(check_id)
        done = await SpotCheck.filter(id=check_id, outcome__isnull=True).update(
            outcome=outcome, notes=notes.strip(), recorded_by=actor, recorded_at=now()
        )
        if not done:
            raise Conflict(f"spot check {check_id} already has the outcome {check.outcome}")
        period = periods.quarter_of(today())
        if outcome != "pass":
            await CreditEvent.create(
                incubator=check.incubator,
                period=period,
                kind="falsified" if outcome == "falsified" else "spot_check_fail",
                ref=check.case_no,
                notes=notes.strip(),
                recorded_by=actor,
                recorded_at=now(),
            )
        if outcome == "falsified":
            await _suspend(check, actor=actor, notes=notes.strip())
        await _refresh_pass_rate(check.incubator, period)
        await audit.record(
            "spot_check.result",
            actor=actor,
            entity="spot_check",
            entity_id=check_id,
            before={"outcome": None},
            after={"outcome": outcome, "notes": notes.strip()},
        )
    return await get(check_id)


async def _suspend(check: SpotCheck, *, actor: str, notes: str) -> None:
    incubator = check.incubator
    if await Suspension.exists(incubator=incubator, lifted_at__isnull=True):
        return
    row = await Suspension.create(
        incubator=incubator,
        spot_check_id=check.id,
        started_at=now(),
        started_by=actor,
        reason=f"spot check {check.id} of case {check.case_no} found falsified material: {notes}",
    )
    await audit.record(
        "recommendation.suspend",
        actor=actor,
        entity="incubator",
        entity_id=incubator.code,
        after={"suspension": row.id, "spot_check": check.id},
    )


async def _refresh_pass_rate(incubator: Incubator, period: str) -> None:
    """The recommendation-quality indicator: share of its checks passed this period."""
    results = [
        c.outcome
        for c in await SpotCheck.filter(incubator=incubator, outcome__isnull=False)
        if c.recorded_at is not None and periods.contains(period, beijing_date(c.recorded_at))
    ]
    rate = 100.0 * results.count("pass") / len(results) if results else None
    await indicators.set_derived(
        incubator, period, "spot_check_pass_rate", None if rate is None else round(rate, 1)
    )


async def pass_rate(incubator: Incubator, span: derived.Span) -> derived.Derived:
    """The derived spot-check pass rate: share of its recommended firms' checks passed
    in the span; missing (not zero) when none was checked."""
    results = [
        c.outcome
        for c in await SpotCheck.filter(incubator=incubator, outcome__isnull=False)
        if c.recorded_at is not None and span.start <= beijing_date(c.recorded_at) <= span.end
    ]
    if not results:
        return derived.Derived(
            None, f"no spot check of its firms between {span.start} and {span.end}"
        )
    passed = results.count("pass")
    return derived.Derived(
        round(100.0 * passed / len(results), 1),
        f"{passed} of {len(results)} spot checks passed, {span.start}–{span.end}",
    )


async def open_checks() -> list[SpotCheck]:
    return (
        await SpotCheck.filter(outcome__isnull=True)
        .prefetch_related("incubator")
        .order_by("drawn_at")
    )


async def recent(limit: int = 200) -> list[SpotCheck]:
    return await SpotCheck.all().prefetch_related("incubator").order_by("-drawn_at").limit(limit)


async def waiver_stats() -> dict[str, int]:
    """How many accepted cases were waived, drawn, required or had no inspection."""
    counts: dict[str, int] = defaultdict(int)
    for decision in await WaiverDecision.all().only("inspection"):
        counts[decision.inspection] += 1
    for check in await SpotCheck.all().only("outcome"):
        counts[f"check_{check.outcome or 'open'}"] += 1
    return dict(counts)


async def grade_check() -> list[dict[str, Any]]:
    """Per grade: spot checks done, failures observed, and the failure rate predicted."""
    predicted: dict[int, float | None] = {}
    decisions = {
        d.spot_check_id: d for d in await WaiverDecision.filter(spot_check_id__isnull=False)
    }
    rating_ids = [d.rating_id for d in decisions.values() if d.rating_id]
    for rating in await Rating.filter(id__in=rating_ids).only("id", "predicted_bad"):
        predicted[rating.id] = rating.predicted_bad
    rows: dict[str, dict[str, Any]] = {}
    for check in await SpotCheck.filter(outcome__isnull=False):
        row = rows.setdefault(
            check.grade,
            {"grade": check.grade, "n": 0, "failed": 0, "predicted_sum": 0.0, "predicted_n": 0},
        )
        row["n"] += 1
        row["failed"] += int(check.outcome != "pass")
        decision = decisions.get(check.id)
        p = predicted.get(decision.rating_id) if decision and decision.rating_id else None
        if p is not None:
            row["predicted_sum"] += p
            row["predicted_n"] += 1
    return [_grade_row(rows[g]) for g in sorted(rows)]


def _grade_row(row: dict[str, Any]) -> dict[str, Any]:
    predicted = row["predicted_sum"] / row["predicted_n"] if row["predicted_n"] else None
    return {
        "grade": row["grade"],
        "n": row["n"],
        "failed": row["failed"],
        "observed": row["failed"] / row["n"] if row["n"] else None,
        "predicted": predicted,
    }
