"""The officials' dashboard: ratings, review queue, spot checks, models, policy, appeals."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.pages import officials_tables as tables
from kiosk_ui.web import (
    check_csrf,
    language,
    page_gate,
    redirect,
    render,
    staff_on_page,
    translator,
)
from servicedesk.accounts.service import Principal
from servicedesk.catalogue.models import Matter
from servicedesk.errors import Forbidden, NotFound
from servicedesk.exemptions import recommendations, spotchecks
from servicedesk.incubators import service as incubators
from servicedesk.policy import service as policy
from servicedesk.ratings import appeals, training
from servicedesk.ratings import service as ratings

router = APIRouter(prefix="/officials")
GRADES = ("A", "B", "C", "D")


async def official_on_page(request: Request) -> Principal | None:
    return await staff_on_page(request, {"official", "admin"}, "this page is for officials")


OfficialPage = Annotated[Principal, page_gate(official_on_page)]


async def _form(request: Request) -> dict[str, Any]:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    return {k: form.getlist(k) if k.endswith("[]") else str(form.get(k, "")) for k in form}


def _page(request: Request, template: str, principal: Principal, **context: Any) -> Response:
    lang = language(request)
    return render(
        request,
        template,
        principal=principal,
        lang_=lang,
        label=lambda n: tables.feature_label(n, lang),
        **context,
    )


@router.get("", response_class=HTMLResponse)
async def dashboard(
    request: Request, official: OfficialPage, grade: str = "", district: str = "", level: str = ""
) -> Response:
    """Ratings filtered by grade, district and level, with waiver and spot-check figures."""
    ratings_table = await tables.ratings_table(
        grade=grade or None, district=district or None, level=level or None
    )
    grades = await tables.grade_table()
    everyone = await ratings.list_with_ratings()
    return _page(
        request,
        "officials.html",
        official,
        ratings_table=ratings_table,
        grades=grades,
        bars=tables.bar_svg(grades.rows),
        stats=await spotchecks.waiver_stats(),
        queue=len(await ratings.review_queue()),
        grade=grade,
        district=district,
        level=level,
        districts=sorted({v.incubator.district for v in everyone}),
        open_appeals=len(await appeals.list_appeals(open_only=True)),
        suspended=await recommendations.suspensions(active_only=True),
    )


@router.get("/incubators/{code}", response_class=HTMLResponse)
async def incubator_page(request: Request, official: OfficialPage, code: str) -> Response:
    """One incubator: score trend, reasons, indicator history, recommendations, appeals."""
    return _page(
        request,
        "officials_incubator.html",
        official,
        export_base="/officials/export/",
        code_q=f"?code={code}",
        **await incubator_context(code),
    )


async def incubator_context(code: str) -> dict[str, Any]:
    """What both the officials' incubator page and the portal show of an incubator."""
    incubator = await incubators.get(code)
    try:
        current = await ratings.published(code)
    except NotFound:
        current = None
    return {
        "incubator": incubator,
        "current": current,
        "trend": await tables.trend(code),
        "history": await tables.history_table(code),
        "indicators": await tables.indicator_table(code),
        "recs": await tables.recommendation_table(code),
        "appeals": await tables.appeal_table(code),
        "suspension": await recommendations.active_suspension(incubator),
    }


@router.get("/review", response_class=HTMLResponse)
async def review_page(request: Request, official: OfficialPage, run: int | None = None) -> Response:
    """Rating runs: start one, review and confirm its ratings, publish it."""
    runs = await ratings.list_runs()
    selected = await ratings.get_run(run or runs[0].id) if runs else None
    items = sorted(selected.ratings, key=lambda r: r.incubator.code) if selected else []
    for r in items:
        r.run = selected  # type: ignore[assignment]
    return _page(
        request,
        "officials_review.html",
        official,
        runs=runs,
        run=selected,
        items=items,
        models=await training.list_models(),
        grades=GRADES,
    )


@router.post("/review/start")
async def start_run(request: Request) -> Response:
    official = await _require(request)
    form = await _form(request)
    run = await ratings.start_run(
        form.get("period", ""),
        actor=official.label,
        model_version=form.get("model_version") or None,
    )
    return redirect(f"/officials/review?run={run.id}")


@router.post("/review/{run_id}/{action}")
async def run_action(request: Request, run_id: int, action: str) -> Response:
    """approve-all, confirm-all or publish a run."""
    official = await _require(request)
    await _form(request)
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
async def rating_action(request: Request, rating_id: int, action: str) -> Response:
    """Review (approve / override) or confirm one rating."""
    official = await _require(request)
    form = await _form(request)
    if action == "review":
        rating = await ratings.review(
            rating_id,
            decision=form.get("decision", ""),
            grade=form.get("grade") or None,
            reason=form.get("reason", ""),
            actor=official.label,
        )
    elif action == "confirm":
        rating = await ratings.confirm(rating_id, actor=official.label)
    else:
        raise NotFound(f"unknown action {action!r}")
    return redirect(f"/officials/review?run={rating.run.id}#rating-{rating_id}")


async def _require(request: Request) -> Principal:
    official = await official_on_page(request)
    if official is None:
        raise Forbidden("log in as an official first")
    return official


