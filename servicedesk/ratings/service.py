"""Rating runs: proposed by a model, reviewed, confirmed by a second official, published.

Only published ratings are public and only they drive waivers. Each step is a
conditional update on the expected status, so two officials acting at once cannot
both succeed, and every step is on the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from servicedesk import locks
from servicedesk.audit import service as audit
from servicedesk.errors import Conflict, FourEyesRequired, InvalidInput, NotFound
from servicedesk.incubators import indicators, periods
from servicedesk.incubators.models import Incubator
from servicedesk.ratings import scoring
from servicedesk.ratings.models import Rating, RatingRun, RatingStatus
from servicedesk.timeutil import now

R = RatingStatus


@dataclass(frozen=True)
class IncubatorView:
    incubator: Incubator
    rating: Rating | None


async def start_run(period: str, *, model_version: str | None, actor: str) -> RatingRun:
    """Score every incubator for ``period`` and propose a rating for each."""
    period = periods.check(period)
    model = await scoring.get_model(model_version)
    card = scoring.load_card(model)
    incubators = await Incubator.all().order_by("code")
    await indicators.refresh_derived(incubators, period)
    frame, used = await indicators.feature_frame(incubators, period)
    proposals = scoring.propose(card, frame)
    async with in_transaction():
        run = await RatingRun.create(
            period=period,
            model_version=model.version,
            created_by=actor,
            created_at=now(),
            skipped=[
                {"incubator_code": i.code, "reason": f"no indicators up to {period}"}
                for i in incubators
                if i.id not in proposals
            ],
        )
        for incubator in incubators:
            proposal = proposals.get(incubator.id)
            if proposal is not None:
                await _propose(
                    run, incubator, proposal, frame.loc[incubator.id], used[incubator.id]
                )
        await audit.record(
            "rating_run.start",
            actor=actor,
            entity="rating_run",
            entity_id=run.id,
            after={"period": period, "model_version": model.version, "ratings": len(proposals)},
        )
    return await get_run(run.id)


async def _propose(
    run: RatingRun, incubator: Incubator, proposal: scoring.Proposal, row: Any, used: str
) -> None:
    caps = await scoring.hard_caps(incubator, row, used)
    capped = scoring.cap_grade(proposal.grade, caps)
    await Rating.create(
        run=run,
        incubator=incubator,
        indicator_period=used,
        score=proposal.score,
        model_grade=proposal.grade,
        capped_grade=capped,
        grade=capped,
        predicted_bad=proposal.predicted_bad,
        reasons=proposal.reasons,
        caps=caps,
    )


async def get_run(run_id: int) -> RatingRun:
    run = await RatingRun.get_or_none(id=run_id)
    if run is None:
        raise NotFound(f"rating run {run_id} does not exist")
    await run.fetch_related("ratings__incubator")
    return run


async def list_runs(limit: int = 50) -> list[RatingRun]:
    return await RatingRun.all().order_by("-created_at", "-id").limit(limit)


async def get_rating(rating_id: int) -> Rating:
    rating = await Rating.get_or_none(id=rating_id).prefetch_related("run", "incubator")
    if rating is None:
        raise NotFound(f"rating {rating_id} does not exist")
    return rating


def _open(rating: Rating) -> None:
    if rating.run.status != "open":
        raise Conflict(f"rating run {rating.run.id} is already {rating.run.status}")


async def review(
    rating_id: int, *, decision: str, actor: str, grade: str | None = None, reason: str = ""
) -> Rating:
    """Approve the proposed grade, or override it with a written reason."""
    rating = await get_rating(rating_id)
    _open(rating)
    new_grade = _reviewed_grade(rating, decision=decision, grade=grade, reason=reason)
    async with in_transaction():
        done = await Rating.filter(id=rating_id, status=R.PROPOSED).update(
            status=R.REVIEWED,
            grade=new_grade,
            review_decision=decision,
            review_reason=reason.strip(),
            reviewed_by=actor,
            reviewed_at=now(),
        )
        if not done:
            raise Conflict(f"rating {rating_id} is {rating.status.value}, not proposed")
        await audit.record(
            f"rating.{decision}",
            actor=actor,
            entity="rating",
            entity_id=rating_id,
            before={"grade": rating.grade, "status": rating.status.value},
            after={"grade": new_grade, "status": "reviewed", "reason": reason.strip()},
        )
    return await get_rating(rating_id)


def _reviewed_grade(rating: Rating, *, decision: str, grade: str | None, reason: str) -> str:
    if decision == "approve":
        return rating.capped_grade
    if decision != "override":
        raise InvalidInput("decision must be approve or override", extra={"field": "decision"})
    if grade not in scoring.GRADES:
        raise InvalidInput("an override needs a grade A, B, C or D", extra={"field": "grade"})
    if not reason.strip():
        raise InvalidInput("an override needs a written reason", extra={"field": "reason"})
    if rating.caps and scoring.worse(grade, rating.capped_grade) != grade:
        raise Conflict(
            f"hard rule: {rating.caps[0]['detail']} caps the grade at "
            f"{rating.capped_grade}; an override cannot raise it"
        )
    return grade


async def confirm(rating_id: int, *, actor: str) -> Rating:
    """A second official confirms the reviewed rating (four eyes)."""
    rating = await get_rating(rating_id)
    _open(rating)
    if rating.reviewed_by == actor:
        raise FourEyesRequired("you reviewed this rating; a different official must confirm it")
    async with in_transaction():
        done = (
            await Rating.filter(id=rating_id, status=R.REVIEWED)
            .exclude(reviewed_by=actor)
            .update(status=R.CONFIRMED, confirmed_by=actor, confirmed_at=now())
        )
        if not done:
            raise Conflict(f"rating {rating_id} is {rating.status.value}, not reviewed")
        await audit.record(
            "rating.confirm",
            actor=actor,
            entity="rating",
            entity_id=rating_id,
            before={"status": "reviewed"},
            after={"status": "confirmed", "grade": rating.grade},
        )
    return await get_rating(rating_id)


async def approve_all(run_id: int, *, actor: str) -> int:
    """Approve every still-proposed rating of a run, each recorded on its own."""
    ids = [r.id for r in await Rating.filter(run_id=run_id, status=R.PROPOSED).only("id")]
    for rating_id in ids:
        await review(rating_id, decision="approve", actor=actor)
    return len(ids)


async def confirm_all(run_id: int, *, actor: str) -> int:
    """Confirm every reviewed rating of a run that ``actor`` did not review."""
    query = Rating.filter(run_id=run_id, status=R.REVIEWED).exclude(reviewed_by=actor)
    ids = [r.id for r in await query.only("id")]
    for rating_id in ids:
        await confirm(rating_id, actor=actor)
    return len(ids)


async def publish(run_id: int, *, actor: str) -> RatingRun:
    """Publish a fully confirmed run: its ratings replace each incubator's current one."""
    run = await get_run(run_id)
    pending = [r for r in run.ratings if r.status is not R.CONFIRMED]
    if run.status != "open":
        raise Conflict(f"rating run {run_id} is already {run.status}")
    if pending or not run.ratings:
        raise Conflict(
            f"rating run {run_id} cannot be published: {len(pending)} of "
            f"{len(run.ratings)} ratings are not confirmed yet"
        )
    at = now()
    async with in_transaction() as connection:
        # Two runs published at once must not both leave current ratings behind.
        await locks.hold(connection, "rating-publication")
        done = await RatingRun.filter(id=run_id, status="open").update(
            status="published", published_by=actor, published_at=at
        )
        if not done:
            raise Conflict(f"rating run {run_id} was published by someone else")
        incubator_ids = [r.incubator_id for r in run.ratings]
        await Rating.filter(incubator_id__in=incubator_ids, is_current=True).update(
            is_current=False, status=R.SUPERSEDED
        )
        updated = await Rating.filter(run_id=run_id, status=R.CONFIRMED).update(
            status=R.PUBLISHED, is_current=True, published_at=at
        )
        if updated != len(run.ratings):
            raise Conflict(f"rating run {run_id} changed while publishing; try again")
        await audit.record(
            "rating_run.publish",
            actor=actor,
            entity="rating_run",
            entity_id=run_id,
            after={"ratings": updated, "period": run.period},
        )
    return await get_run(run_id)


