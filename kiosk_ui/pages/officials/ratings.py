"""Rating runs: start one, review and confirm its ratings, publish it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.pages.officials.common import GRADES, Official, page
from kiosk_ui.web import posted_form, redirect
from servicedesk.errors import NotFound
from servicedesk.ratings import service as ratings
from servicedesk.ratings import training

router = APIRouter()


@router.get("/review", response_class=HTMLResponse)
async def review_page(request: Request, official: Official, run: int | None = None) -> Response:
    """Rating runs: start one, review and confirm its ratings, publish it."""
    runs = await ratings.list_runs()
    selected = await ratings.get_run(run or runs[0].id) if runs else None
    return page(
        request,
        "officials_review.html",
        official,
        runs=runs,
        run=selected,
        items=await ratings.run_ratings(selected.id) if selected else [],
        models=await training.list_models(),
        grades=GRADES,
    )


@router.post("/review/start")
async def start_run(request: Request, official: Official) -> Response:
    """Start a rating run for a period, scored by the chosen model."""
    form = await posted_form(request)
    run = await ratings.start_run(
        form.text("period"),
        actor=official.label,
        model_version=form.text("model_version") or None,
    )
    return redirect(f"/officials/review?run={run.id}")


@router.post("/review/{run_id}/{action}")
async def run_action(request: Request, official: Official, run_id: int, action: str) -> Response:
    """approve-all, confirm-all or publish a run."""
    await posted_form(request)
    if action == "approve-all":
        await ratings.approve_all(run_id, actor=official.label)
    elif action == "confirm-all":
        await ratings.confirm_all(run_id, actor=official.label)
    elif action == "publish":
        await ratings.publish(run_id, actor=official.label)
    else:
        raise NotFound(f"unknown action {action!r}")
    return redirect(f"/officials/review?run={run_id}")


@router.post("/ratings/{rating_id}/{action}")
async def rating_action(
    request: Request, official: Official, rating_id: int, action: str
) -> Response:
    """Review (approve / override) or confirm one rating."""
    form = await posted_form(request)
    if action == "review":
        rating = await ratings.review(
            rating_id,
            decision=form.text("decision"),
            grade=form.text("grade") or None,
            reason=form.text("reason"),
            actor=official.label,
        )
    elif action == "confirm":
        rating = await ratings.confirm(rating_id, actor=official.label)
    else:
        raise NotFound(f"unknown action {action!r}")
    return redirect(f"/officials/review?run={rating.run.id}#rating-{rating_id}")
