"""Rating runs: propose, review, four-eyes confirmation, publication, appeals."""

from __future__ import annotations

import httpx

from servicedesk.audit.models import AuditEntry
from servicedesk.incubators import indicators
from servicedesk.incubators.models import CreditEvent
from servicedesk.ratings.models import Rating, RatingRun
from servicedesk.timeutil import now
from tests.factories import POOR, login, make_catalogue, make_incubator, make_user, publish_run


async def _officials(client: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, str]]:
    await make_catalogue()
    await make_user(username="li", role="official")
    await make_user(username="wang", role="official")
    return await login(client, "li"), await login(client, "wang")


async def _start(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, object]:
    r = await client.post("/api/v1/rating-runs", json={"period": "2026-Q3"}, headers=headers)
    assert r.status_code == 201, r.text
    data: dict[str, object] = r.json()
    return data


async def test_run_proposes_score_grade_reasons(client: httpx.AsyncClient) -> None:
    li, _ = await _officials(client)
    await make_incubator()
    await make_incubator(code="INC-DX-001", values=POOR, level="municipal", district="大兴区")
    run = await _start(client, li)
    assert run["status"] == "open"
    assert run["period"] == "2026-Q3"
    by_code = {r["incubator_code"]: r for r in run["ratings"]}  # type: ignore[attr-defined]
    assert by_code["INC-HD-001"]["grade"] == "A"
    assert by_code["INC-HD-001"]["score"] == 100
    poor = by_code["INC-DX-001"]
    assert poor["grade"] in {"C", "D"}
    assert poor["status"] == "proposed"
    assert poor["reasons"]
    assert {"feature", "points_lost"} <= set(poor["reasons"][0])
    assert sum(r["points_lost"] for r in poor["reasons"]) <= 100 - poor["score"]


async def test_reviewer_cannot_confirm_and_publish_needs_all_confirmed(
    client: httpx.AsyncClient,
) -> None:
    li, wang = await _officials(client)
    await make_incubator()
    await make_incubator(code="INC-DX-001", values=POOR)
    run = await _start(client, li)
    by_code = {r["incubator_code"]: r for r in run["ratings"]}  # type: ignore[attr-defined]
    first, second = by_code["INC-HD-001"], by_code["INC-DX-001"]
    r = await client.post(
        f"/api/v1/ratings/{first['id']}/review",
        json={"decision": "override", "grade": "B"},
        headers=li,
    )
    assert r.status_code == 422  # an override needs a written reason
    r = await client.post(
        f"/api/v1/ratings/{first['id']}/review",
        headers=li,
        json={"decision": "override", "grade": "B", "reason": "site visit"},
    )
    assert r.status_code == 200
    assert r.json()["grade"] == "B"
    r = await client.post(f"/api/v1/ratings/{first['id']}/confirm", headers=li)
    assert r.status_code == 403
    assert r.json()["error"] == "FourEyesRequired"
    r = await client.post(f"/api/v1/ratings/{first['id']}/confirm", headers=wang)
    assert r.status_code == 200
    assert r.json()["status"] == "confirmed"
    r = await client.post(f"/api/v1/rating-runs/{run['id']}/publish", headers=li)
    assert r.status_code == 409  # the second rating is not confirmed
    assert (await client.get("/api/v1/incubators/INC-HD-001/rating")).status_code == 404
    await client.post(
        f"/api/v1/ratings/{second['id']}/review", json={"decision": "approve"}, headers=wang
    )
    await client.post(f"/api/v1/ratings/{second['id']}/confirm", headers=li)
    r = await client.post(f"/api/v1/rating-runs/{run['id']}/publish", headers=li)
    assert r.status_code == 200
    assert r.json()["status"] == "published"
    published = (await client.get("/api/v1/incubators/INC-HD-001/rating")).json()
    assert set(published) == {
        "incubator_code",
        "score",
        "grade",
        "reasons",
        "model_version",
        "published_at",
    }
    assert published["grade"] == "B"
    assert published["model_version"] == "expert-v1"
    listing = (await client.get("/api/v1/incubators")).json()
    graded = {i["code"]: i["rating"]["grade"] for i in listing if i["rating"]}
    assert graded["INC-HD-001"] == "B"
    assert set(listing[0]) == {"code", "name", "level", "district", "rating"}
    actions = set(await AuditEntry.all().values_list("action", flat=True))
    assert {"rating.override", "rating.confirm", "rating_run.publish"} <= actions


async def test_new_publication_replaces_the_previous(client: httpx.AsyncClient) -> None:
    li, wang = await _officials(client)
    await make_incubator()
    await publish_run(client, reviewer=li, confirmer=wang, period="2026-Q2")
    await make_incubator(values=POOR, period="2026-Q3")
    run = await publish_run(client, reviewer=wang, confirmer=li, period="2026-Q3")
    published = (await client.get("/api/v1/incubators/INC-HD-001/rating")).json()
    assert published["grade"] == run["ratings"][0]["grade"] != "A"