async def published(code: str) -> Rating:
    rating = await Rating.get_or_none(incubator__code=code, is_current=True).prefetch_related(
        "run", "incubator"
    )
    if rating is None:
        if not await Incubator.exists(code=code):
            raise NotFound(f"incubator {code!r} does not exist")
        raise NotFound(f"incubator {code} has no published rating")
    return rating


async def list_with_ratings(
    *, grade: str | None = None, district: str | None = None, level: str | None = None
) -> list[IncubatorView]:
    """Every incubator with its published rating (or None), filtered as asked."""
    query = Incubator.all()
    if district:
        query = query.filter(district=district)
    if level:
        query = query.filter(level=level)
    current = {r.incubator_id: r for r in await Rating.filter(is_current=True)}
    views = [IncubatorView(i, current.get(i.id)) for i in await query.order_by("code")]
    if grade:
        views = [v for v in views if v.rating is not None and v.rating.grade == grade]
    return views


async def history(code: str) -> list[Rating]:
    """Every rating ever published for the incubator, oldest first."""
    return (
        await Rating.filter(incubator__code=code, published_at__isnull=False)
        .prefetch_related("run")
        .order_by("published_at", "id")
    )


async def review_queue() -> list[Rating]:
    """Ratings of open runs that still need a review or a confirmation."""
    return (
        await Rating.filter(run__status="open", status__in=[R.PROPOSED, R.REVIEWED])
        .prefetch_related("run", "incubator")
        .order_by("run_id", "id")
    )


async def run_ratings(run_id: int) -> list[Rating]:
    """A run's ratings by incubator code, each with its run and incubator."""
    items = await Rating.filter(run_id=run_id).prefetch_related("run", "incubator")
    if not items and not await RatingRun.exists(id=run_id):
        raise NotFound(f"rating run {run_id} does not exist")
    return sorted(items, key=lambda r: r.incubator.code)
