"""Public endpoints are limited per client address: progress queries (API and page) and
appointment bookings answer 429 with Retry-After past the limit, other clients not."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from tortoise.context import TortoiseContext

from servicedesk.app import create_app
from servicedesk.settings import Settings
from tests.conftest import TEST_DATABASE_URL
from tests.factories import clerk_headers, make_catalogue, make_uscc, submit_case

API = "/api/v1"


@pytest.fixture
def app() -> FastAPI:
    settings = Settings(
        environment="test",
        database_url=TEST_DATABASE_URL,
        public_queries_per_minute=3,
        bookings_per_hour=2,
    )
    return create_app(settings, init_db=False)


@pytest.fixture
async def other(db: TortoiseContext, app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:  # noqa: ARG001
    transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def test_progress_queries_are_limited_per_address(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    await make_catalogue()
    case = await submit_case(client, await clerk_headers(client))
    url = f"{API}/cases/{case['case_no']}"
    answers = [
        (await client.get(url, params={"query_code": "WRONG123"})).status_code for _ in range(3)
    ]
    assert answers == [404, 404, 404]
    limited = await client.get(url, params={"query_code": case["query_code"]})
    assert limited.status_code == 429  # even with the right code: guessing is what is limited
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert limited.json()["error"] == "TooManyRequests"
    page = await client.get("/query", params={"case_no": case["case_no"], "code": "X"})
    assert page.status_code == 429  # the page shares the client's count
    assert (await other.get(url, params={"query_code": case["query_code"]})).status_code == 200


async def test_bookings_are_limited_per_address(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    await make_catalogue()
    clerk = await clerk_headers(client)
    slot = await client.post(
        f"{API}/service-points/HD-AI/appointment-slots",
        json={
            "queue": "B",
            "starts_at": "2099-01-05T09:00:00+08:00",
            "ends_at": "2099-01-05T09:30:00+08:00",
            "capacity": 10,
        },
        headers=clerk,
    )

    def body(serial: int) -> dict[str, object]:  # one booking per firm and slot
        return {"slot_id": slot.json()["id"], "firm": {"uscc": make_uscc(serial), "name": "某公司"}}

    codes = [(await client.post(f"{API}/appointments", json=body(n))).status_code for n in range(3)]
    assert codes[:2] == [201, 201]
    assert codes[2] == 429
    assert (await other.post(f"{API}/appointments", json=body(3))).status_code == 201


async def test_every_route_taking_a_query_code_shares_the_limit(
    client: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    """The query code opens more than the query: rating the case, withdrawing consent, the
    printable notice. Each counts against the same per-client limit, so that the code is
    not guessed through them faster than through the query."""
    await make_catalogue()
    case = await submit_case(client, await clerk_headers(client))
    wrong = {"case_no": case["case_no"], "query_code": "WRONG123"}
    tries = [
        client.post(f"{API}/evaluations", json={**wrong, "level": 5}),
        client.post(f"{API}/cases/{case['case_no']}/contact/withdraw", json={"query_code": "W1"}),
        client.get(f"{API}/evaluations", params=wrong),
    ]
    assert [(await t).status_code for t in tries] == [404, 404, 404]
    for attempt in (
        client.post(f"{API}/evaluations", json={**wrong, "level": 5}),
        client.post(f"{API}/cases/{case['case_no']}/contact/withdraw", json={"query_code": "W1"}),
        client.get("/query/notice", params=wrong),
        client.post("/query/rate", data={**wrong, "level": "5"}),
    ):
        assert (await attempt).status_code == 429
    right = {"case_no": case["case_no"], "query_code": case["query_code"]}
    assert (await other.get("/query/notice", params=right)).status_code == 404  # no notice
