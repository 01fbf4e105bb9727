"""The officials' pages render the data they are about (server-side, no browser)."""

from __future__ import annotations

import httpx

from tests.factories import (
    PASSWORD,
    login,
    make_catalogue,
    make_incubator,
    make_user,
    page_login,
    publish_run,
)


async def _session(client: httpx.AsyncClient, username: str) -> None:
    response = await page_login(client, username, PASSWORD)
    assert response.status_code == 303


async def test_dashboard_lists_published_ratings_and_appeals_need_two(
    client: httpx.AsyncClient,
) -> None:
    await make_catalogue()
    await make_user(username="li", role="official")
    await make_user(username="wang", role="official")
    await make_user(username="inc", role="incubator")
    li, wang = await login(client, "li"), await login(client, "wang")
    await make_incubator()
    await publish_run(client, reviewer=li, confirmer=wang)
    appeal = (
        await client.post(
            "/api/v1/appeals", json={"reason": "数据有误"}, headers=await login(client, "inc")
        )
    ).json()
    await client.post(
        f"/api/v1/appeals/{appeal['id']}/decide",
        headers=li,
        json={"outcome": "upheld", "new_grade": "B", "note": "核实"},
    )
    await _session(client, "wang")
    dashboard = await client.get("/officials")
    assert dashboard.status_code == 200
    table = dashboard.text.split('data-testid="ratings-table"')[1].split("</table>")[0]
    assert "INC-HD-001" in table
    appeals = await client.get("/officials/appeals")
    assert f'data-testid="confirm-appeal-{appeal["id"]}"' in appeals.text
    assert "数据有误" in appeals.text
