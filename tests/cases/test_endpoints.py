from __future__ import annotations

import httpx
import pytest

from servicedesk.audit.models import AuditEntry
from servicedesk.cases.models import Case
from servicedesk.timeutil import beijing, frozen
from tests.factories import (
    HTE_CORE,
    clerk_headers,
    kiosk_headers,
    make_catalogue,
    make_uscc,
    submit_case,
)

API = "/api/v1"


@pytest.fixture
async def clerk(client: httpx.AsyncClient) -> dict[str, str]:
    await make_catalogue()
    return await clerk_headers(client)


async def post(
    client: httpx.AsyncClient,
    path: str,
    headers: dict[str, str],
    json: object = None,
    expect: int = 200,
) -> dict[str, object]:
    response = await client.post(f"{API}{path}", json=json, headers=headers)
    assert response.status_code == expect, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_full_lifecycle_is_on_the_timeline(
    client: httpx.AsyncClient, clerk: dict[str, str]
) -> None:
    case = await submit_case(client, clerk)
    no = case["case_no"]
    assert case["status"] == "submitted"
    assert case["missing_core"] == []
    assert case["missing_optional"] == []
    steps = [
        ("accept", "accepted"),
        ("start-review", "under_review"),
        ("approve", "approved"),
        ("issue-result", "result_issued"),
        ("close", "closed"),
    ]
    for action, status in steps:
        assert (await post(client, f"/cases/{no}/{action}", clerk))["status"] == status
    public = (
        await client.get(f"{API}/cases/{no}", params={"query_code": case["query_code"]})
    ).json()
    assert [e["to_status"] for e in public["timeline"]] == ["submitted"] + [s for _, s in steps]
    assert all(e["actor"] in {"clerk", "kiosk"} for e in public["timeline"])  # no staff names
    audit = await AuditEntry.filter(entity="case", entity_id=no).order_by("id")
    assert [a.action for a in audit][-1] == "case.close"
    assert audit[-1].before == {"status": "result_issued"}


async def test_case_number_is_readable(client: httpx.AsyncClient, clerk: dict[str, str]) -> None:
    with frozen(beijing(2026, 11, 2)):
        first = await submit_case(client, clerk)
        second = await submit_case(client, clerk, uscc=make_uscc(2))
    assert first["case_no"] == "HD-AI-20261102-0001"
    assert second["case_no"] == "HD-AI-20261102-0002"


async def test_denied_and_rejected_need_reasons(
    client: httpx.AsyncClient, clerk: dict[str, str]
) -> None:
    case = await submit_case(client, clerk)
    error = await post(client, f"/cases/{case['case_no']}/reject", clerk, {"reason": " "}, 422)
    assert error["error"] == "InvalidInput"
    assert "reason" in str(error["detail"])
    rejected = await post(
        client, f"/cases/{case['case_no']}/reject", clerk, {"reason": "不属于本窗口受理范围"}
    )
    assert rejected["status"] == "rejected"
    assert rejected["decision_reason"] == "不属于本窗口受理范围"
    other = await submit_case(client, clerk, uscc=make_uscc(3))
    for action in ("accept", "start-review"):
        await post(client, f"/cases/{other['case_no']}/{action}", clerk)
    denied = await post(client, f"/cases/{other['case_no']}/deny", clerk, {"reason": "指标不达标"})
    assert denied["status"] == "denied"


# Every status, and the actions that are illegal from it.
ILLEGAL = {
    "submitted": ["start-review", "approve", "deny", "issue-result", "close"],
    "returned": ["accept", "start-review", "approve", "issue-result", "close"],
    "accepted": ["accept", "reject", "approve", "issue-result", "close"],
    "accepted_with_deficiency": ["accept", "reject", "approve", "issue-result", "close"],
    "under_review": ["accept", "reject", "start-review", "issue-result", "close"],
    "approved": ["accept", "return", "reject", "start-review", "approve", "close", "withdraw"],
    "denied": ["accept", "return", "reject", "approve", "deny", "close", "withdraw"],
    "result_issued": ["accept", "return", "approve", "issue-result", "withdraw"],
    "closed": ["accept", "return", "reject", "approve", "issue-result", "close", "withdraw"],
    "rejected": ["accept", "return", "reject", "start-review", "approve", "withdraw"],
    "withdrawn": ["accept", "return", "reject", "approve", "close", "withdraw"],
}


