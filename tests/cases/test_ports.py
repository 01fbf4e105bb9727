"""Cases reach the waiver rules only through their port, which must be installed."""

from __future__ import annotations

import httpx
import pytest

from servicedesk.cases import ports
from servicedesk.cases.models import Case, CaseStatus
from tests.factories import case_body, clerk_headers, make_catalogue, submit_case

API = "/api/v1"


@pytest.fixture
async def clerk(client: httpx.AsyncClient) -> dict[str, str]:
    await make_catalogue()
    return await clerk_headers(client)


async def test_accepting_without_the_waiver_rules_fails_and_changes_nothing(
    client: httpx.AsyncClient, clerk: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    case = await submit_case(client, clerk)
    monkeypatch.setattr(ports, "_ports", ports._Ports())
    with pytest.raises(RuntimeError, match="decide_inspection"):
        await client.post(f"{API}/cases/{case['case_no']}/accept", headers=clerk)
    stored = await Case.get(case_no=case["case_no"])
    assert (stored.status, stored.inspection) == (CaseStatus.SUBMITTED, None)


async def test_a_recommendation_is_never_taken_unchecked(
    client: httpx.AsyncClient, clerk: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ports, "_ports", ports._Ports())
    with pytest.raises(RuntimeError, match="check_recommendation"):
        await client.post(f"{API}/cases", json=case_body(recommendation_id=1), headers=clerk)
    assert not await Case.exists()
