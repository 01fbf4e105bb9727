"""The one-time notice and acceptance with deficiency."""

from __future__ import annotations

import httpx
import pytest

from servicedesk.timeutil import beijing, frozen
from tests.factories import HTE_CORE, clerk_headers, make_catalogue, submit_case

API = "/api/v1"


@pytest.fixture
async def clerk(client: httpx.AsyncClient) -> dict[str, str]:
    await make_catalogue()
    return await clerk_headers(client)


async def test_one_notice_lists_every_missing_core_and_named_defect(
    client: httpx.AsyncClient, clerk: dict[str, str]
) -> None:
    case = await submit_case(client, clerk, materials=["application", "license", "rd_audit"])
    response = await client.post(
        f"{API}/cases/{case['case_no']}/return",
        headers=clerk,
        json={"items": [{"material_code": "license", "problem": "复印件未盖章"}]},
    )
    assert response.status_code == 200, response.text
    notice = response.json()["notice"]
    assert {i["material_code"]: i["problem"] for i in notice["items"]} == {
        "license": "复印件未盖章",
        "ip_certificates": "missing",
        "hitech_income": "missing",
        "financials_3y": "missing",
    }
    assert response.json()["status"] == "returned"


async def test_second_round_may_not_raise_what_could_have_been_named(
    client: httpx.AsyncClient, clerk: dict[str, str]
) -> None:
    case = await submit_case(client, clerk, materials=HTE_CORE)
    no = case["case_no"]
    await client.post(
        f"{API}/cases/{no}/return",
        headers=clerk,
        json={"items": [{"material_code": "rd_audit", "problem": "审计期间不对"}]},
    )
    await client.post(f"{API}/cases/{no}/resubmit", headers=clerk, json={"materials": ["rd_audit"]})
    late = await client.post(
        f"{API}/cases/{no}/return",
        headers=clerk,
        json={"items": [{"material_code": "license", "problem": "过期"}]},
    )
    assert late.status_code == 409
    assert "license" in late.json()["detail"]
    assert "first notice" in late.json()["detail"]
    # What was resubmitted may still be found wanting.
    again = await client.post(
        f"{API}/cases/{no}/return",
        headers=clerk,
        json={"items": [{"material_code": "rd_audit", "problem": "仍缺签章"}]},
    )
    assert again.status_code == 200
    assert [i["material_code"] for i in again.json()["notice"]["items"]] == ["rd_audit"]


async def test_return_with_nothing_wrong_is_refused(
    client: httpx.AsyncClient, clerk: dict[str, str]
) -> None:
    case = await submit_case(client, clerk)
    response = await client.post(f"{API}/cases/{case['case_no']}/return", headers=clerk)
    assert response.status_code == 422
    assert "nothing to return" in response.json()["detail"]


async def test_accept_with_deficiency_owes_non_core_by_a_due_date(
    client: httpx.AsyncClient, clerk: dict[str, str]
) -> None:
    with frozen(beijing(2026, 11, 2)):
        case = await submit_case(client, clerk, materials=HTE_CORE)
        no = case["case_no"]
        assert case["missing_optional"] == ["staff_roster", "rd_management"]
        refused = await client.post(
            f"{API}/cases/{no}/accept", headers=clerk, json={"with_deficiency": False}
        )
        assert refused.status_code == 409
        assert "staff_roster" in refused.json()["detail"]
        too_late = await client.post(
            f"{API}/cases/{no}/accept",
            headers=clerk,
            json={"with_deficiency": True, "supplement_due": "2027-06-01"},
        )
        assert too_late.status_code == 422
        assert "promised deadline" in too_late.json()["detail"]
        accepted = (
            await client.post(
                f"{API}/cases/{no}/accept",
                headers=clerk,
                json={"with_deficiency": True, "supplement_due": "2026-11-20"},
            )
        ).json()
    assert accepted["status"] == "accepted_with_deficiency"
    assert accepted["owed_materials"] == ["staff_roster", "rd_management"]
    assert accepted["supplement_due"] == "2026-11-20"
    assert accepted["clock_paused"]
    # Still before supplement_due: the supplement is not overdue yet.
    with frozen(beijing(2026, 11, 3)):
        await client.post(f"{API}/cases/{no}/start-review", headers=clerk)
        blocked = await client.post(f"{API}/cases/{no}/approve", headers=clerk)
        assert blocked.status_code == 409
        assert "still owes" in blocked.json()["detail"]
        wrong = await client.post(
            f"{API}/cases/{no}/supplement", headers=clerk, json={"materials": ["license"]}
        )
        assert wrong.status_code == 422
        partial = (
            await client.post(
                f"{API}/cases/{no}/supplement", headers=clerk, json={"materials": ["staff_roster"]}
            )
        ).json()
        assert partial["owed_materials"] == ["rd_management"]
        assert partial["clock_paused"]
        full = (
            await client.post(
                f"{API}/cases/{no}/supplement", headers=clerk, json={"materials": ["rd_management"]}
            )
        ).json()
        assert full["owed_materials"] == []
        assert not full["clock_paused"]
        assert (await client.post(f"{API}/cases/{no}/approve", headers=clerk)).status_code == 200
