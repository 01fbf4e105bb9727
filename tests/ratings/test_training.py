"""Learned cards trained on recorded outcomes; promotion needs two officials."""

from __future__ import annotations

import httpx

from credit.incubator import generate_histories
from servicedesk.incubators import indicators
from servicedesk.incubators import service as incubators
from servicedesk.incubators.models import CreditEvent
from servicedesk.incubators.periods import next_period, quarters_before
from servicedesk.timeutil import now
from tests.factories import login, make_catalogue, make_user, page_login


async def _history(n: int = 40) -> None:
    quarters = quarters_before("2026-Q4", 8)
    data = generate_histories(n_incubators=n, n_periods=len(quarters), seed=3)
    for i in range(n):
        inc = await incubators.create(
            f"INC-T-{i:03d}", name=f"T{i}", level="district", district="海淀区"
        )
        rows = data[data["incubator_id"] == f"INC{i:04d}"]
        table = {}
        for _, row in rows.iterrows():
            period = quarters[int(row["period"]) - 1]
            table[period] = {
                k: None if row[k] != row[k] else float(row[k]) for k in indicators.INDICATOR_NAMES
            }
            if row["bad"]:
                await CreditEvent.create(
                    incubator=inc,
                    period=next_period(period),
                    kind="violation",
                    recorded_by="test",
                    recorded_at=now(),
                )
        await indicators.record(inc, table, actor="test", source="derived")


async def test_train_validate_and_promote_with_two_officials(client: httpx.AsyncClient) -> None:
    await make_catalogue()
    await make_user(username="li", role="official")
    await make_user(username="wang", role="official")
    li, wang = await login(client, "li"), await login(client, "wang")
    await _history()
    r = await client.post("/api/v1/models/train", headers=li)
    assert r.status_code == 201, r.text
    model = r.json()
    assert model["kind"] == "learned"
    assert model["status"] == "candidate"
    validation = model["validation"]
    assert validation["active"]["version"] == "expert-v1"
    for side in ("candidate", "active"):
        assert 0 <= validation[side]["auc"] <= 1
        assert validation[side]["n"] > 0
    assert validation["candidate"]["n"] == validation["active"]["n"]  # the same data
    r = await client.post(f"/api/v1/models/{model['version']}/promote", headers=li)
    assert r.json()["status"] == "candidate"
    r = await client.post(f"/api/v1/models/{model['version']}/promote", headers=li)
    assert r.status_code == 403
    assert r.json()["error"] == "FourEyesRequired"
    listed = (await client.get("/api/v1/models", headers=li)).json()
    assert {m["version"]: m["status"] for m in listed}[model["version"]] == "candidate"
    r = await client.post(f"/api/v1/models/{model['version']}/promote", headers=wang)
    assert r.json()["status"] == "active"
    run = (await client.post("/api/v1/rating-runs", json={"period": "2026-Q3"}, headers=li)).json()
    assert run["model_version"] == model["version"]
    assert len(run["ratings"]) == 40


async def test_training_refuses_without_outcomes(client: httpx.AsyncClient) -> None:
    await make_catalogue()
    await make_user(username="li", role="official")
    r = await client.post("/api/v1/models/train", headers=await login(client, "li"))
    assert r.status_code == 409
    assert "not enough outcomes" in r.json()["detail"]


async def test_grade_risks_move_from_the_rubric_toward_recorded_outcomes(
    client: httpx.AsyncClient,  # noqa: ARG001 (brings the database)
) -> None:
    from servicedesk.ratings import training

    stated = {r["grade"]: r for r in await training.grade_risks()}
    assert {g: (r["n"], round(r["posterior"], 6)) for g, r in stated.items()} == {
        "A": (0, 0.03),
        "B": (0, 0.07),
        "C": (0, 0.2),
        "D": (0, 0.5),
    }
    await _history()
    learned = {r["grade"]: r for r in await training.grade_risks()}
    assert sum(r["n"] for r in learned.values()) > 0
    for grade, row in learned.items():
        if row["n"]:
            observed, prior = row["bad"] / row["n"], row["prior"]
            # the estimate lies between the stated rate and what the outcomes show
            assert min(observed, prior) - 1e-9 <= row["posterior"] <= max(observed, prior) + 1e-9
            low, high = row["interval"]
            assert low <= row["posterior"] <= high
            assert row["flag"] in (None, "riskier", "safer"), grade


async def test_models_page_shows_the_grade_risk_table(client: httpx.AsyncClient) -> None:
    await make_user(username="li", role="official")
    await page_login(client, "li")
    page = await client.get("/officials/models?lang=en")
    assert page.status_code == 200
    assert 'data-testid="grade-risks"' in page.text
    assert "Risk per grade" in page.text
    assert "3.0%" in page.text  # grade A as the rubric states it, before any outcome