@router.get("/spot-checks", response_class=HTMLResponse)
async def spot_checks_page(request: Request, official: OfficialPage) -> Response:
    """Open spot checks to record, suspensions to review, waiver decisions."""
    return _page(
        request,
        "officials_spotchecks.html",
        official,
        open_checks=await spotchecks.open_checks(),
        checks=await tables.spot_check_table(),
        waivers=await tables.waiver_table(),
        suspensions=await recommendations.suspensions(),
    )


@router.post("/spot-checks/{check_id}/result")
async def spot_check_result(request: Request, check_id: int) -> Response:
    official = await _require(request)
    form = await _form(request)
    await spotchecks.record_result(
        check_id, outcome=form.get("outcome", ""), notes=form.get("notes", ""), actor=official.label
    )
    return redirect("/officials/spot-checks")


@router.post("/suspensions/{suspension_id}/lift")
async def lift_suspension(request: Request, suspension_id: int) -> Response:
    official = await _require(request)
    form = await _form(request)
    await recommendations.lift_suspension(
        suspension_id, actor=official.label, reason=form.get("reason", "")
    )
    return redirect("/officials/spot-checks")


@router.get("/models", response_class=HTMLResponse)
async def models_page(request: Request, official: OfficialPage) -> Response:
    """Model versions with validation figures side by side; train and promote."""
    return _page(request, "officials_models.html", official, models=await training.list_models())


@router.post("/models/train")
async def train_model(request: Request) -> Response:
    official = await _require(request)
    await _form(request)
    await training.train(actor=official.label)
    return redirect("/officials/models")


@router.post("/models/{version}/promote")
async def promote_model(request: Request, version: str) -> Response:
    official = await _require(request)
    await _form(request)
    await training.promote(version, actor=official.label)
    return redirect("/officials/models")


@router.get("/policy", response_class=HTMLResponse)
async def policy_page(request: Request, official: OfficialPage) -> Response:
    """The waiver policy in force, its history, and a form for a new version."""
    waivable = await Matter.filter(inspection_waivable=True).order_by("code")
    return _page(
        request,
        "officials_policy.html",
        official,
        policy=await policy.current(),
        history=await policy.history(),
        matters=waivable,
        grades=GRADES,
    )


@router.post("/policy")
async def save_policy(request: Request) -> Response:
    official = await _require(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    rates = {g: float(str(form.get(f"rate_{g}") or 0)) / 100 for g in GRADES}
    await policy.save(
        actor=official.label,
        waiver_grades=[str(g) for g in form.getlist("waiver_grades")],
        spot_check_rates=rates,
        quota_per_period=int(str(form.get("quota_per_period") or 0)),
        waivable_matters=[str(m) for m in form.getlist("waivable_matters")],
        graduate_window_days=int(str(form.get("graduate_window_days") or 365)),
        note=str(form.get("note", "")),
    )
    return redirect("/officials/policy")


@router.get("/appeals", response_class=HTMLResponse)
async def appeals_page(request: Request, official: OfficialPage) -> Response:
    """Appeals against published ratings, and their outcomes."""
    return _page(
        request,
        "officials_appeals.html",
        official,
        items=await appeals.list_appeals(),
        appeals_table=await tables.appeal_table(),
        grades=GRADES,
    )


@router.post("/appeals/{appeal_id}/decide")
async def decide_appeal(request: Request, appeal_id: int) -> Response:
    official = await _require(request)
    form = await _form(request)
    await appeals.decide(
        appeal_id,
        outcome=form.get("outcome", ""),
        note=form.get("note", ""),
        new_grade=form.get("new_grade") or None,
        actor=official.label,
    )
    return redirect("/officials/appeals")


@router.post("/appeals/{appeal_id}/confirm")
async def confirm_appeal(request: Request, appeal_id: int) -> Response:
    official = await _require(request)
    await _form(request)
    await appeals.confirm(appeal_id, actor=official.label)
    return redirect("/officials/appeals")


@router.get("/export/{name}.csv", dependencies=[page_gate(official_on_page)])
async def export(
    request: Request,
    name: str,
    code: str = "",
    grade: str = "",
    district: str = "",
    level: str = "",
    run: int | None = None,
) -> Response:
    """Any dashboard table as CSV."""
    table = await build_table(
        name,
        lang=language(request),
        code=code,
        grade=grade,
        district=district,
        level=level,
        run=run,
    )
    return csv_response(table, request)


async def build_table(
    name: str,
    *,
    lang: str,
    code: str = "",
    grade: str = "",
    district: str = "",
    level: str = "",
    run: int | None = None,
) -> tables.Table:
    if name == "ratings":
        return await tables.ratings_table(
            grade=grade or None, district=district or None, level=level or None
        )
    if name == "review":
        selected = await ratings.get_run(run) if run else None
        items = sorted(selected.ratings, key=lambda r: r.incubator.code) if selected else []
        for r in items:
            r.run = selected  # type: ignore[assignment]
        return tables.rating_rows(items, lang=lang)
    simple = {
        "grades": tables.grade_table,
        "spotchecks": tables.spot_check_table,
        "waivers": tables.waiver_table,
        "appeals": tables.appeal_table,
    }
    if name in simple:
        return await simple[name]()
    per_incubator = {
        "indicators": tables.indicator_table,
        "recommendations": tables.recommendation_table,
        "history": tables.history_table,
    }
    if name in per_incubator and code:
        return await per_incubator[name](code)
    raise NotFound(f"no table {name!r}")


def csv_response(table: tables.Table, request: Request) -> Response:
    body = table.csv(translator(language(request)))
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{table.name}.csv"'},
    )
