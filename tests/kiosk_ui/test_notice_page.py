"""The printable one-time notice: material names and problems in the page's language,
the legal basis and the case number; from the web query, the kiosk and the clerk."""

from __future__ import annotations

import re

import httpx

from tests.factories import clerk_headers, make_catalogue, make_user, submit_case
from tests.kiosk_ui.pages import page_session
from tests.queue.test_kiosk_pages import enrol

HTML = {"accept": "text/html"}


async def _returned(client: httpx.AsyncClient) -> tuple[str, str]:
    clerk = await clerk_headers(client)
    case = await submit_case(client, clerk, materials=["application", "license", "rd_audit"])
    r = await client.post(
        f"/api/v1/cases/{case['case_no']}/return",
        headers=clerk,
        json={"items": [{"material_code": "license", "problem": "复印件未盖章"}]},
    )
    assert r.status_code == 200, r.text
    return case["case_no"], case["query_code"]


def _rows(html: str) -> list[list[str]]:
    """The notice's table rows, each as its cells' words."""
    body = html.split('data-testid="notice-items"')[1].split("</table>")[0]
    return [re.sub(r"<[^>]+>", " ", row).split() for row in body.split("<tr>")[2:]]


async def test_the_web_query_links_a_printable_notice_in_words(client: httpx.AsyncClient) -> None:
    await make_catalogue()
    no, code = await _returned(client)
    query = await client.get("/query", params={"case_no": no, "query_code": code})
    assert 'data-testid="notice-link"' in query.text
    sheet = await client.get("/query/notice", params={"case_no": no, "query_code": code})
    assert sheet.status_code == 200
    assert f'data-testid="notice-case-no">{no}<' in sheet.text
    assert "《高新技术企业认定管理办法》" in sheet.text
    assert "@page" not in sheet.text  # print CSS lives in its static file
    assert ["1", "营业执照", "复印件未盖章"] in _rows(sheet.text)
    assert ["2", "知识产权证书", "未提交该材料"] in _rows(sheet.text)
    assert "ip_certificates" not in sheet.text  # never a material code alone
    english = await client.get(
        "/query/notice", params={"case_no": no, "query_code": code, "lang": "en"}
    )
    assert "Intellectual property certificates" in english.text
    assert "Not submitted" in english.text
    assert "One-time notice" in english.text
    wrong = await client.get(
        "/query/notice", params={"case_no": no, "query_code": "WRONG234"}, headers=HTML
    )
    assert wrong.status_code == 404
    css = await client.get("/static/notice.css")
    assert "size: A4" in css.text


async def test_the_clerk_prints_the_notice_of_their_own_points_cases(
    client: httpx.AsyncClient,
) -> None:
    await make_catalogue()
    no, _ = await _returned(client)
    await page_session(client, "clerk1")
    case_page = await client.get(f"/clerk/cases/{no}")
    assert f'href="/clerk/cases/{no}/notice"' in case_page.text
    sheet = await client.get(f"/clerk/cases/{no}/notice")
    assert sheet.status_code == 200
    assert "研发费用专项审计报告" not in sheet.text  # provided: not on the notice
    assert "高新技术产品（服务）收入专项审计报告" in sheet.text
    await make_user(username="clerk-dx", service_point="DX-BIO")
    await page_session(client, "clerk-dx")
    other = await client.get(f"/clerk/cases/{no}/notice", headers=HTML)
    assert other.status_code == 404  # another point's case answers as a missing one


async def test_the_kiosk_prints_the_notice_of_the_case_just_queried(
    client: httpx.AsyncClient,
) -> None:
    await make_catalogue()
    no, code = await _returned(client)
    await enrol(client)
    form = await client.get("/kiosk/HD-AI/query")
    csrf = re.search(r'name="csrf_token" value="([^"]*)"', form.text)
    assert csrf
    answer = await client.post(
        "/kiosk/HD-AI/query", data={"csrf_token": csrf.group(1), "case_no": no, "code": code}
    )
    assert 'action="/kiosk/HD-AI/notice"' in answer.text
    sheet = await client.post(
        "/kiosk/HD-AI/notice", data={"csrf_token": csrf.group(1), "case_no": no, "code": code}
    )
    assert sheet.status_code == 200
    assert "知识产权证书" in sheet.text
    assert 'data-home="/kiosk/HD-AI"' in sheet.text  # the idle reset still returns home
    forged = await client.post("/kiosk/HD-AI/notice", data={"case_no": no, "code": code})
    assert forged.status_code == 403


async def test_a_case_without_an_open_notice_has_no_sheet(client: httpx.AsyncClient) -> None:
    await make_catalogue()
    clerk = await clerk_headers(client)
    case = await submit_case(client, clerk)
    r = await client.get(
        "/query/notice",
        params={"case_no": case["case_no"], "query_code": case["query_code"]},
        headers=HTML,
    )
    assert r.status_code == 404


async def test_the_kiosk_queries_by_the_receipts_query_code(client: httpx.AsyncClient) -> None:
    await make_catalogue()
    clerk = await clerk_headers(client)
    case = await submit_case(client, clerk, materials=["application", "license", "rd_audit"])
    await enrol(client)
    form = await client.get("/kiosk/HD-AI/query")
    csrf = re.search(r'name="csrf_token" value="([^"]*)"', form.text)
    assert csrf
    asked = {"csrf_token": csrf.group(1), "case_no": case["case_no"]}
    found = await client.post(
        "/kiosk/HD-AI/query", data={**asked, "query_code": case["query_code"].lower()}
    )
    assert found.status_code == 200
    assert 'data-testid="query-result"' in found.text
    wrong = await client.post("/kiosk/HD-AI/query", data={**asked, "query_code": "ZZZZZZZZ"})
    assert wrong.status_code == 404
    assert 'data-testid="query-result"' not in wrong.text
