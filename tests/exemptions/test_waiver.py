"""The waiver decision at acceptance: every condition of DESIGN §3, each on its own."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest

from servicedesk.exemptions.models import Recommendation, WaiverDecision
from servicedesk.incubators.models import Incubation, IncubationStatus, Suspension
from servicedesk.timeutil import now, today
from tests.factories import World, case_body, make_uscc, make_world, set_policy

RULES = [
    "matter_waivable",
    "recommendation",
    "recommendation_valid",
    "incubation",
    "rating",
    "privilege",
]


def failing(case: dict[str, object]) -> list[str]:
    return [r["rule"] for r in case["inspection_reasons"] if not r["ok"]]  # type: ignore[attr-defined,index]


async def test_all_conditions_hold_waives_and_stores_versions(client: httpx.AsyncClient) -> None:
    world = await make_world(client)
    await world.publish()
    case = await world.submit_and_accept(await world.recommend())
    assert case["inspection"] == "waived"
    rules = [r["rule"] for r in case["inspection_reasons"]]
    assert rules == [*RULES, "spot_check_draw"]
    assert all(r["ok"] for r in case["inspection_reasons"])
    decision = await WaiverDecision.get(case_no=case["case_no"])
    assert decision.rating_id is not None
    assert decision.grade == "A"
    assert decision.policy_version >= 1
    # The firm's progress query shows the same decision and reasons.
    r = await client.get(
        f"/api/v1/cases/{case['case_no']}", params={"query_code": case["query_code"]}
    )
    assert r.json()["inspection"] == "waived"
    assert r.json()["inspection_reasons"] == case["inspection_reasons"]


async def _no_recommendation(world: World) -> int | None:  # noqa: ARG001
    return None


async def _revoked(world: World) -> int | None:
    return await world.recommend()  # revoked after submission below


async def _expired(world: World) -> int | None:
    rec_id = await world.recommend()
    await Recommendation.filter(id=rec_id).update(valid_until=today() - timedelta(days=1))
    return rec_id


async def _beyond_quota(world: World) -> int | None:
    await set_policy(quota_per_period=2)
    await world.recommend(matter="POLICY-MUNI")
    rec_id = await world.recommend()
    await set_policy(quota_per_period=1)
    return rec_id


async def _graduated_long_ago(world: World) -> int | None:
    rec_id = await world.recommend()
    await Incubation.filter(incubator=world.incubator_model).update(
        status=IncubationStatus.GRADUATED, graduated_on=today() - timedelta(days=400)
    )
    return rec_id


async def _grade_not_allowed(world: World) -> int | None:
    rec_id = await world.recommend()
    await set_policy(waiver_grades=["B"])
    return rec_id


async def _suspended(world: World) -> int | None:
    rec_id = await world.recommend()
    await Suspension.create(
        incubator=world.incubator_model, reason="test", started_at=now(), started_by="official:li"
    )
    return rec_id


async def _matter_not_in_policy(world: World) -> int | None:
    rec_id = await world.recommend()
    await set_policy(waivable_matters=["POLICY-MUNI"])
    return rec_id


@pytest.mark.parametrize(
    ("setup", "rule"),
    [
        (_no_recommendation, "recommendation"),
        (_expired, "recommendation_valid"),
        (_revoked, "recommendation_valid"),
        (_beyond_quota, "recommendation_valid"),
        (_graduated_long_ago, "incubation"),
        (_grade_not_allowed, "rating"),
        (_suspended, "privilege"),
        (_matter_not_in_policy, "matter_waivable"),
    ],
)
async def test_each_condition_failing_alone_requires_inspection(
    client: httpx.AsyncClient, setup: object, rule: str
) -> None:
    world = await make_world(client)
    await world.publish()
    rec_id = await setup(world)  # type: ignore[operator]
    if setup is _revoked:
        body_case = await _submit(world, rec_id)
        r = await client.post(f"/api/v1/recommendations/{rec_id}/revoke", headers=world.incubator)
        assert r.status_code == 409  # attached to a case: no longer revocable
        await Recommendation.filter(id=rec_id).update(revoked_at=now())
        case = await _accept(world, body_case)
    else:
        case = await world.submit_and_accept(rec_id)
    assert case["inspection"] == "required"
    failed = failing(case)
    assert failed[0] == rule
    if rule != "recommendation":  # without a recommendation the incubator checks cannot pass
        assert failed == [rule]
    reason = next(r for r in case["inspection_reasons"] if r["rule"] == rule)
    assert reason["detail"]
    assert reason["detail_zh"]


async def _submit(world: World, rec_id: int | None) -> str:
    r = await world.client.post(
        "/api/v1/cases",
        headers=world.clerk,
        json=case_body(uscc=world.firm_uscc, recommendation_id=rec_id),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["case_no"])


async def _accept(world: World, case_no: str) -> dict[str, object]:
    r = await world.client.post(f"/api/v1/cases/{case_no}/accept", headers=world.clerk)
    assert r.status_code == 200, r.text
    data: dict[str, object] = r.json()
    return data


async def test_unpublished_run_never_drives_a_waiver(client: httpx.AsyncClient) -> None:
    world = await make_world(client)
    r = await client.post("/api/v1/rating-runs", json={"period": "2026-Q3"}, headers=world.li)
    rating = r.json()["ratings"][0]
    assert rating["grade"] == "A"
    await client.post(
        f"/api/v1/ratings/{rating['id']}/review", json={"decision": "approve"}, headers=world.li
    )
    await client.post(f"/api/v1/ratings/{rating['id']}/confirm", headers=world.wang)
    case = await world.submit_and_accept(await world.recommend())  # confirmed, not published
    assert case["inspection"] == "required"
    assert failing(case) == ["rating"]
    assert (await client.get("/api/v1/incubators/INC-HD-001/rating")).status_code == 404


async def test_matter_without_inspection_is_not_applicable(client: httpx.AsyncClient) -> None:
    world = await make_world(client)
    case = await world.submit_and_accept(None, matter="TECH-SME")
    assert case["inspection"] == "not_applicable"


async def test_submission_checks_the_recommendation(client: httpx.AsyncClient) -> None:
    world = await make_world(client)
    rec_id = await world.recommend()

    other = case_body(uscc=make_uscc(5), recommendation_id=rec_id)
    r = await client.post("/api/v1/cases", json=other, headers=world.clerk)
    assert r.status_code == 422
    assert "for this firm and matter" in r.json()["detail"]  # never whose it is
    await _submit(world, rec_id)
    r = await client.post(
        "/api/v1/cases",
        headers=world.clerk,
        json=case_body(uscc=world.firm_uscc, recommendation_id=rec_id),
    )
    assert r.status_code == 409


async def test_recommendation_rules(client: httpx.AsyncClient) -> None:
    world = await make_world(client)

    r = await client.post(
        "/api/v1/recommendations",
        headers=world.incubator,
        json={"firm_uscc": make_uscc(9), "matter_code": "HTE-CERT"},
    )
    assert r.status_code == 404  # an unknown firm
    r = await client.post(
        "/api/v1/recommendations",
        headers=world.incubator,
        json={"firm_uscc": world.firm_uscc, "matter_code": "REG-CHANGE"},
    )
    assert r.status_code == 422  # not waivable
    key = {"Idempotency-Key": "rec-1", **world.incubator}
    body = {"firm_uscc": world.firm_uscc, "matter_code": "HTE-CERT"}
    first = await client.post("/api/v1/recommendations", headers=key, json=body)
    again = await client.post("/api/v1/recommendations", headers=key, json=body)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert await Recommendation.all().count() == 1
    r = await client.post("/api/v1/recommendations", headers=world.incubator, json=body)
    assert r.status_code == 409  # already recommended, unused
    r = await client.post("/api/v1/recommendations", headers=world.clerk, json=body)
    assert r.status_code == 403
    assert r.json()["error"] == "Forbidden"
    assert await Recommendation.all().count() == 1
    await set_policy(quota_per_period=1)
    r = await client.post(
        "/api/v1/recommendations",
        headers=world.incubator,
        json={**body, "matter_code": "POLICY-MUNI"},
    )
    assert r.status_code == 409
    assert r.json()["error"] == "QuotaExceeded"
    _ = date  # noqa: F841
