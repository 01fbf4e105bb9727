"""The clerk's case pages and the progress query, through forms as a browser sends them."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.factories import PASSWORD, make_catalogue, make_uscc, make_user, page_login, submit_case


@pytest.fixture
async def clerk_session(client: httpx.AsyncClient) -> str:
    """Log a clerk in through the login form; returns a fresh case number."""
    await make_catalogue()
    await make_user(username="clerk1")
    response = await page_login(client, "clerk1", PASSWORD)
    assert response.status_code == 303
    from tests.factories import login

    headers = await login(client, "clerk1")
    case = await submit_case(client, headers, materials=["application", "license"])
    return str(case["case_no"])


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match, "form without CSRF token"
    return match.group(1)


async def test_clerk_returns_then_accepts_through_the_forms(
    client: httpx.AsyncClient, clerk_session: str
) -> None:
    no = clerk_session
    page = await client.get(f"/clerk/cases/{no}")
    assert page.status_code == 200
    assert "核心材料缺失，不能受理" in page.text
    assert "营业执照" in page.text
    token = csrf(page.text)
    returned = await client.post(
        f"/clerk/cases/{no}/return",
        data={"csrf_token": token, "defect_license": "1", "problem_license": "未盖章"},
    )
    assert returned.status_code == 303
    page = await client.get(f"/clerk/cases/{no}")
    assert "退回补正" in page.text
    assert "未盖章" in page.text
    assert "ip_certificates" in page.text
    materials = ["license", "ip_certificates", "rd_audit", "hitech_income", "financials_3y"]
    await client.post(
        f"/clerk/cases/{no}/resubmit", data={"csrf_token": token, "materials": materials}
    )
    accepted = await client.post(
        f"/clerk/cases/{no}/accept", data={"csrf_token": token, "with_deficiency": "1"}
    )
    assert accepted.status_code == 303
    page = await client.get(f"/clerk/cases/{no}")
    assert "容缺受理" in page.text
    assert 'data-testid="deadline"' in page.text


async def test_forms_without_csrf_change_nothing(
    client: httpx.AsyncClient, clerk_session: str
) -> None:
    no = clerk_session
    forged = await client.post(
        f"/clerk/cases/{no}/reject", data={"reason": "x"}, headers={"accept": "text/html"}
    )
    assert forged.status_code == 403
    assert "无法完成操作" in forged.text
    page = await client.get(f"/clerk/cases/{no}")
    assert "不予受理" not in page.text.split("<h1>")[1].split("</h1>")[0]


async def test_illegal_step_renders_the_reason_as_a_page(
    client: httpx.AsyncClient, clerk_session: str
) -> None:
    no = clerk_session
    page = await client.get(f"/clerk/cases/{no}")
    response = await client.post(
        f"/clerk/cases/{no}/approve",
        data={"csrf_token": csrf(page.text)},
        headers={"accept": "text/html"},
    )
    assert response.status_code == 409
    assert "cannot approve a case that is submitted" in response.text


async def test_pages_switch_to_english(client: httpx.AsyncClient, clerk_session: str) -> None:
    page = await client.get("/clerk/cases?lang=en")
    assert "Cases" in page.text
    assert "Case number" in page.text
    assert "办件列表" not in page.text
    detail = await client.get(f"/clerk/cases/{clerk_session}")  # the cookie remembers
    assert "Return for correction" in detail.text


async def test_progress_query_page(client: httpx.AsyncClient, clerk_session: str) -> None:
    from servicedesk.cases.models import Case

    code = (await Case.get(case_no=clerk_session)).query_code
    form = await client.get("/query")
    found = await client.post(
        "/query",
        data={"csrf_token": csrf(form.text), "case_no": clerk_session, "query_code": code},
    )
    assert found.status_code == 200
    assert clerk_session in found.text
    assert "已提交" in found.text
    from_qr = await client.get("/query", params={"case_no": clerk_session, "code": code})
    assert "已提交" in from_qr.text
    missing = await client.post(
        "/query",
        data={"csrf_token": csrf(form.text), "case_no": clerk_session, "query_code": "X2345678"},
    )
    assert missing.status_code == 404
    assert "不匹配" in missing.text
    by_uscc = await client.get("/query", params={"case_no": clerk_session, "uscc": make_uscc(1)})
    assert "已提交" not in by_uscc.text  # the USCC opens nothing on a page
    forged = await client.post(
        "/query", data={"csrf_token": "x", "case_no": clerk_session, "query_code": code}
    )
    assert forged.status_code == 403


async def test_pages_need_a_session(client: httpx.AsyncClient) -> None:
    response = await client.get("/clerk/cases")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


async def test_api_docs_are_served_locally(client: httpx.AsyncClient) -> None:
    docs = await client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert "/static/swagger/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    assert "https://" not in docs.text
    asset = await client.get("/static/swagger/swagger-ui-bundle.js")
    assert asset.status_code == 200
    assert len(asset.content) > 100_000
    schema = (await client.get("/api/v1/openapi.json")).json()
    assert "/api/v1/cases/{case_no}/accept" in schema["paths"]
