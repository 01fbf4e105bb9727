"""Scoring model versions with validation figures side by side; train and promote."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.pages.officials.common import Official, page
from kiosk_ui.web import posted_form, redirect
from servicedesk.ratings import training

router = APIRouter()


@router.get("/models", response_class=HTMLResponse)
async def models_page(request: Request, official: Official) -> Response:
    """Model versions with validation figures side by side; train and promote."""
    return page(
        request,
        "officials_models.html",
        official,
        models=await training.list_models(),
        grade_risks=await training.grade_risks(),
    )


@router.post("/models/train")
async def train_model(request: Request, official: Official) -> Response:
    """Train a learned card on the recorded outcomes."""
    await posted_form(request)
    await training.train(actor=official.label)
    return redirect("/officials/models")


@router.post("/models/{version}/promote")
async def promote_model(request: Request, official: Official, version: str) -> Response:
    """Approve a model version; the second official's approval makes it active."""
    await posted_form(request)
    await training.promote(version, actor=official.label)
    return redirect("/officials/models")