async def test_falsified_material_caps_grade_at_d(client: httpx.AsyncClient) -> None:
    li, _ = await _officials(client)
    inc = await make_incubator()
    await CreditEvent.create(
        incubator=inc,
        period="2026-Q3",
        kind="falsified",
        ref="X",
        recorded_by="official:li",
        recorded_at=now(),
    )
    run = await _start(client, li)
    rating = run["ratings"][0]  # type: ignore[index]
    assert rating["model_grade"] == "A"
    assert rating["grade"] == "D"
    assert rating["caps"][0]["rule"] == "falsified"
    r = await client.post(
        f"/api/v1/ratings/{rating['id']}/review",
        headers=li,
        json={"decision": "override", "grade": "A", "reason": "no"},
    )
    assert r.status_code == 409  # an override cannot lift a hard cap


async def test_only_officials_run_ratings(client: httpx.AsyncClient) -> None:
    await make_catalogue()
    await make_user(username="inc", role="incubator")
    headers = await login(client, "inc")
    r = await client.post("/api/v1/rating-runs", json={"period": "2026-Q3"}, headers=headers)
    assert r.status_code == 403
    assert r.json()["error"] == "Forbidden"
    assert await RatingRun.all().count() == 0
    li = await _officials(client)
    r = await client.post("/api/v1/rating-runs", json={"period": "26-Q3"}, headers=li[0])
    assert r.status_code == 422


async def test_appeal_flow(client: httpx.AsyncClient) -> None:
    li, wang = await _officials(client)
    await make_incubator(values=POOR)
    await make_user(username="inc", role="incubator")
    inc = await login(client, "inc")
    r = await client.post("/api/v1/appeals", json={"reason": "no rating yet"}, headers=inc)
    assert r.status_code == 404
    await publish_run(client, reviewer=li, confirmer=wang)
    before = (await client.get("/api/v1/incubators/INC-HD-001/rating")).json()["grade"]
    r = await client.post(
        "/api/v1/appeals", headers=inc, json={"reason": "our violation was annulled on 2026-08-01"}
    )
    assert r.status_code == 201, r.text
    appeal = r.json()
    assert appeal["status"] == "open"
    assert appeal["grade_appealed"] == before
    r = await client.post("/api/v1/appeals", json={"reason": "again"}, headers=inc)
    assert r.status_code == 409
    r = await client.post(
        f"/api/v1/appeals/{appeal['id']}/decide",
        headers=li,
        json={"outcome": "upheld", "note": "annulment verified"},
    )
    assert r.status_code == 422  # upheld needs the corrected grade
    r = await client.post(
        f"/api/v1/appeals/{appeal['id']}/decide",
        headers=li,
        json={
            "outcome": "upheld",
            "new_grade": "B",
            "note": "annulment verified with the district bureau",
        },
    )
    assert r.status_code == 200
    assert r.json()["status"] == "upheld_pending"  # a second official must confirm
    rating = (await client.get("/api/v1/incubators/INC-HD-001/rating")).json()
    assert rating["grade"] == before
    r = await client.post(f"/api/v1/appeals/{appeal['id']}/confirm", headers=li)
    assert r.status_code == 403
    assert r.json()["error"] == "FourEyesRequired"
    r = await client.post(f"/api/v1/appeals/{appeal['id']}/confirm", headers=wang)
    assert r.status_code == 200
    assert r.json()["status"] == "upheld"
    assert r.json()["confirmed_by"] == "official:wang"
    assert (await client.get("/api/v1/incubators/INC-HD-001/rating")).json()["grade"] == "B"
    r = await client.post(
        f"/api/v1/appeals/{appeal['id']}/decide",
        headers=wang,
        json={"outcome": "dismissed", "note": "late"},
    )
    assert r.status_code == 409
    assert await AuditEntry.filter(action="appeal.upheld").exists()


async def test_partial_period_carries_other_indicators_forward(
    client: httpx.AsyncClient,
) -> None:
    li, _ = await _officials(client)
    inc = await make_incubator(period="2026-Q2")
    await indicators.set_derived(inc, "2026-Q3", "spot_check_pass_rate", 50.0)
    rating = (await _start(client, li))["ratings"][0]  # type: ignore[index]
    assert rating["indicator_period"] == "2026-Q3"
    assert rating["score"] == 90  # only the spot-check indicator lost points
    assert rating["reasons"] == [{"feature": "spot_check_pass_rate", "points_lost": 10.0}]


async def test_two_runs_published_at_once_leave_one_current_rating(
    client: httpx.AsyncClient,
) -> None:
    import asyncio

    li, wang = await _officials(client)
    await make_incubator()
    runs = []
    for period in ("2026-Q2", "2026-Q3"):
        run = (await client.post("/api/v1/rating-runs", json={"period": period}, headers=li)).json()
        for rating in run["ratings"]:
            await client.post(
                f"/api/v1/ratings/{rating['id']}/review", json={"decision": "approve"}, headers=li
            )
            await client.post(f"/api/v1/ratings/{rating['id']}/confirm", headers=wang)
        runs.append(run)
    answers = await asyncio.gather(
        *[client.post(f"/api/v1/rating-runs/{run['id']}/publish", headers=li) for run in runs]
    )
    assert [a.status_code for a in answers] == [200, 200]
    assert await Rating.filter(is_current=True).count() == 1
    assert (await client.get("/api/v1/incubators/INC-HD-001/rating")).status_code == 200
