"""The waiver policy: versioned settings, a change is always a new version.

Four eyes, as for ratings: one official proposes a version, a different one confirms
it, and only then is it in force; until then it can be withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from servicedesk import locks
from servicedesk.audit import service as audit
from servicedesk.catalogue.models import Matter
from servicedesk.errors import Conflict, FourEyesRequired, InvalidInput, NotFound
from servicedesk.policy.models import Policy, PolicyStatus
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
    note: str = ""
    created_by: str = "system"
    created_at: datetime | None = None
    status: str = "confirmed"
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None

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
        note=row.note,
        created_by=row.created_by,
        created_at=row.created_at,
        status=row.status.value,
        confirmed_by=row.confirmed_by,
        confirmed_at=row.confirmed_at,
    )


async def current() -> PolicyView:
    """The newest confirmed version, else the built-in default (waive grade A, check 5 %)."""
    row = await Policy.filter(status=PolicyStatus.CONFIRMED).order_by("-version").first()
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
    """Every version, proposed and withdrawn ones included, newest first."""
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
    """Validate and store a new version, proposed: in force once another official confirms."""
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
            "policy.propose",
            actor=actor,
            entity="policy",
            entity_id=row.version,
            before={"in_force": (await current()).version},
            after={k: values[k] for k in AUDITED},
        )
    return _view(row)


async def _create(values: dict[str, Any], *, version: int, actor: str) -> Policy:
    """The new proposed version, or Conflict when another took its number."""
    try:
        return await Policy.create(
            version=version,
            created_by=actor,
            created_at=now(),
            status=PolicyStatus.PROPOSED,
            **values,
        )
    except IntegrityError:
        raise Conflict("another official saved a policy at the same moment; reload") from None


async def _proposed(version: int) -> Policy:
    row = await Policy.get_or_none(version=version)
    if row is None:
        raise NotFound(f"policy version {version} does not exist")
    if row.status is not PolicyStatus.PROPOSED:
        raise Conflict(f"policy version {version} is {row.status.value}, not proposed")
    return row


async def confirm(version: int, *, actor: str) -> PolicyView:
    """A second official puts a proposed version in force; older proposals lapse."""
    async with in_transaction() as conn:
        await locks.hold(conn, "policy")
        row = await _proposed(version)
        if row.created_by == actor:
            raise FourEyesRequired(f"{actor} proposed version {version}; another official confirms")
        in_force = await current()
        if in_force.version > version:
            raise Conflict(f"version {in_force.version}, newer, is in force; propose again")
        await Policy.filter(id=row.id, status=PolicyStatus.PROPOSED).update(
            status=PolicyStatus.CONFIRMED, confirmed_by=actor, confirmed_at=now()
        )
        await Policy.filter(version__lt=version, status=PolicyStatus.PROPOSED).update(
            status=PolicyStatus.WITHDRAWN
        )
        await audit.record(
            "policy.confirm",
            actor=actor,
            entity="policy",
            entity_id=version,
            before={"in_force": in_force.version},
            after={"in_force": version, "proposed_by": row.created_by},
        )
    return _view(await Policy.get(id=row.id))


async def withdraw(version: int, *, actor: str) -> PolicyView:
    """Drop a proposed version before anyone confirms it."""
    async with in_transaction():
        row = await _proposed(version)
        await Policy.filter(id=row.id, status=PolicyStatus.PROPOSED).update(
            status=PolicyStatus.WITHDRAWN
        )
        await audit.record("policy.withdraw", actor=actor, entity="policy", entity_id=version)
    return _view(await Policy.get(id=row.id))
