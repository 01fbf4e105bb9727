"""Spot checks: a reproducible draw at the policy's rate, and outcomes that count."""

from __future__ import annotations

import httpx
import pytest
from scipy.stats import binom
from tortoise.context import TortoiseContext

from servicedesk.audit.models import AuditEntry
from servicedesk.errors import InvalidInput, NotFound
from servicedesk.exemptions import recommendations, spotchecks
from servicedesk.exemptions.models import SpotCheck, WaiverDecision
from servicedesk.exemptions.spotchecks import draw, draw_value, is_drawn
from servicedesk.incubators import periods
from servicedesk.incubators import service as incubators
from servicedesk.incubators.models import CreditEvent, Incubator, IndicatorValue, Suspension
from servicedesk.policy import service as policy
from servicedesk.timeutil import today
from tests.factories import login, make_catalogue, make_incubator, make_uscc, make_user, make_world


def test_draw_share_is_binomial_and_reproducible() -> None:
    cases = [f"HD-AI-20261128-{i:05d}" for i in range(10_000)]
    drawn = draw("seed-of-policy-7", cases, 0.05)
    low, high = binom.interval(0.999, 10_000, 0.05)
    assert low <= len(drawn) <= high
    assert drawn == draw("seed-of-policy-7", cases, 0.05)
    assert drawn != draw("another-seed", cases, 0.05)


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
    assert check["draw_seed"]
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
    assert r.json()["lifted_by"] == "official:wang"


async def test_draw_is_redone_from_the_recorded_seed(client: httpx.AsyncClient) -> None:
    world = await make_world(client, rate_a=0.5)
    await world.publish()
    case = await world.submit_and_accept(await world.recommend())
    rules = await policy.current()
    decision = await WaiverDecision.get(case_no=case["case_no"])
    assert decision.policy_version == rules.version
    assert decision.draw_rate == 0.5
    assert decision.draw_value == draw_value(rules.draw_seed, case["case_no"])
    drawn = is_drawn(rules.draw_seed, case["case_no"], 0.5)
    assert case["inspection"] == ("spot_check" if drawn else "waived")
    assert f"{decision.draw_value:.4f}" in case["inspection_reasons"][-1]["detail"]


async def test_spot_check_records_its_seed_and_value(client: httpx.AsyncClient) -> None:
    world = await make_world(client, rate_a=1.0)
    await world.publish()
    case = await world.submit_and_accept(await world.recommend())
    check = await SpotCheck.get(id=case["spot_check_id"])
    assert check.draw_seed == (await policy.current()).draw_seed
    assert check.draw_value == draw_value(check.draw_seed, check.case_no)
    assert is_drawn(check.draw_seed, check.case_no, check.rate)
    entry = await AuditEntry.get(action="spot_check.draw", entity_id=str(check.id))
    assert entry.after == {
        "case_no": check.case_no,
        "rate": check.rate,
        "seed": check.draw_seed,
        "value": check.draw_value,
    }


async def _open_check(incubator: Incubator, serial: int) -> SpotCheck:
    case_no = f"HD-AI-20260701-{serial:05d}"
    return await spotchecks.create(
        case_no=case_no,
        incubator=incubator,
        grade="A",
        rate=1.0,
        seed="seed-1",
        value=draw_value("seed-1", case_no),
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