@pytest.mark.parametrize("status", sorted(ILLEGAL))
async def test_illegal_transitions_get_409(
    client: httpx.AsyncClient, clerk: dict[str, str], status: str
) -> None:
    case = await submit_case(client, clerk)
    no = case["case_no"]
    await Case.filter(case_no=no).update(status=status)
    for action in ILLEGAL[status]:
        body = {"reason": "x"} if action in {"reject", "deny"} else None
        error = await post(client, f"/cases/{no}/{action}", clerk, body, 409)
        assert error["error"] == "IllegalTransition", action
        assert status in str(error["detail"])
    assert (await Case.get(case_no=no)).status == status  # nothing changed


async def test_withdraw_before_a_decision(client: httpx.AsyncClient, clerk: dict[str, str]) -> None:
    kiosk = await kiosk_headers()
    case = await submit_case(client, kiosk)
    await post(client, f"/cases/{case['case_no']}/withdraw", kiosk, {"uscc": make_uscc(9)}, 404)
    done = await post(
        client,
        f"/cases/{case['case_no']}/withdraw",
        kiosk,
        {"uscc": make_uscc(1), "reason": "材料准备不全，下次再办"},
    )
    assert done["status"] == "withdrawn"
    await post(client, f"/cases/{case['case_no']}/accept", clerk, None, 409)


