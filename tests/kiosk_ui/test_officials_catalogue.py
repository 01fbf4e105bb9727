"""Officials pin and hide matters per service point from a page."""

from __future__ import annotations

import re

import httpx

from tests.factories import PASSWORD, make_catalogue, make_user, page_login


async def test_official_pins_and_hides_matters(client: httpx.AsyncClient) -> None:
    await make_catalogue()
    await make_user(username="li", role="official")
    await page_login(client, "li", PASSWORD)
    page = await client.get("/officials/catalogue", params={"sp": "HD-AI"})
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert token
    for matter, change in (("RD-DEDUCTION", "pin"), ("GENAI-FILING", "hide")):
        answer = await client.post(
            f"/officials/catalogue/HD-AI/{matter}",
            data={"csrf_token": token.group(1), "change": change},
        )
        assert answer.status_code == 303
    kiosk_order = [
        m["code"] for m in (await client.get("/api/v1/service-points/HD-AI/matters")).json()
    ]
    assert kiosk_order[0] == "RD-DEDUCTION"
    assert "GENAI-FILING" not in kiosk_order
    listed = (await client.get("/officials/catalogue", params={"sp": "HD-AI"})).text
    assert 'data-testid="show-GENAI-FILING"' in listed  # still listed for officials
    bad = await client.post(
        "/officials/catalogue/HD-AI/RD-DEDUCTION",
        data={"csrf_token": token.group(1), "change": "explode"},
        headers={"accept": "text/html"},
    )
    assert bad.status_code == 422
