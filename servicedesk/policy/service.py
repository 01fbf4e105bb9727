"""The waiver policy: versioned settings, a change is always a new version."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from servicedesk.audit import service as audit
from servicedesk.catalogue.models import Matter
from servicedesk.errors import Conflict, InvalidInput
from servicedesk.policy.models import Policy
from servicedesk.timeutil import now

GRADES = ("A", "B", "C", "D")
DEFAULT_RATES = {"A": 0.05, "B": 0.20, "C": 0.60, "D": 1.0}


@dataclass(frozen=True)
class PolicyView:
    """The policy in force; version 0 is the built-in default before any is saved."""

    version: int
    waiver_grades: list[str]
    spot_check_rates: dict[str, float]
    quota_per_period: int
    waivable_matters: list[str]
    graduate_window_days: int = 365
    recommendation_valid_days: int = 90
    draw_seed: str = "default-policy-0"
    note: str = ""
    created_by: str = "system"
    created_at: datetime | None = None

    def rate_for(self, grade: str) -> float:
        return float(self.spot_check_rates.get(grade, 1.0))


def _view(row: Policy) -> PolicyView:
    return PolicyView(
        version=row.version,
        waiver_grades=list(row.waiver_grades),
        spot_check_rates=dict(row.spot_check_rates),
        quota_per_period=row.quota_per_period,
        waivable_matters=list(row.waivable_matters),
        graduate_window_days=row.graduate_window_days,
        recommendation_valid_days=row.recommendation_valid_days,
        draw_seed=row.draw_seed,
        note=row.note,
        created_by=row.created_by,
        created_at=row.created_at,
    )


async def current() -> PolicyView:
    """The newest saved version, else the built-in default (waive grade A, check 5 %)."""
    row = await Policy.all().order_by("-version").first()
    if row is not None:
        return _view(row)
    waivable = (
        await Matter.filter(inspection_waivable=True)
        .order_by("code")
        .values_list("code", flat=True)
    )
    return PolicyView(
        version=0,
        waiver_grades=["A"],
        spot_check_rates=dict(DEFAULT_RATES),
        quota_per_period=20,
        waivable_matters=[str(c) for c in waivable],
    )


async def history() -> list[PolicyView]:
    return [_view(p) for p in await Policy.all().order_by("-version")]


async def _check_matters(codes: list[str]) -> list[str]:
    codes = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    rows = {m.code: m for m in await Matter.filter(code__in=codes)}
    unknown = [c for c in codes if c not in rows]
    if unknown:
        raise InvalidInput(
            f"waivable_matters: unknown matter(s) {', '.join(unknown)}",
            extra={"field": "waivable_matters"},
        )
    barred = [c for c in codes if not rows[c].inspection_waivable]
    if barred:
        raise InvalidInput(
            f"waivable_matters: the catalogue does not allow waiving inspection for "
            f"{', '.join(barred)}",
            extra={"field": "waivable_matters"},
        )
    return codes


def _check_grades(
    waiver_grades: list[str], rates: dict[str, float]
) -> tuple[list[str], dict[str, float]]:
    """The waiver grades in grade order and a rate for every grade, or InvalidInput."""
    bad = sorted({*waiver_grades, *rates} - set(GRADES))
    if bad:
        raise InvalidInput(
            f"grades must be A, B, C or D, not {', '.join(bad)}", extra={"field": "waiver_grades"}
        )
    out = {**DEFAULT_RATES, **{g: float(r) for g, r in rates.items()}}
    wrong = [g for g, r in out.items() if not 0.0 <= r <= 1.0]
    if wrong:
        raise InvalidInput(
            f"spot_check_rates must lie between 0 and 1 ({', '.join(wrong)})",
            extra={"field": "spot_check_rates"},
        )
    return sorted(set(waiver_grades), key=GRADES.index), {g: out[g] for g in GRADES}


AUDITED = ("waiver_grades", "spot_check_rates", "quota_per_period", "waivable_matters")


async def save(
    *,
    actor: str,
    waiver_grades: list[str],
    spot_check_rates: dict[str, float],
    quota_per_period: int,
    waivable_matters: list[str],
    graduate_window_days: int = 365,
    recommendation_valid_days: int = 90,
    note: str = "",
) -> PolicyView:
    """Validate and store a new version; the previous ones stay for the record."""
    grades, rates = _check_grades(waiver_grades, spot_check_rates)
    if quota_per_period < 0 or graduate_window_days < 0 or recommendation_valid_days < 1:
        raise InvalidInput("quota and windows must not be negative", extra={"field": "quota"})
    values: dict[str, Any] = {
        "waiver_grades": grades,
        "spot_check_rates": rates,
        "quota_per_period": quota_per_period,
        "waivable_matters": await _check_matters(waivable_matters),
        "graduate_window_days": graduate_window_days,
        "recommendation_valid_days": recommendation_valid_days,
        "note": note.strip(),
    }
    async with in_transaction():
        last = await Policy.all().order_by("-version").first()
        row = await _create(values, version=(last.version if last else 0) + 1, actor=actor)
        await audit.record(
            "policy.save",
            actor=actor,
            entity="policy",
            entity_id=row.version,
            before={"version": last.version} if last else None,
            after={**{k: values[k] for k in AUDITED}, "seed": row.draw_seed},
        )
    return _view(row)


async def _create(values: dict[str, Any], *, version: int, actor: str) -> Policy:
    """The new version with a fresh draw seed, or Conflict when another took its number."""
    try:
        return await Policy.create(
            version=version,
            draw_seed=secrets.token_hex(16),
            created_by=actor,
            created_at=now(),
            **values,
        )
    except IntegrityError:
        raise Conflict("another official saved a policy at the same moment; reload") from None
