"""Matters and their materials, created and changed from pages, retired not deleted."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.pages.admin.common import Admin, checked, optional, page, parse, words
from kiosk_ui.web import PageForm, posted_form, redirect
from servicedesk.accounts.service import Principal
from servicedesk.admin import matters
from servicedesk.admin.schemas import MatterCreate, MatterUpdate
from servicedesk.catalogue.models import Matter
from servicedesk.errors import ServiceDeskError

router = APIRouter()
TEXT_FIELDS = ("name", "name_en", "department", "department_en", "legal_basis", "legal_basis_en")
BLANK_ROWS = 4


def _materials(form: PageForm) -> list[dict[str, Any]]:
    """The material rows typed; a row without code and name is an unused blank row."""
    rows = zip(
        form.texts("m_code"),
        form.texts("m_name"),
        form.texts("m_name_en"),
        form.texts("m_core"),
        strict=False,
    )
    return [
        {"code": code.strip(), "name": name.strip(), "name_en": en.strip(), "core": core == "core"}
        for code, name, en, core in rows
        if code.strip() or name.strip()
    ]


def _matter_data(form: PageForm) -> dict[str, Any]:
    return {
        **{k: form.text(k).strip() for k in TEXT_FIELDS},
        "promised_days": form.text("promised_days").strip() or None,
        "statutory_days": form.text("statutory_days").strip() or None,
        "inspection_applies": checked(form, "inspection_applies"),
        "inspection_waivable": checked(form, "inspection_waivable"),
        "industries": words(form.text("industries")),
        "pinyin": optional(form.text("pinyin").lower()),
        "materials": _materials(form),
    }


def _typed(data: dict[str, Any]) -> dict[str, Any]:
    """The form's values back as the page shows them, after a refusal."""
    return {**data, "industries": ", ".join(data["industries"]), "pinyin": data["pinyin"] or ""}


def _shown(matter: Matter) -> dict[str, Any]:
    return {
        **{k: getattr(matter, k) for k in TEXT_FIELDS},
        "promised_days": matter.promised_days,
        "statutory_days": matter.statutory_days,
        "inspection_applies": matter.inspection_applies,
        "inspection_waivable": matter.inspection_waivable,
        "industries": ", ".join(matter.industries),
        "pinyin": matter.pinyin_initials,
        "materials": matters.material_list(matter),
    }


async def _list_page(
    request: Request,
    admin: Principal,
    *,
    error: str = "",
    status_code: int = 200,
    typed: dict[str, Any] | None = None,
) -> Response:
    return page(
        request,
        "admin_matters.html",
        admin,
        error=error,
        status_code=status_code,
        matters=await matters.list_matters(),
        typed=typed or {"materials": [], "code": ""},
        blank_rows=BLANK_ROWS,
    )


@router.get("/matters", response_class=HTMLResponse)
async def matter_list(request: Request, admin: Admin) -> Response:
    """Every matter, retired ones included, and the form for a new one."""
    return await _list_page(request, admin)


@router.post("/matters", response_class=HTMLResponse)
async def create_matter(request: Request, admin: Admin) -> Response:
    """Create a matter with its materials; offer it at points on their pages."""
    form = await posted_form(request)
    data = {"code": form.text("code").strip(), **_matter_data(form)}
    try:
        body = parse(MatterCreate, data).model_dump()
        matter = await matters.create_matter(body, actor=admin.label)
    except ServiceDeskError as exc:
        return await _list_page(
            request, admin, error=exc.detail, status_code=exc.status_code, typed=_typed(data)
        )
    return redirect(f"/admin/matters/{matter.code}?done=1")


async def _matter_page(
    request: Request,
    admin: Principal,
    code: str,
    *,
    error: str = "",
    status_code: int = 200,
    typed: dict[str, Any] | None = None,
) -> Response:
    matter = await matters.get(code)
    return page(
        request,
        "admin_matter.html",
        admin,
        error=error,
        status_code=status_code,
        matter=matter,
        typed=typed or _shown(matter),
        blank_rows=BLANK_ROWS,
    )


@router.get("/matters/{code}", response_class=HTMLResponse)
async def matter_page(request: Request, admin: Admin, code: str) -> Response:
    """One matter: its limits, legal basis, inspection flags and materials."""
    return await _matter_page(request, admin, code)


@router.post("/matters/{code}", response_class=HTMLResponse)
async def update_matter(request: Request, admin: Admin, code: str) -> Response:
    """Change the matter; dropped materials are retired (old cases keep their names)."""
    form = await posted_form(request)
    data = _matter_data(form)
    try:
        body = parse(MatterUpdate, data).model_dump(exclude_unset=True)
        await matters.update_matter(code, body, actor=admin.label)
    except ServiceDeskError as exc:
        return await _matter_page(
            request, admin, code, error=exc.detail, status_code=exc.status_code, typed=_typed(data)
        )
    return redirect(f"/admin/matters/{code}?done=1")


@router.post("/matters/{code}/active", response_class=HTMLResponse)
async def matter_active(request: Request, admin: Admin, code: str) -> Response:
    """Retire the matter everywhere (its cases stay), or bring it back."""
    form = await posted_form(request)
    try:
        await matters.update_matter(code, {"active": checked(form, "active")}, actor=admin.label)
    except ServiceDeskError as exc:
        return await _matter_page(
            request, admin, code, error=exc.detail, status_code=exc.status_code
        )
    return redirect(f"/admin/matters/{code}?done=1")
