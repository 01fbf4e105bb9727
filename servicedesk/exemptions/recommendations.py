"""Recommendations: an incubator vouching for one of its firms for one matter."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from tortoise.transactions import in_transaction

from servicedesk import locks
from servicedesk.accounts.service import Principal
from servicedesk.audit import service as audit
from servicedesk.cases.models import Case
from servicedesk.catalogue.models import Matter
from servicedesk.errors import (
    Conflict,
    Forbidden,
    FourEyesRequired,
    InvalidInput,
    NotFound,
    PrivilegeSuspended,
    QuotaExceeded,
)
from servicedesk.exemptions.models import Recommendation
from servicedesk.firms import service as firms
from servicedesk.firms.models import Firm
from servicedesk.incubators import periods
from servicedesk.incubators import service as incubators
from servicedesk.incubators.models import Incubation, IncubationStatus, Incubator, Suspension
from servicedesk.policy import service as policy
from servicedesk.policy.service import PolicyView
from servicedesk.timeutil import now, today


@dataclass(frozen=True)
class RecommendationView:
    recommendation: Recommendation
    case_no: str | None

    @property
    def status(self) -> str:
        rec = self.recommendation
        if rec.revoked_at is not None:
            return "revoked"
        if self.case_no is not None:
            return "used"
        return "expired" if rec.valid_until < today() else "active"


async def active_suspension(incubator: Incubator) -> Suspension | None:
    return await Suspension.filter(incubator=incubator, lifted_at__isnull=True).first()


def incubation_holds(row: Incubation | None, *, on: date, window_days: int) -> bool:
    """Incubated there, or graduated from there within the policy's window."""
    if row is None or row.since > on:
        return False
    if row.status is IncubationStatus.INCUBATED:
        return True
    return row.graduated_on is not None and on - row.graduated_on <= timedelta(days=window_days)


async def _firm(uscc: str) -> Firm:
    firm = await Firm.get_or_none(uscc=firms.validate_uscc(uscc))
    if firm is None:
        raise NotFound(f"no firm with USCC {uscc}")
    return firm


async def _check_new(incubator: Incubator, firm: Firm, matter: Matter, rules: PolicyView) -> str:
    if await active_suspension(incubator) is not None:
        raise PrivilegeSuspended(
            f"the recommendation privilege of {incubator.code} is suspended pending review"
        )
    if matter.code not in rules.waivable_matters:
        raise InvalidInput(
            f"matter {matter.code} is not waivable under policy v{rules.version}",
            extra={"field": "matter_code"},
        )
    row = await incubators.incubation(incubator, firm.id)
    if not incubation_holds(row, on=today(), window_days=rules.graduate_window_days):
        raise Conflict(
            f"firm {firm.uscc} is not incubated at (or recently graduated from) {incubator.code}"
        )
    period = periods.quarter_of(today())
    used = await Recommendation.filter(
        incubator=incubator, period=period, revoked_at__isnull=True
    ).count()
    if used >= rules.quota_per_period:
        raise QuotaExceeded(
            f"{incubator.code} has used its quota of "
            f"{rules.quota_per_period} recommendations for {period}"
        )
    open_ids = set(
        await Recommendation.filter(
            incubator=incubator,
            firm=firm,
            matter=matter,
            revoked_at__isnull=True,
            valid_until__gte=today(),
        ).values_list("id", flat=True)
    )
    used_ids = set(
        await Case.filter(recommendation_id__in=list(open_ids)).values_list(
            "recommendation_id", flat=True
        )
    )
    if open_ids - used_ids:
        raise Conflict(f"{incubator.code} already recommends this firm for {matter.code}")
    return period


CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L on a slip or keypad
CODE_LENGTH = 8


def new_code() -> str:
    """A short random code for the firm's slip (about 40 bits: not guessable)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def clean_code(code: str) -> str:
    """Codes are case-insensitive and may be typed with spaces or dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


async def find_by_code(code: str) -> int | None:
    """The id of the recommendation with this slip code, if any."""
    rec = await Recommendation.get_or_none(code=clean_code(code))
    return rec.id if rec else None


async def create(
    principal: Principal, *, firm_uscc: str, matter_code: str, note: str = ""
) -> RecommendationView:
    """Recommend one of the principal's incubated firms for a waivable matter."""
    incubator = await incubators.get(incubators.own_code(principal))
    firm = await _firm(firm_uscc)
    matter = await Matter.get_or_none(code=matter_code)
    if matter is None:
        raise NotFound(f"matter {matter_code!r} does not exist")
    rules = await policy.current()
    period = await _check_new(incubator, firm, matter, rules)
    async with in_transaction():
        rec = await Recommendation.create(
            incubator=incubator,
            firm=firm,
            matter=matter,
            period=period,
            code=new_code(),
            note=note.strip(),
            created_by=principal.label,
            created_at=now(),
            valid_until=today() + timedelta(days=rules.recommendation_valid_days),
        )
        await audit.record(
            "recommendation.create",
            actor=principal.label,
            entity="recommendation",
            entity_id=rec.id,
            after={
                "incubator": incubator.code,
                "firm": firm.uscc,
                "matter": matter.code,
                "period": period,
                "policy_version": rules.version,
            },
        )
    return await get(rec.id)