async def test_concurrent_accepts_only_one_wins(
    client: httpx.AsyncClient, clerk: dict[str, str]
) -> None:
    import asyncio

    case = await submit_case(client, clerk)
    responses = await asyncio.gather(
        *[client.post(f"{API}/cases/{case['case_no']}/accept", headers=clerk) for _ in range(5)]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes.count(200) == 1
    assert set(codes) == {200, 409}
    events = [
        e
        for e in (
            await client.get(
                f"{API}/cases/{case['case_no']}", params={"query_code": case["query_code"]}
            )
        ).json()["timeline"]
        if e["action"] == "accept"
    ]
    assert len(events) == 1


async def test_missing_core_cannot_be_accepted(
    client: httpx.AsyncClient, clerk: dict[str, str]
) -> None:
    case = await submit_case(client, clerk, materials=["application", "license"])
    assert case["missing_core"] == ["ip_certificates", "rd_audit", "hitech_income", "financials_3y"]
    error = await post(client, f"/cases/{case['case_no']}/accept", clerk, None, 409)
    assert "ip_certificates" in str(error["detail"])
    assert error["missing_core"] == case["missing_core"]


async def test_unknown_material_and_matter_are_named(
    client: httpx.AsyncClient, clerk: dict[str, str]
) -> None:
    bad = await client.post(
        f"{API}/cases",
        headers=clerk,
        json={
            "service_point": "HD-AI",
            "matter_code": "HTE-CERT",
            "firm": {"uscc": make_uscc(1), "name": "x"},
            "materials": ["license", "selfie"],
        },
    )
    assert bad.status_code == 422
    assert "selfie" in bad.json()["detail"]
    nomatter = await client.post(
        f"{API}/cases",
        headers=clerk,
        json={
            "service_point": "HD-AI",
            "matter_code": "NOPE",
            "firm": {"uscc": make_uscc(1), "name": "x"},
        },
    )
    assert nomatter.status_code == 404
    assert "NOPE" in nomatter.json()["detail"]
    missing_field = await client.post(
        f"{API}/cases", headers=clerk, json={"service_point": "HD-AI"}
    )
    body = missing_field.json()
    assert missing_field.status_code == 422
    assert body["error"] == "ValidationError"
    assert {f["field"] for f in body["fields"]} >= {"matter_code", "firm"}
    assert await Case.all().count() == 0


@pytest.mark.parametrize(
    ("uscc", "fragment"),
    [
        ("91110108MA01", "18 characters"),
        ("91110108MA0000I01X", "characters not allowed"),
        ("WRONG_CHECK", "check digit"),
    ],
)
async def test_bad_uscc_is_explained(
    client: httpx.AsyncClient, clerk: dict[str, str], uscc: str, fragment: str
) -> None:
    if uscc == "WRONG_CHECK":
        good = make_uscc(5)
        uscc = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = await client.post(
        f"{API}/cases",
        headers=clerk,
        json={
            "service_point": "HD-AI",
            "matter_code": "HTE-CERT",
            "firm": {"uscc": uscc, "name": "某公司"},
        },
    )
    assert response.status_code == 422
    assert response.json()["error"] == "InvalidInput"
    assert fragment in response.json()["detail"]
    assert await Case.all().count() == 0


async def test_public_query_needs_the_query_code(
    client: httpx.AsyncClient, clerk: dict[str, str]
) -> None:
    case = await submit_case(client, clerk)
    code = str(case["query_code"])
    assert len(code) == 8
    url = f"{API}/cases/{case['case_no']}"
    ok = await client.get(url, params={"query_code": f"{code[:4].lower()}-{code[4:]}"})
    assert ok.status_code == 200
    assert ok.json()["status"] == "submitted"
    wrong = await client.get(url, params={"query_code": "AAAAAAAA"})
    assert wrong.status_code == 404
    assert wrong.json()["error"] == "NotFound"
    unknown = await client.get(f"{API}/cases/NO-SUCH", params={"query_code": code})
    assert unknown.status_code == 404
    assert wrong.json()["detail"] == unknown.json()["detail"]  # no hint which part is wrong


async def test_the_uscc_opens_a_case_only_at_a_kiosk_of_its_point(
    client: httpx.AsyncClient, clerk: dict[str, str]
) -> None:
    case = await submit_case(client, clerk)
    url = f"{API}/cases/{case['case_no']}"
    anonymous = await client.get(url, params={"uscc": make_uscc(1)})
    assert anonymous.status_code == 422
    assert anonymous.json()["field"] == "query_code"
    assert "query_code" in anonymous.json()["detail"]
    as_clerk = await client.get(url, params={"uscc": make_uscc(1)}, headers=clerk)
    assert as_clerk.status_code == 422
    here = await client.get(url, params={"uscc": make_uscc(1)}, headers=await kiosk_headers())
    assert here.status_code == 200
    assert here.json()["case_no"] == case["case_no"]
    elsewhere = await client.get(
        url, params={"uscc": make_uscc(1)}, headers=await kiosk_headers(service_point="DX-BIO")
    )
    assert elsewhere.status_code == 404
    wrong_firm = await client.get(url, params={"uscc": make_uscc(2)}, headers=await kiosk_headers())
    assert wrong_firm.json()["detail"] == elsewhere.json()["detail"]


async def test_list_by_status(client: httpx.AsyncClient, clerk: dict[str, str]) -> None:
    first = await submit_case(client, clerk)
    await submit_case(client, clerk, uscc=make_uscc(2), materials=HTE_CORE)
    await post(client, f"/cases/{first['case_no']}/accept", clerk)
    listed = (await client.get(f"{API}/cases", params={"status": "accepted"}, headers=clerk)).json()
    assert [c["case_no"] for c in listed] == [first["case_no"]]
    bad = await client.get(f"{API}/cases", params={"status": "lost"}, headers=clerk)
    assert bad.status_code == 422
    assert "lost" in bad.json()["detail"]


async def test_an_accepted_case_is_denied_not_rejected(
    client: httpx.AsyncClient, clerk: dict[str, str]
) -> None:
    case = await submit_case(client, clerk)
    no = case["case_no"]
    await post(client, f"/cases/{no}/accept", clerk)
    await post(
        client,
        f"/cases/{no}/return",
        clerk,
        {"items": [{"material_code": "license", "problem": "过期"}]},
    )
    error = await post(client, f"/cases/{no}/reject", clerk, {"reason": "x"}, 409)
    assert "denied" in str(error["detail"])


async def test_a_kiosk_cannot_rename_a_firm(
    client: httpx.AsyncClient, clerk: dict[str, str]
) -> None:
    from tests.factories import kiosk_headers

    await submit_case(client, clerk, name="北京真名科技有限公司")
    kiosk = await kiosk_headers()
    await submit_case(client, kiosk, name="冒名公司")
    third = await submit_case(client, kiosk)
    public = (
        await client.get(
            f"{API}/cases/{third['case_no']}", params={"query_code": third["query_code"]}
        )
    ).json()
    assert public["firm"]["name"] == "北京真名科技有限公司"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        (
            "post",
            "/cases",
            {
                "service_point": "HD-AI",
                "matter_code": "HTE-CERT",
                "firm": {"uscc": make_uscc(1), "name": "x"},
                "recommendation_id": 2**70,
            },
        ),
        ("get", "/cases/A%00B?query_code=x", None),
        ("post", "/auth/token", {"username": "a\u0000", "password": "x"}),
    ],
)
async def test_unstorable_values_get_a_json_4xx(
    client: httpx.AsyncClient, clerk: dict[str, str], method: str, path: str, body: object
) -> None:
    response = await client.request(method, f"{API}{path}", json=body, headers=clerk)
    assert 400 <= response.status_code < 500, response.text
    assert set(response.json()) >= {"error", "detail"}
