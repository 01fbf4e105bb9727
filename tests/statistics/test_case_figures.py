"""A decision keeps the deadlines it is measured by; notices and deficiencies are kept."""

from __future__ import annotations

import httpx

from servicedesk.cases.models import Case
from tests.factories import HTE_CORE, case_body, clerk_headers, make_catalogue

API = "/api/v1"


async def test_a_decision_keeps_its_deadlines_and_flags(client: httpx.AsyncClient) -> None:
    await make_catalogue()
    clerk = await clerk_headers(client)
    r = await client.post(f"{API}/cases", json=case_body(materials=HTE_CORE), headers=clerk)
    no = r.json()["case_no"]
    accepted = await client.post(f"{API}/cases/{no}/accept", json={}, headers=clerk)
    assert accepted.json()["status"] == "accepted_with_deficiency"
    for step, body in (("supplement", {"materials": ["staff_roster", "rd_management"]}),
                       ("start-review", None), ("approve", None)):  # fmt: skip
        r = await client.post(f"{API}/cases/{no}/{step}", json=body, headers=clerk)
        assert r.status_code == 200, (step, r.text)
    case = await Case.get(case_no=no).prefetch_related("matter")
    assert case.deadline_on is not None
    assert case.deadline_on.isoformat() == r.json()["deadline"]
    assert case.statutory_deadline_on is not None
    assert case.statutory_deadline_on > case.deadline_on  # statutory limits are longer
    assert (case.accepted_deficient, case.notice_issued) == (True, False)

    r = await client.post(f"{API}/cases", json=case_body(materials=[]), headers=clerk)
    returned = r.json()["case_no"]
    await client.post(f"{API}/cases/{returned}/return", json={}, headers=clerk)
    assert (await Case.get(case_no=returned)).notice_issued is True
