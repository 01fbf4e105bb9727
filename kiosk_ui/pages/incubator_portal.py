"""The incubator portal: own rating and why, indicators, recommendations, appeals."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui import tables
from kiosk_ui.incubator_summary import summary
from kiosk_ui.web import language, posted_form, redirect, render, staff_gate
from servicedesk.accounts.service import Principal
from servicedesk.errors import Forbidden, InvalidInput, ServiceDeskError
from servicedesk.exemptions import recommendations
from servicedesk.incubators import indicators
from servicedesk.incubators import service as incubators
from servicedesk.policy import service as policy
from servicedesk.ratings import appeals

operator = staff_gate(
    {"incubator"},
    "this portal is for incubator operators",
    form_refusal="log in as an incubator operator first",
)
Operator = Annotated[Principal, Depends(operator)]
router = APIRouter(prefix="/incubator", dependencies=[Depends(operator)])


@router.get("", response_class=HTMLResponse)
async def portal(request: Request, operator: Operator, problem: str = "") -> Response:
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
    context = await summary(code)
    rules = await policy.current()
    return render(
        request,
        "incubator.html",
        status_code=status_code,
        principal=operator,
        label=lambda n: tables.feature_label(n, lang),
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
async def report_form(request: Request, operator: Operator) -> Response:
    """One period's indicators from the form."""
    form = await posted_form(request)
    row = {k: form.text(k) for k in ("period", *indicators.REPORTED)}
    return await _store(request, operator, [row], first_row=1)


@router.post("/indicators/upload")
async def upload(request: Request, operator: Operator) -> Response:
    """A CSV file of indicators; every bad row is named and nothing is stored."""
    raw = await (await posted_form(request)).file_bytes("file")
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
async def recommend(request: Request, operator: Operator) -> Response:
    """Recommend an incubated firm for a waivable matter."""
    form = await posted_form(request)
    await recommendations.create(
        operator,
        firm_uscc=form.text("firm_uscc"),
        matter_code=form.text("matter_code"),
        note=form.text("note"),
    )
    return redirect("/incubator#recommendations")


@router.post("/recommendations/{rec_id}/revoke")
async def revoke(request: Request, operator: Operator, rec_id: int) -> Response:
    """Revoke one of the incubator's recommendations."""
    await posted_form(request)
    await recommendations.revoke(rec_id, operator)
    return redirect("/incubator#recommendations")


@router.post("/appeals")
async def appeal(request: Request, operator: Operator) -> Response:
    """Appeal against the published rating."""
    form = await posted_form(request)
    await appeals.file(operator, reason=form.text("reason"))
    return redirect("/incubator#appeals")


@router.get("/export/{name}.csv")
async def export(request: Request, operator: Operator, name: str) -> Response:
    """The portal's tables as CSV (own incubator only)."""
    if name not in tables.PER_INCUBATOR:
        raise Forbidden(f"no table {name!r} here")
    table = await tables.PER_INCUBATOR[name](incubators.own_code(operator))
    return tables.csv_response(table, request)
