"""Appeals: an incubator contests its published rating, an official records the outcome."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from servicedesk.accounts.service import Principal
from servicedesk.audit import service as audit
from servicedesk.errors import Conflict, FourEyesRequired, InvalidInput, NotFound
from servicedesk.incubators import service as incubators
from servicedesk.ratings import scoring
from servicedesk.ratings import service as ratings
from servicedesk.ratings.models import Appeal, Rating
from servicedesk.timeutil import now

OUTCOMES = ("dismissed", "upheld")


async def file(principal: Principal, *, reason: str, rating_id: int | None = None) -> Appeal:
    """Contest the incubator's current published rating, with its reasons."""
    code = incubators.own_code(principal)
    if not reason.strip():
        raise InvalidInput("an appeal needs a reason", extra={"field": "reason"})
    rating = await ratings.published(code)
    if rating_id is not None and rating_id != rating.id:
        raise Conflict("only the current published rating can be appealed")
    async with in_transaction():
        if await Appeal.exists(rating=rating, status="open"):
            raise Conflict(f"an appeal against rating {rating.id} is already open")
        appeal = await Appeal.create(
            rating=rating,
            incubator=rating.incubator,
            reason=reason.strip(),
            filed_by=principal.label,
            filed_at=now(),
        )
        await audit.record(
            "appeal.file",
            actor=principal.label,
            entity="appeal",
            entity_id=appeal.id,
            after={"rating": rating.id, "grade": rating.grade, "reason": reason.strip()},
        )
    return await get(appeal.id)


async def get(appeal_id: int) -> Appeal:
    appeal = await Appeal.get_or_none(id=appeal_id).prefetch_related("rating__run", "incubator")
    if appeal is None:
        raise NotFound(f"appeal {appeal_id} does not exist")
    return appeal


async def decide(
    appeal_id: int, *, outcome: str, note: str, actor: str, new_grade: str | None = None
) -> Appeal:
    """Dismiss, or propose upholding with a corrected grade.

    A corrected grade drives waivers, so like any rating it takes two officials:
    it stands as ``upheld_pending`` until a different official confirms it.
    """
    if outcome not in OUTCOMES:
        raise InvalidInput("outcome must be dismissed or upheld", extra={"field": "outcome"})
    if not note.strip():
        raise InvalidInput("record why: the outcome needs a note", extra={"field": "note"})
    appeal = await get(appeal_id)
    rating = appeal.rating
    if outcome == "upheld":
        _check_new_grade(rating, new_grade)
    async with in_transaction():
        done = await Appeal.filter(id=appeal_id, status="open").update(
            status="upheld_pending" if outcome == "upheld" else outcome,
            new_grade=new_grade if outcome == "upheld" else None,
            outcome_note=note.strip(),
            decided_by=actor,
            decided_at=now(),
        )
        if not done:
            raise Conflict(f"appeal {appeal_id} was already decided ({appeal.status})")
        await audit.record(
            "appeal.uphold_proposed" if outcome == "upheld" else "appeal.dismissed",
            actor=actor,
            entity="appeal",
            entity_id=appeal_id,
            before={"grade": rating.grade},
            after={"proposed_grade": new_grade, "note": note.strip()},
        )
    return await get(appeal_id)


async def confirm(appeal_id: int, *, actor: str) -> Appeal:
    """A second official confirms an upheld appeal: the published grade is corrected."""
    appeal = await get(appeal_id)
    if appeal.status != "upheld_pending":
        raise Conflict(f"appeal {appeal_id} is {appeal.status}, not awaiting confirmation")
    if appeal.decided_by == actor:
        raise FourEyesRequired("a different official must confirm the appeal you decided")
    rating = appeal.rating
    _check_new_grade(rating, appeal.new_grade)
    async with in_transaction():
        done = await Appeal.filter(id=appeal_id, status="upheld_pending").update(
            status="upheld", confirmed_by=actor, confirmed_at=now()
        )
        if not done:
            raise Conflict(f"appeal {appeal_id} was confirmed by someone else")
        await Rating.filter(id=rating.id).update(grade=appeal.new_grade)
        await audit.record(
            "appeal.upheld",
            actor=actor,
            entity="appeal",
            entity_id=appeal_id,
            before={"grade": rating.grade},
            after={"grade": appeal.new_grade, "decided_by": appeal.decided_by},
        )
    return await get(appeal_id)


def _check_new_grade(rating: Rating, grade: str | None) -> None:
    if grade not in scoring.GRADES or grade == rating.grade:
        raise InvalidInput(
            "an upheld appeal needs the corrected grade (A-D, not the current)",
            extra={"field": "new_grade"},
        )
    if rating.caps and scoring.worse(grade, rating.capped_grade) != grade:
        raise Conflict(
            f"hard rule: {rating.caps[0]['detail']} caps the grade at {rating.capped_grade}"
        )
    if not rating.is_current:
        raise Conflict("the appealed rating is no longer the published one")


async def list_appeals(*, code: str | None = None, open_only: bool = False) -> list[Appeal]:
    query = Appeal.all()
    if code:
        query = query.filter(incubator__code=code)
    if open_only:
        query = query.filter(status="open")
    return await query.prefetch_related("rating__run", "incubator").order_by("-filed_at")
