"""Working-day clocks: deadlines, pauses, warnings and deemed acceptance."""

from __future__ import annotations

import httpx
import pytest

from servicedesk.cases.models import Case
from servicedesk.timeutil import beijing, frozen
from tests.factories import HTE_CORE, clerk_headers, make_catalogue, make_uscc, submit_case

API = "/api/v1"
USCC = make_uscc(1)


@pytest.fixture
async def clerk(client: httpx.AsyncClient) -> dict[str, str]:
    await make_catalogue()
    return await clerk_headers(client)


TECH_SME_CORE = ["application", "license", "rd_statement"]


async def tech_sme(
    client: httpx.AsyncClient,
    clerk: dict[str, str],
    *,
    materials: list[str] | None = None,
) -> dict[str, object]:
    """A TECH-SME case (promised in 10 working days), every material by default."""
    return await submit_case(
        client,
        clerk,
        matter_code="TECH-SME",
        materials=materials or [*TECH_SME_CORE, "staff_roster"],
    )


async def query(client: httpx.AsyncClient, case_no: str) -> dict[str, object]:
    code = (await Case.get(case_no=case_no)).query_code
    response = await client.get(f"{API}/cases/{case_no}", params={"query_code": code})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_deadline_across_national_day_uses_make_up_saturday(
    client: httpx.AsyncClient, clerk: dict[str, str]
) -> None:
    # REG-CHANGE is promised in 3 working days. Accepted Tue 29 Sep 2026:
    # Sep 30, (Oct 1-7 holiday), Oct 8, Oct 9 → deadline Oct 9.
    # PATENT-PRIO, 5 days: … Oct 9, Oct 10 (make-up Saturday), Oct 12.
    with frozen(beijing(2026, 9, 29)):
        reg = await submit_case(
            client,
            clerk,
            matter_code="REG-CHANGE",
            materials=["change_application", "resolution", "license"],
        )
        patent = await submit_case(
            client,
            clerk,
            matter_code="PATENT-PRIO",
            uscc=USCC,
            materials=["priority_request", "patent_filing"],
        )
        r1 = await client.post(
            f"{API}/cases/{reg['case_no']}/accept", headers=clerk, json={"with_deficiency": True}
        )
        r2 = await client.post(
            f"{API}/cases/{patent['case_no']}/accept", headers=clerk, json={"with_deficiency": True}
        )
    assert r1.json()["deadline"] == "2026-10-09"
    # Accepted with deficiency: the supplement is owed from today, so until it comes
    # the deadline stands at its value as if it came today.
    assert r2.json()["status"] == "accepted_with_deficiency"
    with frozen(beijing(2026, 9, 29, 17)):
        done = await client.post(
            f"{API}/cases/{patent['case_no']}/supplement",
            headers=clerk,
            json={"materials": ["search_report"]},
        )
    assert done.json()["status"] == "accepted"
    assert done.json()["deadline"] == "2026-10-12"


async def test_correction_pauses_the_clock(
    client: httpx.AsyncClient, clerk: dict[str, str]
) -> None:
    # TECH-SME: promised 10 working days. Accepted Mon 2 Nov → deadline Mon 16 Nov.
    with frozen(beijing(2026, 11, 2)):
        case = await tech_sme(client, clerk)
        no = case["case_no"]
        accepted = (await client.post(f"{API}/cases/{no}/accept", headers=clerk)).json()
        assert accepted["deadline"] == "2026-11-16"
        await client.post(f"{API}/cases/{no}/start-review", headers=clerk)
    with frozen(beijing(2026, 11, 4)):  # the reviewer asks for a correction
        returned = (
            await client.post(
                f"{API}/cases/{no}/return",
                headers=clerk,
                json={"items": [{"material_code": "rd_statement", "problem": "研发费用口径不符"}]},
            )
        ).json()
        assert returned["status"] == "returned"
        assert returned["clock_paused"]
    with frozen(beijing(2026, 11, 6)):  # two working days owed so far: Nov 5, 6
        assert (await query(client, no))["deadline"] == "2026-11-18"
    with frozen(beijing(2026, 11, 9)):  # answered Mon 9 Nov: Nov 5, 6, 9 paused
        resumed = (
            await client.post(
                f"{API}/cases/{no}/resubmit", headers=clerk, json={"materials": ["rd_statement"]}
            )
        ).json()
    assert resumed["status"] == "under_review"
    assert resumed["deadline"] == "2026-11-19"
    assert not resumed["clock_paused"]
    with frozen(beijing(2026, 11, 25)):  # the pause stays counted after it ended
        assert (await query(client, no))["deadline"] == "2026-11-19"


