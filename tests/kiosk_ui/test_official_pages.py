"""The officials' pages through their forms: who gets in, and what each form changes."""

from __future__ import annotations

import httpx

from servicedesk.policy import service as policy
from tests.factories import make_world
from tests.kiosk_ui.pages import detail, page_session

PAGES = [
    "/officials",
    "/officials/incubators/INC-HD-001",
    "/officials/review",
    "/officials/spot-checks",
    "/officials/models",
    "/officials/policy",
    "/officials/appeals",
    "/officials/catalogue",
    "/officials/export/ratings.csv",
]
FORMS = [
    "/officials/review/start",
    "/officials/review/1/publish",
    "/officials/ratings/1/review",
    "/officials/spot-checks/1/result",
    "/officials/suspensions/1/lift",
    "/officials/suspensions/1/confirm-lift",
    "/officials/policy/1/confirm",
    "/officials/models/train",
    "/officials/models/v1/promote",
    "/officials/policy",
    "/officials/appeals/1/decide",
    "/officials/appeals/1/confirm",
]
CATALOGUE_FORM = "/officials/catalogue/HD-AI/RD-DEDUCTION"


async def test_logged_out_pages_go_to_login_and_forms_are_refused(
    client: httpx.AsyncClient,
) -> None:
    for path in PAGES:
        response = await client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"] == f"/login?next={path}"
    for path in FORMS:
        response = await client.post(path, data={"csrf_token": "x"})
        assert response.status_code == 403, path
        assert detail(response) == "log in as an official first"
    response = await client.post(CATALOGUE_FORM, data={"change": "pin"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={CATALOGUE_FORM}"


async def test_other_roles_are_refused_and_forms_need_their_token(
    client: httpx.AsyncClient,
) -> None:
    await make_world(client)
    for username in ("clerk1", "inc-hd"):
        token = await page_session(client, username)
        for path in PAGES:
            response = await client.get(path)
            assert response.status_code == 403, (username, path)
            assert detail(response) == "this page is for officials"
        for path in [*FORMS, CATALOGUE_FORM]:
            response = await client.post(path, data={"csrf_token": token})
            assert response.status_code == 403, (username, path)
            assert detail(response) == "this page is for officials"
    await page_session(client, "li")
    for path in [*FORMS, CATALOGUE_FORM]:
        response = await client.post(path, data={"csrf_token": "forged"})
        assert response.status_code == 403, path
        assert "reload the page" in detail(response)


async def test_two_officials_publish_a_run_through_the_review_forms(
    client: httpx.AsyncClient,
) -> None:
    await make_world(client)
    token = await page_session(client, "li")
    started = await client.post(
        "/officials/review/start", data={"csrf_token": token, "period": "2026-Q3"}
    )
    assert started.status_code == 303
    review = started.headers["location"]
    run_id = review.split("run=")[1]
    approved = await client.post(
        f"/officials/review/{run_id}/approve-all", data={"csrf_token": token}
    )
    assert approved.headers["location"] == review
    unknown = await client.post(f"/officials/review/{run_id}/explode", data={"csrf_token": token})
    assert unknown.status_code == 404
    token = await page_session(client, "wang")
    for action in ("confirm-all", "publish"):
        response = await client.post(
            f"/officials/review/{run_id}/{action}", data={"csrf_token": token}
        )
        assert response.status_code == 303, action
    page = await client.get(review)
    assert 'data-testid="rating-INC-HD-001"' in page.text
    csv = (await client.get("/officials/export/review.csv", params={"run": run_id})).text
    header, row = csv.splitlines()[:2]
    assert header.startswith("\ufeff编号,孵化器,期间")
    assert row.split(",")[1:3] == ["INC-HD-001", "2026-Q3"]
    assert row.endswith("published,official:li,,official:wang")
    missing = await client.get("/officials/export/review.csv", params={"run": 999})
    assert missing.status_code == 404


async def test_one_official_overrides_a_grade_and_another_confirms_it(
    client: httpx.AsyncClient,
) -> None:
    world = await make_world(client)
    run = await client.post("/api/v1/rating-runs", json={"period": "2026-Q3"}, headers=world.li)
    run_id, rating_id = run.json()["id"], run.json()["ratings"][0]["id"]
    token = await page_session(client, "li")
    reviewed = await client.post(
        f"/officials/ratings/{rating_id}/review",
        data={"csrf_token": token, "decision": "override", "grade": "B", "reason": "核实"},
    )
    assert reviewed.headers["location"].endswith(f"#rating-{rating_id}")
    token = await page_session(client, "wang")
    confirmed = await client.post(
        f"/officials/ratings/{rating_id}/confirm", data={"csrf_token": token}
    )
    assert confirmed.status_code == 303
    run = await client.get(f"/api/v1/rating-runs/{run_id}", headers=world.li)
    rating = run.json()["ratings"][0]
    assert (rating["grade"], rating["status"]) == ("B", "confirmed")


async def test_policy_form_offers_waivable_matters_and_saves_a_version(
    client: httpx.AsyncClient,
) -> None:
    await make_world(client)
    token = await page_session(client, "li")
    form = (await client.get("/officials/policy")).text
    assert 'name="waivable_matters" value="HTE-CERT"' in form
    assert 'value="TECH-SME"' not in form  # its inspection cannot be waived
    saved = await client.post(
        "/officials/policy",
        data={
            "csrf_token": token,
            "waiver_grades": ["A", "B"],
            "rate_A": "5",
            "rate_B": "20",
            "rate_C": "60",
            "rate_D": "100",
            "quota_per_period": "7",
            "waivable_matters": ["HTE-CERT", "POLICY-MUNI"],
            "graduate_window_days": "200",
        },
    )
    assert saved.status_code == 303
    assert (await policy.current()).version == 1  # proposed, not yet in force
    page = (await client.get("/officials/policy")).text
    assert 'data-testid="policy-proposal"' in page
    assert 'data-testid="confirm-policy"' not in page  # not by the one who proposed it
    alone = await client.post("/officials/policy/2/confirm", data={"csrf_token": token})
    assert alone.status_code == 403
    token = await page_session(client, "wang")
    assert 'data-testid="confirm-policy"' in (await client.get("/officials/policy")).text
    confirmed = await client.post("/officials/policy/2/confirm", data={"csrf_token": token})
    assert confirmed.status_code == 303
    current = await policy.current()
    assert current.version == 2
    assert current.waiver_grades == ["A", "B"]
    assert current.spot_check_rates["A"] == 0.05
    assert current.quota_per_period == 7
    assert current.waivable_matters == ["HTE-CERT", "POLICY-MUNI"]
    assert current.graduate_window_days == 200


async def test_spot_check_outcome_and_lifted_suspension_through_the_forms(
    client: httpx.AsyncClient,
) -> None:
    world = await make_world(client, rate_a=1.0)
    await world.publish()
    case = await world.submit_and_accept(await world.recommend())
    token = await page_session(client, "li")
    result = f"/officials/spot-checks/{case['spot_check_id']}/result"
    recorded = await client.post(
        result, data={"csrf_token": token, "outcome": "falsified", "notes": "伪造审计报告"}
    )
    assert recorded.headers["location"] == "/officials/spot-checks"
    page = (await client.get("/officials/spot-checks")).text
    assert "伪造审计报告" in page
    suspension = (await client.get("/api/v1/suspensions", headers=world.li)).json()[0]
    token = await page_session(client, "wang")
    lifted = await client.post(
        f"/officials/suspensions/{suspension['id']}/lift",
        data={"csrf_token": token, "reason": "企业个人行为"},
    )
    assert lifted.status_code == 303
    proposed = (await client.get("/api/v1/suspensions", headers=world.li)).json()[0]
    assert (proposed["lift_proposed_by"], proposed["lifted_at"]) == ("official:wang", None)
    alone = await client.post(
        f"/officials/suspensions/{suspension['id']}/confirm-lift", data={"csrf_token": token}
    )
    assert alone.status_code == 403  # four eyes: not by the one who proposed it
    token = await page_session(client, "li")
    assert 'data-testid="confirm-lift"' in (await client.get("/officials/spot-checks")).text
    confirmed = await client.post(
        f"/officials/suspensions/{suspension['id']}/confirm-lift", data={"csrf_token": token}
    )
    assert confirmed.status_code == 303
    after = (await client.get("/api/v1/suspensions", headers=world.li)).json()[0]
    assert after["lifted_by"] == "official:li"
    assert after["lift_proposed_by"] == "official:wang"


async def test_policy_form_values_are_checked_like_the_api(client: httpx.AsyncClient) -> None:
    await make_world(client)
    token = await page_session(client, "li")
    for bad in ({"rate_A": "five"}, {"quota_per_period": "many"}, {"rate_B": "150"}):
        form = {"csrf_token": token, "waiver_grades": ["A"], "quota_per_period": "7", **bad}
        response = await client.post("/officials/policy", data=form)
        assert response.status_code == 422, bad
    grade = {"csrf_token": token, "waiver_grades": ["Z"], "quota_per_period": "7"}
    assert (await client.post("/officials/policy", data=grade)).status_code == 422
    nul = {"csrf_token": token, "waiver_grades": ["A"], "note": "a\x00b"}
    assert (await client.post("/officials/policy", data=nul)).status_code == 422
    assert [v.version for v in await policy.history()] == [1]  # only make_world's


async def test_appeal_decided_and_confirmed_through_the_forms(client: httpx.AsyncClient) -> None:
    world = await make_world(client)
    await world.publish()
    filed = await client.post(
        "/api/v1/appeals", json={"reason": "数据有误"}, headers=world.incubator
    )
    appeal_id = filed.json()["id"]
    token = await page_session(client, "li")
    decided = await client.post(
        f"/officials/appeals/{appeal_id}/decide",
        data={"csrf_token": token, "outcome": "upheld", "new_grade": "B", "note": "核实"},
    )
    assert decided.headers["location"] == "/officials/appeals"
    own = await client.post(f"/officials/appeals/{appeal_id}/confirm", data={"csrf_token": token})
    assert own.status_code == 403  # the decider may not confirm
    token = await page_session(client, "wang")
    confirmed = await client.post(
        f"/officials/appeals/{appeal_id}/confirm", data={"csrf_token": token}
    )
    assert confirmed.status_code == 303
    csv = (await client.get("/officials/export/appeals.csv")).text
    assert "数据有误" in csv
    assert ",B,核实,official:li" in csv


async def test_dashboard_tables_export_as_csv(client: httpx.AsyncClient) -> None:
    world = await make_world(client)
    await world.publish()
    await page_session(client, "li")
    ratings = await client.get("/officials/export/ratings.csv", params={"grade": "A"})
    assert ratings.headers["content-disposition"] == 'attachment; filename="ratings.csv"'
    assert ratings.text.splitlines()[1].startswith("INC-HD-001,孵化器 INC-HD-001,national")
    other = await client.get("/officials/export/ratings.csv", params={"district": "朝阳区"})
    assert len(other.text.splitlines()) == 1
    english = await client.get(
        "/officials/export/history.csv", params={"code": "INC-HD-001", "lang": "en"}
    )
    assert english.text.splitlines()[0] == "\ufeffPeriod,Grade,Score,Model version,Published,Status"
    assert (await client.get("/officials/export/history.csv")).status_code == 404  # needs a code
    assert (await client.get("/officials/export/nothing.csv")).status_code == 404
    page = await client.get("/officials/incubators/INC-HD-001")
    assert 'href="/officials/export/history.csv?code=INC-HD-001"' in page.text
