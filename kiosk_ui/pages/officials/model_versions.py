"""Scoring model versions with validation figures side by side; train and promote."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from kiosk_ui.pages.officials.common import Official, page
from kiosk_ui.web import HERE, posted_form, redirect
from servicedesk.errors import NotFound
from servicedesk.ratings import training

CREDIT_DOC = HERE.parent / "docs" / "credit.md"

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


@router.get("/docs/credit", response_class=PlainTextResponse)
async def credit_doc(official: Official) -> Response:  # noqa: ARG001 (the gate)
    """How scores, grades and the model metrics are made (docs/credit.md)."""
    if not CREDIT_DOC.is_file():
        raise NotFound("docs/credit.md is not installed with this copy of the service")
    text = CREDIT_DOC.read_text(encoding="utf-8")
    return PlainTextResponse(text, media_type="text/markdown; charset=utf-8")
