"""The incubator portal: own rating and why, indicators, recommendations, appeals."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui import tables
from kiosk_ui.display import indicator_header
from kiosk_ui.incubator_summary import summary
from kiosk_ui.pages.kiosk import qr_svg
from kiosk_ui.web import language, posted_form, redirect, render, staff_gate
from servicedesk.accounts.service import Principal
from servicedesk.catalogue import service as catalogue
from servicedesk.errors import Forbidden, InvalidInput, ServiceDeskError
from servicedesk.exemptions import recommendations
from servicedesk.incubators import indicators, registry
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
    context = await summary(code, lang)
    rules = await policy.current()
    return render(
        request,
        "incubator.html",
        status_code=status_code,
        principal=operator,
        label=lambda n: tables.feature_label(n, lang),
        header=lambda n: indicator_header(n, lang),
        problem=problem,
        bad_rows=rows or [],
        firms=await incubators.firms_of(code, operator),
        policy=rules,
        matters=await catalogue.waivable_matters(),
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
    """Recommend an incubated firm for a waivable matter; shows the slip to hand over."""
    form = await posted_form(request)
    view = await recommendations.create(
        operator,
        firm_uscc=form.text("firm_uscc"),
        matter_code=form.text("matter_code"),
        note=form.text("note"),
    )
    return redirect(f"/incubator/recommendations/{view.recommendation.id}/slip")


@router.get("/recommendations/{rec_id}/slip", response_class=HTMLResponse)
async def slip(request: Request, operator: Operator, rec_id: int) -> Response:
    """The recommendation slip the firm brings: its code in letters and as a QR code."""
    view = await recommendations.get(rec_id)
    if view.recommendation.incubator.code != incubators.own_code(operator):
        raise Forbidden("this recommendation is another incubator's")
    code = view.recommendation.code or ""
    return render(
        request, "recommendation_slip.html", principal=operator, view=view, qr=qr_svg(code)
    )


@router.post("/firms")
async def register_firm(request: Request, operator: Operator) -> Response:
    """Register one firm in the incubation registry."""
    form = await posted_form(request)
    incubator = await incubators.get(incubators.own_code(operator))
    try:
        await registry.register(
            incubator,
            uscc=form.text("uscc"),
            name=form.text("name"),
            joined_on=registry.parse_day(form.text("joined_on"), "joined_on"),
            actor=operator.label,
        )
    except ServiceDeskError as exc:
        return await _problem(request, operator, exc)
    return redirect("/incubator#firms")


@router.post("/firms/upload")
async def upload_firms(request: Request, operator: Operator) -> Response:
    """Register firms from a CSV file: any bad row and nothing is registered."""
    raw = await (await posted_form(request)).file_bytes("file")
    incubator = await incubators.get(incubators.own_code(operator))
    try:
        rows = registry.parse_csv(raw.decode("utf-8"))
        await registry.import_rows(incubator, rows, actor=operator.label)
    except UnicodeDecodeError:
        return await _problem(request, operator, InvalidInput("the CSV must be UTF-8 encoded"))
    except ServiceDeskError as exc:
        return await _problem(request, operator, exc)
    return redirect("/incubator#firms")


@router.post("/firms/{uscc}/{how}")
async def end_incubation(request: Request, operator: Operator, uscc: str, how: str) -> Response:
    """A firm graduates or leaves."""
    form = await posted_form(request)
    if how not in {"graduate", "leave"}:
        raise InvalidInput("a firm graduates or leaves")
    incubator = await incubators.get(incubators.own_code(operator))
    on = registry.parse_day(form.text("on"), "on")
    try:
        await registry.end(incubator, uscc, how=how, on=on, actor=operator.label)
    except ServiceDeskError as exc:
        return await _problem(request, operator, exc)
    return redirect("/incubator#firms")


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
    return await tables.csv_response(table, request, actor=operator.label)
