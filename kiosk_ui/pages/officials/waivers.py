"""Waivers and spot checks: record spot-check outcomes, lift suspensions, set the
waiver policy."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui import tables
from kiosk_ui.pages.officials.common import GRADES, Official, page
from kiosk_ui.web import form_int, form_number, posted_form, redirect, validated
from servicedesk.catalogue import service as catalogue
from servicedesk.errors import NotFound
from servicedesk.exemptions import recommendations, spotchecks
from servicedesk.exemptions.schemas import LiftIn, SpotCheckResultIn
from servicedesk.policy import service as policy
from servicedesk.policy.schemas import PolicyCreate

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
    body = validated(
        SpotCheckResultIn, {"outcome": form.text("outcome"), "notes": form.text("notes")}
    )
    await spotchecks.record_result(
        check_id, outcome=body.outcome, notes=body.notes, actor=official.label
    )
    return redirect("/officials/spot-checks")


@router.post("/suspensions/{suspension_id}/lift")
async def lift_suspension(request: Request, official: Official, suspension_id: int) -> Response:
    """Propose lifting a suspended waiver privilege, with the reason."""
    form = await posted_form(request)
    body = validated(LiftIn, {"reason": form.text("reason")})
    await recommendations.lift_suspension(suspension_id, actor=official.label, reason=body.reason)
    return redirect("/officials/spot-checks")


@router.post("/suspensions/{suspension_id}/confirm-lift")
async def confirm_lift(request: Request, official: Official, suspension_id: int) -> Response:
    """Confirm a lift another official proposed."""
    await posted_form(request)
    await recommendations.confirm_lift(suspension_id, actor=official.label)
    return redirect("/officials/spot-checks")


@router.get("/policy", response_class=HTMLResponse)
async def policy_page(request: Request, official: Official) -> Response:
    """The waiver policy in force, proposals to confirm, its history, a form for a new one."""
    history = await policy.history()
    return page(
        request,
        "officials_policy.html",
        official,
        policy=await policy.current(),
        history=history,
        proposals=[p for p in history if p.status == "proposed"],
        matters=await catalogue.waivable_matters(),
        grades=GRADES,
    )


@router.post("/policy")
async def save_policy(request: Request, official: Official) -> Response:
    """Propose the form as a new version of the waiver policy (validated as the API's)."""
    form = await posted_form(request)
    rates = {g: form_number(form.text(f"rate_{g}"), field=f"rate_{g}", scale=0.01) for g in GRADES}
    body = validated(
        PolicyCreate,
        {
            "waiver_grades": form.texts("waiver_grades"),
            "spot_check_rates": rates,
            "quota_per_period": form_int(form.text("quota_per_period"), field="quota_per_period"),
            "waivable_matters": form.texts("waivable_matters"),
            "graduate_window_days": form_int(
                form.text("graduate_window_days") or "365", field="graduate_window_days"
            ),
            "note": form.text("note"),
        },
    )
    await policy.save(actor=official.label, **body.model_dump())
    return redirect("/officials/policy")


@router.post("/policy/{version}/{action}")
async def decide_proposal(
    request: Request, official: Official, version: int, action: str
) -> Response:
    """Confirm (a different official) or withdraw a proposed version."""
    await posted_form(request)
    if action == "confirm":
        await policy.confirm(version, actor=official.label)
    elif action == "withdraw":
        await policy.withdraw(version, actor=official.label)
    else:
        raise NotFound(f"no action {action!r} on a policy version")
    return redirect("/officials/policy")
