from __future__ import annotations

from fastapi import APIRouter

from servicedesk.deps import CurrentIncubator, CurrentOfficial
from servicedesk.ratings import appeals, training
from servicedesk.ratings import service as ratings
from servicedesk.ratings.schemas import (
    AppealCreate,
    AppealDecide,
    AppealRead,
    IncubatorRead,
    ModelRead,
    PublishedRatingRead,
    RatingRead,
    ReviewIn,
    RunCreate,
    RunRead,
    TrainIn,
    appeal_read,
    incubator_read,
    model_read,
    published_read,
    rating_read,
    run_read,
)

router = APIRouter(tags=["ratings"])
# Published ratings are public and read under the incubators' paths.
published_router = APIRouter(prefix="/incubators", tags=["incubators"])


@published_router.get("", response_model=list[IncubatorRead])
async def list_incubators(
    grade: str | None = None, district: str | None = None, level: str | None = None
) -> list[IncubatorRead]:
    """Every incubator with its published rating (published ratings are public)."""
    views = await ratings.list_with_ratings(grade=grade, district=district, level=level)
    return [incubator_read(v) for v in views]


@published_router.get("/{code}/rating", response_model=PublishedRatingRead)
async def published_rating(code: str) -> PublishedRatingRead:
    """The incubator's published rating, with its reason codes and model version."""
    return published_read(await ratings.published(code))


@router.post("/rating-runs", response_model=RunRead, status_code=201)
async def start_run(body: RunCreate, official: CurrentOfficial) -> RunRead:
    """Propose a rating for every incubator for a period with a model version."""
    run = await ratings.start_run(
        body.period, model_version=body.model_version, actor=official.label
    )
    return run_read(run)


@router.get("/rating-runs", response_model=list[RunRead])
async def list_runs(_official: CurrentOfficial) -> list[RunRead]:
    """Recent rating runs, newest first."""
    return [run_read(await ratings.get_run(r.id)) for r in await ratings.list_runs()]


@router.get("/rating-runs/{run_id}", response_model=RunRead)
async def get_run(run_id: int, _official: CurrentOfficial) -> RunRead:
    """One run with its ratings."""
    return run_read(await ratings.get_run(run_id))


@router.post("/rating-runs/{run_id}/publish", response_model=RunRead)
async def publish(run_id: int, official: CurrentOfficial) -> RunRead:
    """Publish a run whose every rating is confirmed; 409 otherwise."""
    return run_read(await ratings.publish(run_id, actor=official.label))


@router.post("/ratings/{rating_id}/review", response_model=RatingRead)
async def review(rating_id: int, body: ReviewIn, official: CurrentOfficial) -> RatingRead:
    """Approve the proposed grade, or override it with a written reason."""
    rating = await ratings.review(
        rating_id,
        decision=body.decision,
        grade=body.grade,
        reason=body.reason,
        actor=official.label,
    )
    return rating_read(rating)


@router.post("/ratings/{rating_id}/confirm", response_model=RatingRead)
async def confirm(rating_id: int, official: CurrentOfficial) -> RatingRead:
    """Confirm a reviewed rating; the reviewer may not confirm their own review."""
    return rating_read(await ratings.confirm(rating_id, actor=official.label))


@router.post("/appeals", response_model=AppealRead, status_code=201)
async def file_appeal(body: AppealCreate, incubator: CurrentIncubator) -> AppealRead:
    """Contest the incubator's published rating."""
    appeal = await appeals.file(incubator, reason=body.reason, rating_id=body.rating_id)
    return appeal_read(appeal)


@router.post("/appeals/{appeal_id}/confirm", response_model=AppealRead)
async def confirm_appeal(appeal_id: int, official: CurrentOfficial) -> AppealRead:
    """A second official confirms an upheld appeal; the published grade is corrected."""
    return appeal_read(await appeals.confirm(appeal_id, actor=official.label))


@router.get("/appeals", response_model=list[AppealRead])
async def list_appeals(_official: CurrentOfficial) -> list[AppealRead]:
    """Every appeal, newest first."""
    return [appeal_read(a) for a in await appeals.list_appeals()]


@router.post("/appeals/{appeal_id}/decide", response_model=AppealRead)
async def decide_appeal(
    appeal_id: int, body: AppealDecide, official: CurrentOfficial
) -> AppealRead:
    """Record the outcome of an appeal; upheld corrects the published grade."""
    appeal = await appeals.decide(
        appeal_id,
        outcome=body.outcome,
        note=body.note,
        new_grade=body.new_grade,
        actor=official.label,
    )
    return appeal_read(appeal)


@router.get("/models", response_model=list[ModelRead])
async def list_models(_official: CurrentOfficial) -> list[ModelRead]:
    """Scoring model versions with their validation figures."""
    return [model_read(m) for m in await training.list_models()]


@router.post("/models/train", response_model=ModelRead, status_code=201)
async def train(official: CurrentOfficial, body: TrainIn | None = None) -> ModelRead:
    """Train a learned card on recorded outcomes, validated beside the active model."""
    model = await training.train(actor=official.label, C=(body or TrainIn()).C)
    return model_read(model)


@router.post("/models/{version}/promote", response_model=ModelRead)
async def promote(version: str, official: CurrentOfficial) -> ModelRead:
    """Approve a model version; it becomes active with a second official's approval."""
    return model_read(await training.promote(version, actor=official.label))
