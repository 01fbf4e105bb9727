"""Waivers and spot checks: record spot-check outcomes, lift suspensions, set the
waiver policy."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui import tables
from kiosk_ui.pages.officials.common import GRADES, Official, page
from kiosk_ui.web import posted_form, redirect
from servicedesk.catalogue import service as catalogue
from servicedesk.exemptions import recommendations, spotchecks
from servicedesk.policy import service as policy

router = APIRouter()


@router.get("/spot-checks", response_class=HTMLResponse)
async def spot_checks_page(request: Request, official: Official) -> Response:
    """Open spot checks to record, suspensions to review, waiver decisions."""
    return page(
        request,
        "officials_spotchecks.html",
        official,
        open_checks=await spotchecks.open_checks(),
        checks=await tables.spot_check_table(),
        waivers=await tables.waiver_table(),
        suspensions=await recommendations.suspensions(),
    )


@router.post("/spot-checks/{check_id}/result")
async def spot_check_result(request: Request, official: Official, check_id: int) -> Response:
    """Record the outcome of one spot check."""
    form = await posted_form(request)
    await spotchecks.record_result(
        check_id, outcome=form.text("outcome"), notes=form.text("notes"), actor=official.label
    )
    return redirect("/officials/spot-checks")


@router.post("/suspensions/{suspension_id}/lift")
async def lift_suspension(request: Request, official: Official, suspension_id: int) -> Response:
    """Lift a suspended waiver privilege, with the reason."""
    form = await posted_form(request)
    await recommendations.lift_suspension(
        suspension_id, actor=official.label, reason=form.text("reason")
    )
    return redirect("/officials/spot-checks")


@router.get("/policy", response_class=HTMLResponse)
async def policy_page(request: Request, official: Official) -> Response:
    """The waiver policy in force, its history, and a form for a new version."""
    return page(
        request,
        "officials_policy.html",
        official,
        policy=await policy.current(),
        history=await policy.history(),
        matters=await catalogue.waivable_matters(),
        grades=GRADES,
    )


@router.post("/policy")
async def save_policy(request: Request, official: Official) -> Response:
    """Save the form as a new version of the waiver policy."""
    form = await posted_form(request)
    await policy.save(
        actor=official.label,
        waiver_grades=form.texts("waiver_grades"),
        spot_check_rates={g: float(form.text(f"rate_{g}") or 0) / 100 for g in GRADES},
        quota_per_period=int(form.text("quota_per_period") or 0),
        waivable_matters=form.texts("waivable_matters"),
        graduate_window_days=int(form.text("graduate_window_days") or 365),
        note=form.text("note"),
    )
    return redirect("/officials/policy")
