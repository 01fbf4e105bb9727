"""POST /cases honours Idempotency-Key; numbers stay unique under concurrency."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from servicedesk.cases.models import Case
from servicedesk.cases.schemas import CaseCreate
from servicedesk.idempotency.models import IdempotencyRecord
from servicedesk.idempotency.service import fingerprint
from servicedesk.timeutil import now
from tests.factories import case_body, clerk_headers, kiosk_headers, make_catalogue, make_uscc

API = "/api/v1"


@pytest.fixture
async def kiosk(client: httpx.AsyncClient) -> dict[str, str]:  # noqa: ARG001 (sets up the db)
    await make_catalogue()
    return await kiosk_headers()


async def test_same_key_and_body_return_the_first_case(
    client: httpx.AsyncClient, kiosk: dict[str, str]
) -> None:
    headers = {**kiosk, "Idempotency-Key": "k-1"}
    first = await client.post(f"{API}/cases", json=case_body(), headers=headers)
    again = await client.post(f"{API}/cases", json=case_body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert await Case.all().count() == 1


async def test_same_key_other_body_is_422(client: httpx.AsyncClient, kiosk: dict[str, str]) -> None:
    headers = {**kiosk, "Idempotency-Key": "k-2"}
    await client.post(f"{API}/cases", json=case_body(), headers=headers)
    other = await client.post(f"{API}/cases", json=case_body(uscc=make_uscc(2)), headers=headers)
    assert other.status_code == 422
    assert other.json()["error"] == "IdempotencyMismatch"
    assert await Case.all().count() == 1


async def test_key_in_flight_is_409_and_stale_one_is_taken_over(
    client: httpx.AsyncClient, kiosk: dict[str, str]
) -> None:
    body = case_body()
    digest = fingerprint(CaseCreate.model_validate(body).model_dump(mode="json"))
    record = await IdempotencyRecord.create(
        scope="kiosk:1:POST /cases", key="k-3", request_hash=digest, created_at=now()
    )
    headers = {**kiosk, "Idempotency-Key": "k-3"}
    busy = await client.post(f"{API}/cases", json=body, headers=headers)
    assert busy.status_code == 409
    assert busy.json()["error"] == "IdempotencyConflict"
    await IdempotencyRecord.filter(id=record.id).update(created_at=now() - timedelta(minutes=5))
    taken = await client.post(f"{API}/cases", json=body, headers=headers)
    assert taken.status_code == 201
    assert await Case.all().count() == 1


async def test_failed_request_frees_its_key(
    client: httpx.AsyncClient, kiosk: dict[str, str]
) -> None:
    headers = {**kiosk, "Idempotency-Key": "k-4"}
    bad = await client.post(f"{API}/cases", json=case_body(uscc="123"), headers=headers)
    assert bad.status_code == 422
    assert not await IdempotencyRecord.filter(key="k-4").exists()


async def test_keys_are_per_caller(client: httpx.AsyncClient, kiosk: dict[str, str]) -> None:
    other = await kiosk_headers()
    await client.post(f"{API}/cases", json=case_body(), headers={**kiosk, "Idempotency-Key": "k"})
    await client.post(f"{API}/cases", json=case_body(), headers={**other, "Idempotency-Key": "k"})
    assert await Case.all().count() == 2


async def test_fifty_concurrent_submissions_get_fifty_numbers(
    client: httpx.AsyncClient, kiosk: dict[str, str]
) -> None:
    clerk = await clerk_headers(client)
    bodies = [case_body(uscc=make_uscc(i % 7)) for i in range(50)]
    responses = await asyncio.gather(
        *[
            client.post(f"{API}/cases", json=b, headers=kiosk if i % 2 else clerk)
            for i, b in enumerate(bodies)
        ]
    )
    assert [r.status_code for r in responses] == [201] * 50, responses[0].text
    numbers = {r.json()["case_no"] for r in responses}
    assert len(numbers) == 50
    suffixes = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert suffixes == list(range(1, 51))