async def test_yellow_then_red_warning(client: httpx.AsyncClient, clerk: dict[str, str]) -> None:
    with frozen(beijing(2026, 11, 2)):  # TECH-SME, 10 days → deadline 16 Nov
        case = await tech_sme(client, clerk)
        await client.post(f"{API}/cases/{case['case_no']}/accept", headers=clerk)
    with frozen(beijing(2026, 11, 12)):  # 8 of 10 working days elapsed
        assert (await query(client, case["case_no"]))["warning"] == "yellow"
    with frozen(beijing(2026, 11, 11)):  # 7 of 10
        assert (await query(client, case["case_no"]))["warning"] == "none"
    with frozen(beijing(2026, 11, 17)):
        assert (await query(client, case["case_no"]))["warning"] == "red"


async def test_no_decision_within_five_working_days_means_accepted_from_receipt(
    client: httpx.AsyncClient, clerk: dict[str, str]
) -> None:
    # Received Mon 28 Sep; 5 working days: Sep 29, 30, Oct 8, 9, 10 (make-up Sat).
    with frozen(beijing(2026, 9, 28)):
        case = await tech_sme(client, clerk)
        assert case["acceptance_due"] == "2026-10-10"
    with frozen(beijing(2026, 10, 10, 18)):
        assert (await query(client, case["case_no"]))["status"] == "submitted"
    with frozen(beijing(2026, 10, 12)):
        deemed = await query(client, case["case_no"])
    assert deemed["status"] == "accepted"
    assert deemed["deemed_accepted"] is True
    assert deemed["accepted_on"] == "2026-09-28"
    # TECH-SME, 10 working days from 28 Sep: Sep 29, 30, Oct 8, 9, 10, 12-16.
    assert deemed["deadline"] == "2026-10-16"
    last = deemed["timeline"][-1]  # type: ignore[index]
    assert last["action"] == "deemed_accept"
    assert last["actor"] == "system"
    with frozen(beijing(2026, 10, 12)):
        late = await client.post(f"{API}/cases/{case['case_no']}/accept", headers=clerk)
    assert late.status_code == 409


async def test_a_notice_in_time_prevents_deemed_acceptance(
    client: httpx.AsyncClient, clerk: dict[str, str]
) -> None:
    with frozen(beijing(2026, 11, 2)):
        case = await submit_case(client, clerk, materials=["application", "license"])
    with frozen(beijing(2026, 11, 6)):
        await client.post(f"{API}/cases/{case['case_no']}/return", headers=clerk)
    with frozen(beijing(2026, 11, 20)):
        assert (await query(client, case["case_no"]))["status"] == "returned"
    # The corrected application restarts the five-day acceptance period.
    # (Frozen dates stay in the past: tokens are issued at the real time.)
    with frozen(beijing(2026, 11, 23)):
        again = (
            await client.post(
                f"{API}/cases/{case['case_no']}/resubmit",
                headers=clerk,
                json={"materials": HTE_CORE},
            )
        ).json()
    assert again["status"] == "submitted"
    assert again["acceptance_due"] == "2026-11-30"


async def test_overlapping_pauses_count_each_day_once(
    client: httpx.AsyncClient, clerk: dict[str, str]
) -> None:
    # TECH-SME, 10 days. Accepted with deficiency Mon 2 Nov (supplement owed), then a
    # correction asked on 3 Nov: Nov 3-6 are paused once, not twice → 20 Nov.
    with frozen(beijing(2026, 11, 2)):
        case = await tech_sme(client, clerk, materials=TECH_SME_CORE)
        await client.post(f"{API}/cases/{case['case_no']}/accept", headers=clerk)
    with frozen(beijing(2026, 11, 3)):
        returned = await client.post(
            f"{API}/cases/{case['case_no']}/return",
            headers=clerk,
            json={"items": [{"material_code": "rd_statement", "problem": "口径不符"}]},
        )
        assert returned.status_code == 200, returned.text
    with frozen(beijing(2026, 11, 6)):
        assert (await query(client, case["case_no"]))["deadline"] == "2026-11-20"
