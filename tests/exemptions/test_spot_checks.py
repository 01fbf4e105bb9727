"""Spot checks: a reproducible draw at the policy's rate, and outcomes that count."""

from __future__ import annotations

import httpx
from scipy.stats import binom

from servicedesk.exemptions.spotchecks import draw
from servicedesk.incubators import service as incubators
from servicedesk.incubators.models import IndicatorValue
from tests.factories import make_uscc, make_world


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
