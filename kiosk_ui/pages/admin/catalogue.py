"""The catalogue file on the administration page: export, and an upload that is
checked whole, shown as a list of changes, and applied only on confirmation."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.pages.admin.common import Admin, page
from kiosk_ui.web import posted_form
from servicedesk.accounts.service import Principal
from servicedesk.admin import catalogue_file
from servicedesk.errors import InvalidInput, ServiceDeskError

router = APIRouter()
# The checked catalogue file travels back in the form (the body limit still holds).
CATALOGUE_TEXT_LIMIT = 500_000
MAX_BYTES = 2 * 1024 * 1024
FILENAME = "catalogue.toml"


def _text(raw: bytes) -> str:
    if not raw:
        raise InvalidInput("choose a catalogue file (.toml) to upload", extra={"field": "file"})
    if len(raw) > MAX_BYTES:
        raise InvalidInput("the catalogue file is larger than 2 MB", extra={"field": "file"})
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            "the catalogue file must be UTF-8 text", extra={"field": "file"}
        ) from None


def _catalogue_page(
    request: Request,
    admin: Principal,
    *,
    status_code: int = 200,
    error: str = "",
    **context: Any,
) -> Response:
    defaults: dict[str, Any] = {"problems": [], "changes": None, "text": "", "applied": None}
    return page(
        request,
        "admin_catalogue.html",
        admin,
        error=error,
        status_code=status_code,
        **(defaults | context),
    )


@router.get("/catalogue", response_class=HTMLResponse)
async def catalogue_page(request: Request, admin: Admin) -> Response:
    """Download the catalogue as a file, or upload a changed one."""
    return _catalogue_page(request, admin)


@router.get("/catalogue/export")
async def export(_admin: Admin) -> Response:
    """The whole catalogue as a TOML file."""
    return Response(
        await catalogue_file.export_text(),
        media_type="application/toml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{FILENAME}"'},
    )


@router.post("/catalogue/check", response_class=HTMLResponse)
async def check(request: Request, admin: Admin) -> Response:
    """Check an uploaded file whole: every bad entry named, else the list of changes."""
    form = await posted_form(request)
    try:
        text = _text(await form.file_bytes("file"))
    except ServiceDeskError as exc:
        return _catalogue_page(request, admin, status_code=exc.status_code, error=exc.detail)
    plan = await catalogue_file.plan(text)
    if plan.problems:
        return _catalogue_page(request, admin, status_code=422, problems=plan.problems)
    return _catalogue_page(request, admin, changes=plan.changes, text=text)


@router.post("/catalogue/apply", response_class=HTMLResponse)
async def apply(request: Request, admin: Admin) -> Response:
    """Apply the checked file (checked again: the catalogue may have changed since)."""
    form = await posted_form(request)
    text = form.text("text", limit=CATALOGUE_TEXT_LIMIT)
    try:
        plan = await catalogue_file.apply(text, actor=admin.label)
    except ServiceDeskError as exc:
        problems = list(exc.extra.get("problems", []))
        return _catalogue_page(
            request,
            admin,
            status_code=exc.status_code,
            problems=problems,
            error="" if problems else exc.detail,
        )
    return _catalogue_page(request, admin, applied=plan.changes)
