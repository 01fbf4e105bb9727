"""Spot checks: a reproducible draw at the policy's rate, and outcomes that count."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from scipy.stats import binom
from tortoise.context import TortoiseContext

from servicedesk.errors import InvalidInput, NotFound
from servicedesk.exemptions import recommendations, spotchecks
from servicedesk.exemptions.models import SpotCheck, WaiverDecision
from servicedesk.exemptions.spotchecks import draw, draw_key, draw_value, is_drawn
from servicedesk.incubators import periods
from servicedesk.incubators import service as incubators
from servicedesk.incubators.models import CreditEvent, Incubator, IndicatorValue, Suspension
from servicedesk.policy import service as policy
from servicedesk.timeutil import today
from tests.factories import login, make_catalogue, make_incubator, make_uscc, make_user, make_world


def test_draw_share_is_binomial_and_reproducible() -> None:
    recommendations = range(1, 10_001)
    key = draw_key("a-server-secret-of-some-length")
    drawn = draw(key, recommendations, 0.05)
    low, high = binom.interval(0.999, 10_000, 0.05)
    assert low <= len(drawn) <= high
    assert drawn == draw(key, recommendations, 0.05)
    assert drawn != draw(draw_key("another-server-secret"), recommendations, 0.05)


async def test_drawn_case_opens_a_spot_check(client: httpx.AsyncClient) -> None:
    world = await make_world(client, rate_a=1.0)
    await world.publish()
    case = await world.submit_and_accept(await world.recommend())
    assert case["inspection"] == "spot_check"
    assert case["spot_check_id"]
    draw_reason = case["inspection_reasons"][-1]
    assert draw_reason["rule"] == "spot_check_draw"
    assert not draw_reason["ok"]
    r = await client.get("/api/v1/spot-checks", headers=world.li)
    check = r.json()[0]
    assert check["case_no"] == case["case_no"]
    assert check["rate"] == 1.0
    assert "draw_seed" not in check
    r = await client.post(
        f"/api/v1/spot-checks/{check['id']}/result",
        headers=world.li,
        json={"outcome": "pass", "notes": ""},
    )
    assert r.status_code == 200
    assert r.json()["outcome"] == "pass"
    quality = await IndicatorValue.get(
        incubator=world.incubator_model,
        name="spot_check_pass_rate",
        source="derived",
        period__not="2026-Q2",
    )
    assert quality.value == 100.0
    r = await client.post(
        f"/api/v1/spot-checks/{check['id']}/result",
        headers=world.li,
        json={"outcome": "fail", "notes": "late"},
    )
    assert r.status_code == 409  # an outcome is recorded once


async def test_falsified_suspends_so_next_recommendation_is_not_waived(
    client: httpx.AsyncClient,
) -> None:
    world = await make_world(client, rate_a=1.0)
    await world.publish()

    second = make_uscc(78)
    await incubators.register_firm(
        world.incubator_model,
        uscc=second,
        name="第二家公司",
        since=world.incubator_model.created_at.date(),
    )
    pending = await world.recommend(uscc=second)  # made before the suspension
    case = await world.submit_and_accept(await world.recommend())
    r = await client.post(
        f"/api/v1/spot-checks/{case['spot_check_id']}/result",
        headers=world.li,
        json={"outcome": "falsified", "notes": ""},
    )
    assert r.status_code == 422  # a failure needs notes
    r = await client.post(
        f"/api/v1/spot-checks/{case['spot_check_id']}/result",
        headers=world.li,
        json={"outcome": "falsified", "notes": "forged R&D audit report"},
    )
    assert r.status_code == 200
    quality = (
        await IndicatorValue.filter(
            incubator=world.incubator_model, name="spot_check_pass_rate", source="derived"
        )
        .order_by("-recorded_at")
        .first()
    )
    assert quality is not None
    assert quality.value == 0.0
    next_case = await world.submit_and_accept(pending, uscc=second)
    assert next_case["inspection"] == "required"
    assert [r["rule"] for r in next_case["inspection_reasons"] if not r["ok"]] == ["privilege"]
    r = await client.post(
        "/api/v1/recommendations",
        headers=world.incubator,
        json={"firm_uscc": world.firm_uscc, "matter_code": "POLICY-MUNI"},
    )
    assert r.status_code == 409
    assert r.json()["error"] == "PrivilegeSuspended"
    run = (
        await client.post("/api/v1/rating-runs", json={"period": "2026-Q4"}, headers=world.li)
    ).json()
    assert run["ratings"][0]["grade"] == "D"  # the next grade is capped
    suspension = (await client.get("/api/v1/suspensions", headers=world.li)).json()[0]
    r = await client.post(
        f"/api/v1/suspensions/{suspension['id']}/lift",
        headers=world.wang,
        json={"reason": "reviewed: the firm, not the incubator, forged it"},
    )
    assert r.status_code == 200
    assert (r.json()["lift_proposed_by"], r.json()["lifted_at"]) == ("official:wang", None)
    alone = await client.post(
        f"/api/v1/suspensions/{suspension['id']}/confirm-lift", headers=world.wang
    )
    assert alone.status_code == 403
    assert alone.json()["error"] == "FourEyesRequired"
    r = await client.post(f"/api/v1/suspensions/{suspension['id']}/confirm-lift", headers=world.li)
    assert r.status_code == 200
    assert r.json()["lifted_by"] == "official:li"


async def test_draw_is_redone_from_the_recommendation_and_kept_from_the_firm(
    client: httpx.AsyncClient,
) -> None:
    world = await make_world(client, rate_a=0.5)
    await world.publish()
    rec_id = await world.recommend()
    case = await world.submit_and_accept(rec_id)
    rules = await policy.current()
    decision = await WaiverDecision.get(case_no=case["case_no"])
    assert decision.policy_version == rules.version
    assert decision.draw_rate == 0.5
    assert decision.draw_value == draw_value(draw_key(), rec_id)
    assert case["inspection"] == ("spot_check" if is_drawn(draw_key(), rec_id, 0.5) else "waived")
    public = await client.get(
        f"/api/v1/cases/{case['case_no']}", params={"query_code": case["query_code"]}
    )
    assert f"{decision.draw_value:.4f}" not in public.text  # the firm never sees its draw
    assert f"{decision.draw_value:.3f}" not in public.text
    policy_answer = (await client.get("/api/v1/policy", headers=world.li)).json()
    assert "draw_seed" not in policy_answer  # and no page shows what the draw is keyed by


async def test_withdraw_and_resubmit_draws_the_same(client: httpx.AsyncClient) -> None:
    """The same recommendation cannot be re-rolled by withdrawing after the draw."""
    world = await make_world(client, rate_a=0.5)
    await world.publish()
    outcomes = []
    for serial in range(6):  # whichever way each draw falls, the retry falls the same way
        uscc = make_uscc(300 + serial)
        await incubators.register_firm(
            world.incubator_model, uscc=uscc, name=f"公司{serial}", since=date(2024, 1, 1)
        )
        rec_id = await world.recommend(uscc=uscc)
        first = await world.submit_and_accept(rec_id, uscc=uscc)
        r = await client.post(
            f"/api/v1/cases/{first['case_no']}/withdraw", headers=world.clerk, json={}
        )
        assert r.status_code == 200, r.text
        second = await world.submit_and_accept(rec_id, uscc=uscc)
        assert second["inspection"] == first["inspection"]
        outcomes.append(first["inspection"])
        if first["inspection"] == "spot_check":
            # The open check moved to the new case: still one check, now for the new case.
            assert second["spot_check_id"] == first["spot_check_id"]
            check = await SpotCheck.get(id=first["spot_check_id"])
            assert check.case_no == second["case_no"]
            assert await SpotCheck.filter(incubator=world.incubator_model).count() == (
                outcomes.count("spot_check")
            )
            assert "spot_check_carried" in [r["rule"] for r in second["inspection_reasons"]]
    assert set(outcomes) == {"spot_check", "waived"}, outcomes


async def _open_check(incubator: Incubator, serial: int) -> SpotCheck:
    case_no = f"HD-AI-20260701-{serial:05d}"
    return await spotchecks.create(
        case_no=case_no,
        incubator=incubator,
        grade="A",
        rate=1.0,
        value=draw_value(draw_key(), serial),
        policy_version=1,
    )


async def _pass_rate(incubator: Incubator) -> float | None:
    row = await IndicatorValue.get(
        incubator=incubator, period=periods.quarter_of(today()), name="spot_check_pass_rate"
    )
    assert row.source == "derived"
    return row.value


async def test_results_count_against_the_incubator_and_set_the_pass_rate(
    db: TortoiseContext,  # noqa: ARG001
) -> None:
    incubator = await make_incubator()
    failed, passed = await _open_check(incubator, 1), await _open_check(incubator, 2)
    check = await spotchecks.record_result(
        failed.id, outcome="fail", notes=" lab not found ", actor="official:li"
    )
    assert (check.outcome, check.notes, check.recorded_by) == (
        "fail",
        "lab not found",
        "official:li",
    )
    event = await CreditEvent.get(incubator=incubator)
    assert (event.kind, event.serious, event.ref) == ("spot_check_fail", True, failed.case_no)
    assert await _pass_rate(incubator) == 0.0
    await spotchecks.record_result(passed.id, outcome="pass", notes="", actor="official:li")
    assert await _pass_rate(incubator) == 50.0
    assert await CreditEvent.filter(incubator=incubator).count() == 1  # a pass is no event
    assert not await Suspension.exists(incubator=incubator)  # a plain failure does not suspend
    assert await spotchecks.open_checks() == []  # both are closed


@pytest.mark.parametrize(
    ("outcome", "notes", "message"),
    [("maybe", "", "outcome must be one of"), ("fail", "  ", "needs notes")],
)
async def test_bad_result_is_refused_and_the_check_stays_open(
    db: TortoiseContext,  # noqa: ARG001
    outcome: str,
    notes: str,
    message: str,
) -> None:
    check = await _open_check(await make_incubator(), 1)
    with pytest.raises(InvalidInput, match=message):
        await spotchecks.record_result(check.id, outcome=outcome, notes=notes, actor="official:li")
    assert (await SpotCheck.get(id=check.id)).outcome is None
    assert not await CreditEvent.exists()


async def test_unknown_check_is_not_found(db: TortoiseContext) -> None:  # noqa: ARG001
    with pytest.raises(NotFound):
        await spotchecks.record_result(404, outcome="pass", notes="", actor="official:li")


async def test_falsified_suspends_once_until_an_official_lifts_it(
    db: TortoiseContext,  # noqa: ARG001
) -> None:
    incubator = await make_incubator()
    first, second, third = [await _open_check(incubator, n) for n in (1, 2, 3)]
    await spotchecks.record_result(
        first.id, outcome="falsified", notes="forged audit", actor="official:li"
    )
    suspension = await recommendations.active_suspension(incubator)
    assert suspension is not None
    assert suspension.spot_check_id == first.id
    assert first.case_no in suspension.reason
    assert "forged audit" in suspension.reason
    assert await CreditEvent.exists(incubator=incubator, kind="falsified", ref=first.case_no)
    await spotchecks.record_result(
        second.id, outcome="falsified", notes="again", actor="official:li"
    )
    assert await Suspension.filter(incubator=incubator).count() == 1  # already suspended
    await recommendations.lift_suspension(suspension.id, actor="official:wang", reason="reviewed")
    assert await recommendations.active_suspension(incubator) is not None  # proposed only
    await recommendations.confirm_lift(suspension.id, actor="official:li")
    assert await recommendations.active_suspension(incubator) is None
    await spotchecks.record_result(
        third.id, outcome="falsified", notes="third", actor="official:li"
    )
    renewed = await recommendations.active_suspension(incubator)
    assert renewed is not None
    assert renewed.spot_check_id == third.id


@pytest.mark.parametrize(("role", "status"), [("clerk", 403), ("incubator", 403)])
async def test_only_officials_record_results(
    client: httpx.AsyncClient, role: str, status: int
) -> None:
    await make_catalogue()
    check = await _open_check(await make_incubator(), 1)
    await make_user(username="someone", role=role)
    headers = await login(client, "someone")
    r = await client.post(
        f"/api/v1/spot-checks/{check.id}/result", json={"outcome": "pass"}, headers=headers
    )
    assert r.status_code == status
    assert (await client.get("/api/v1/spot-checks", headers=headers)).status_code == status
    r = await client.post(f"/api/v1/spot-checks/{check.id}/result", json={"outcome": "pass"})
    assert r.status_code == 401
    assert (await SpotCheck.get(id=check.id)).outcome is None
