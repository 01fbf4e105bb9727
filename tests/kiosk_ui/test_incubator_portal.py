"""The incubator portal through its forms: who gets in, indicators, recommendations, appeals."""

from __future__ import annotations

import httpx

from tests.factories import make_world
from tests.kiosk_ui.pages import detail, page_session

FORMS = [
    "/incubator/indicators",
    "/incubator/indicators/upload",
    "/incubator/recommendations",
    "/incubator/recommendations/1/revoke",
    "/incubator/appeals",
]


async def test_only_operators_get_in(client: httpx.AsyncClient) -> None:
    await make_world(client)
    for path in ("/incubator", "/incubator/export/history.csv"):
        response = await client.get(path)
        assert response.headers["location"] == f"/login?next={path}"
    for path in FORMS:
        response = await client.post(path, data={"csrf_token": "x"})
        assert response.status_code == 403, path
        assert detail(response) == "log in as an incubator operator first"
    token = await page_session(client, "li")
    assert detail(await client.get("/incubator")) == "this portal is for incubator operators"
    for path in FORMS:
        response = await client.post(path, data={"csrf_token": token})
        assert detail(response) == "this portal is for incubator operators", path


async def test_indicators_from_the_form_and_from_a_csv_file(client: httpx.AsyncClient) -> None:
    await make_world(client)
    token = await page_session(client, "inc-hd")
    reported = await client.post(
        "/incubator/indicators",
        data={"csrf_token": token, "period": "2026-Q3", "mentors_per_100_firms": "10"},
    )
    assert reported.headers["location"] == "/incubator#indicators"
    bad = await client.post(
        "/incubator/indicators",
        data={"csrf_token": token, "period": "2026-Q3", "mentors_per_100_firms": "many"},
    )
    assert bad.status_code == 422
    assert 'data-testid="problem"' in bad.text
    good_file = b"period,mentors_per_100_firms\n2026-Q1,9\n"
    uploaded = await client.post(
        "/incubator/indicators/upload",
        data={"csrf_token": token},
        files={"file": ("q1.csv", good_file, "text/csv")},
    )
    assert uploaded.status_code == 303
    bad_file = b"period,mentors_per_100_firms\n2026-Q1,9\n2026-Q2,x\n"
    named = await client.post(
        "/incubator/indicators/upload",
        data={"csrf_token": token},
        files={"file": ("bad.csv", bad_file, "text/csv")},
    )
    assert named.status_code == 422
    assert "第 3 行" in named.text
    latin = await client.post(
        "/incubator/indicators/upload",
        data={"csrf_token": token},
        files={"file": ("gbk.csv", "期间".encode("gbk"), "text/csv")},
    )
    assert "the CSV must be UTF-8 encoded" in latin.text
    csv = (await client.get("/incubator/export/indicators.csv")).text.splitlines()
    periods = [line.split(",")[0] for line in csv[1:]]
    assert periods == ["2026-Q3", "2026-Q2", "2026-Q1"]


async def test_recommend_revoke_and_appeal_through_the_forms(client: httpx.AsyncClient) -> None:
    world = await make_world(client)
    await world.publish()
    token = await page_session(client, "inc-hd")
    made = await client.post(
        "/incubator/recommendations",
        data={"csrf_token": token, "firm_uscc": world.firm_uscc, "matter_code": "HTE-CERT"},
    )
    assert made.headers["location"].endswith("/slip")
    slip = await client.get(made.headers["location"])
    assert slip.status_code == 200
    listed = (await client.get("/incubator/export/recommendations.csv")).text.splitlines()
    assert listed[1].split(",")[1] in slip.text  # the code, on the slip with its QR
    assert "<svg" in slip.text
    listed = (await client.get("/incubator/export/recommendations.csv")).text.splitlines()
    rec_id = listed[1].split(",")[0]
    revoked = await client.post(
        f"/incubator/recommendations/{rec_id}/revoke", data={"csrf_token": token}
    )
    assert revoked.status_code == 303
    appealed = await client.post(
        "/incubator/appeals", data={"csrf_token": token, "reason": "指标口径有误"}
    )
    assert appealed.headers["location"] == "/incubator#appeals"
    appeals = (await client.get("/incubator/export/appeals.csv")).text
    assert "指标口径有误" in appeals
    page = await client.get("/incubator")
    assert 'href="/incubator/export/history.csv"' in page.text
    refused = await client.get("/incubator/export/ratings.csv")
    assert refused.status_code == 403
