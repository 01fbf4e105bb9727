"""The incubator portal: own rating and why, indicators, recommendations, appeals."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.pages.officials import build_table, csv_response, incubator_context
from kiosk_ui.pages.officials_tables import feature_label
from kiosk_ui.web import (
    check_csrf,
    language,
    page_gate,
    page_principal,
    redirect,
    render,
)
from servicedesk.accounts.service import Principal
from servicedesk.errors import Forbidden, InvalidInput, ServiceDeskError
from servicedesk.exemptions import recommendations
from servicedesk.incubators import indicators
from servicedesk.incubators import service as incubators
from servicedesk.policy import service as policy
from servicedesk.ratings import appeals

router = APIRouter(prefix="/incubator")


async def _operator(request: Request) -> Principal | None:
    principal = await page_principal(request)
    if principal is not None and principal.role != "incubator":
        raise Forbidden("this portal is for incubator operators")
    return principal


OperatorPage = Annotated[Principal, page_gate(_operator)]


async def _require(request: Request) -> tuple[Principal, dict[str, Any]]:
    principal = await _operator(request)
    if principal is None:
        raise Forbidden("log in as an incubator operator first")
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    return principal, {k: form.get(k) for k in form}


@router.get("", response_class=HTMLResponse)
async def portal(request: Request, operator: OperatorPage, problem: str = "") -> Response:
    """The incubator's own page."""
    return await _render(request, operator, problem=problem)


async def _render(
    request: Request,
    operator: Principal,
    *,
    problem: str = "",
    rows: list[dict[str, Any]] | None = None,
    status_code: int = 200,
) -> Response:
    code = incubators.own_code(operator)
    lang = language(request)
    context = await incubator_context(code)
    rules = await policy.current()
    return render(
        request,
        "incubator.html",
        status_code=status_code,
        principal=operator,
        label=lambda n: feature_label(n, lang),
        problem=problem,
        bad_rows=rows or [],
        firms=await incubators.firms_of(code, operator),
        policy=rules,
        reported=indicators.REPORTED,
        export_base="/incubator/export/",
        code_q="",
        **context,
    )


@router.post("/indicators")
async def report_form(request: Request) -> Response:
    """One period's indicators from the form."""
    operator, form = await _require(request)
    row = {k: str(form.get(k) or "") for k in ("period", *indicators.REPORTED)}
    return await _store(request, operator, [row], first_row=1)


@router.post("/indicators/upload")
async def upload(request: Request) -> Response:
    """A CSV file of indicators; every bad row is named and nothing is stored."""
    operator, form = await _require(request)
    upload = form.get("file")
    raw = await upload.read() if upload is not None and hasattr(upload, "read") else b""
    try:
        rows = indicators.parse_csv(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return await _problem(request, operator, InvalidInput("the CSV must be UTF-8 encoded"))
    except InvalidInput as exc:
        return await _problem(request, operator, exc)
    return await _store(request, operator, rows, first_row=2)


async def _store(
    request: Request, operator: Principal, rows: list[dict[str, str]], *, first_row: int
) -> Response:
    incubator = await incubators.get(incubators.own_code(operator))
    try:
        clean = indicators.validate(rows, first_row=first_row)
    except InvalidInput as exc:
        return await _problem(request, operator, exc)
    await indicators.record(incubator, clean, actor=operator.label)
    return redirect("/incubator#indicators")


async def _problem(request: Request, operator: Principal, exc: ServiceDeskError) -> Response:
    return await _render(
        request,
        operator,
        problem=exc.detail,
        rows=list(exc.extra.get("rows", [])),
        status_code=exc.status_code,
    )


@router.post("/recommendations")
async def recommend(request: Request) -> Response:
    operator, form = await _require(request)
    await recommendations.create(
        operator,
        firm_uscc=str(form.get("firm_uscc") or ""),
        matter_code=str(form.get("matter_code") or ""),
        note=str(form.get("note") or ""),
    )
    return redirect("/incubator#recommendations")


@router.post("/recommendations/{rec_id}/revoke")
async def revoke(request: Request, rec_id: int) -> Response:
    operator, _ = await _require(request)
    await recommendations.revoke(rec_id, operator)
    return redirect("/incubator#recommendations")


@router.post("/appeals")
async def appeal(request: Request) -> Response:
    operator, form = await _require(request)
    await appeals.file(operator, reason=str(form.get("reason") or ""))
    return redirect("/incubator#appeals")


@router.get("/export/{name}.csv")
async def export(request: Request, operator: OperatorPage, name: str) -> Response:
    """The portal's tables as CSV (own incubator only)."""
    if name not in {"indicators", "recommendations", "history", "appeals"}:
        raise Forbidden(f"no table {name!r} here")
    code = incubators.own_code(operator)
    if name == "appeals":
        from kiosk_ui.pages.officials_tables import appeal_table

        return csv_response(await appeal_table(code), request)
    return csv_response(await build_table(name, lang=language(request), code=code), request)