async def get(rec_id: int) -> RecommendationView:
    rec = await Recommendation.get_or_none(id=rec_id).prefetch_related(
        "incubator", "firm", "matter"
    )
    if rec is None:
        raise NotFound(f"recommendation {rec_id} does not exist")
    case = await Case.filter(recommendation_id=rec_id).order_by("id").first()
    return RecommendationView(rec, case.case_no if case else None)


async def list_for(code: str, *, limit: int = 300) -> list[RecommendationView]:
    recs = (
        await Recommendation.filter(incubator__code=code)
        .prefetch_related("incubator", "firm", "matter")
        .order_by("-created_at")
        .limit(limit)
    )
    cases = {
        c.recommendation_id: c.case_no
        for c in await Case.filter(recommendation_id__in=[r.id for r in recs])
    }
    return [RecommendationView(r, cases.get(r.id)) for r in recs]


async def revoke(rec_id: int, principal: Principal) -> RecommendationView:
    view = await get(rec_id)
    if view.recommendation.incubator.code != incubators.own_code(principal):
        raise Forbidden("only the recommending incubator may revoke it")
    if view.status != "active":
        raise Conflict(f"recommendation {rec_id} is {view.status} and cannot be revoked")
    async with in_transaction():
        await Recommendation.filter(id=rec_id).update(revoked_at=now(), revoked_by=principal.label)
        await audit.record(
            "recommendation.revoke",
            actor=principal.label,
            entity="recommendation",
            entity_id=rec_id,
        )
    return await get(rec_id)


async def check_for_case(rec_id: int, *, uscc: str, matter_code: str) -> None:
    """At submission: the recommendation exists, names this firm and matter, is unused.

    Runs inside the submission's transaction; the lock keeps two submissions with
    the same recommendation (say at two service points) from both passing.
    """
    await locks.hold(None, f"recommendation:{rec_id}")
    rec = await Recommendation.get_or_none(id=rec_id).prefetch_related("firm", "matter")
    field = {"field": "recommendation"}
    # One answer for every wrong code or id: it never says whose a recommendation is.
    if rec is None or rec.firm.uscc != uscc or rec.matter.code != matter_code:
        raise InvalidInput(
            "no valid recommendation with this code or id for this firm and matter", extra=field
        )
    if rec.revoked_at is not None:
        raise InvalidInput("this recommendation was revoked by the incubator", extra=field)
    if await Case.filter(recommendation_id=rec_id).exclude(status="withdrawn").exists():
        raise Conflict(f"recommendation {rec_id} is already attached to another case")


async def lift_suspension(suspension_id: int, *, actor: str, reason: str) -> Suspension:
    """Propose lifting a suspension, with the reason; another official confirms it."""
    if not reason.strip():
        raise InvalidInput("lifting a suspension needs a reason", extra={"field": "reason"})
    async with in_transaction():
        done = await Suspension.filter(
            id=suspension_id, lifted_at__isnull=True, lift_proposed_at__isnull=True
        ).update(lift_proposed_at=now(), lift_proposed_by=actor, lift_reason=reason.strip())
        if not done:
            raise Conflict(
                f"suspension {suspension_id} does not exist, was lifted, or its lift is "
                "already proposed (another official confirms it)"
            )
        await audit.record(
            "recommendation.unsuspend_propose",
            actor=actor,
            entity="suspension",
            entity_id=suspension_id,
            after={"reason": reason.strip()},
        )
    return await Suspension.get(id=suspension_id).prefetch_related("incubator")


async def confirm_lift(suspension_id: int, *, actor: str) -> Suspension:
    """A second official confirms a proposed lift: the privilege is restored."""
    async with in_transaction():
        row = await Suspension.get_or_none(id=suspension_id)
        if row is None or row.lifted_at is not None or row.lift_proposed_by is None:
            raise Conflict(f"suspension {suspension_id} has no proposed lift to confirm")
        if row.lift_proposed_by == actor:
            raise FourEyesRequired(f"{actor} proposed this lift; a different official confirms it")
        done = await Suspension.filter(id=suspension_id, lifted_at__isnull=True).update(
            lifted_at=now(), lifted_by=actor
        )
        if not done:
            raise Conflict(f"suspension {suspension_id} was lifted meanwhile")
        await audit.record(
            "recommendation.unsuspend",
            actor=actor,
            entity="suspension",
            entity_id=suspension_id,
            after={"reason": row.lift_reason, "proposed_by": row.lift_proposed_by},
        )
    return await Suspension.get(id=suspension_id).prefetch_related("incubator")


async def suspensions(*, active_only: bool = False) -> list[Suspension]:
    query = Suspension.all()
    if active_only:
        query = query.filter(lifted_at__isnull=True)
    return await query.prefetch_related("incubator").order_by("-started_at")
