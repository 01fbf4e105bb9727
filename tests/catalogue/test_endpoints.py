from __future__ import annotations

import httpx

from tests.factories import make_catalogue

API = "/api/v1"


async def test_service_points_and_detail(client: httpx.AsyncClient) -> None:
    await make_catalogue()
    points = (await client.get(f"{API}/service-points")).json()
    assert {p["code"] for p in points} >= {"HD-AI", "DX-BIO", "YZ-IM"}
    hd = next(p for p in points if p["code"] == "HD-AI")
    assert set(hd) >= {"code", "name", "incubator_code", "focus_industries"}
    assert hd["focus_industries"] == ["ai", "it"]
    detail = (await client.get(f"{API}/service-points/HD-AI")).json()
    assert [q["code"] for q in detail["queues"]] == ["A", "B", "C"]
    assert {"code": "HD-AI-W1", "name": "1号窗口", "queues": ["A", "B"]} in detail["windows"]
    missing = await client.get(f"{API}/service-points/NOPE")
    assert missing.status_code == 404
    assert missing.json()["error"] == "NotFound"


async def test_catalogue_is_ordered_by_the_points_industry(client: httpx.AsyncClient) -> None:
    await make_catalogue()
    lists = {
        sp: (await client.get(f"{API}/service-points/{sp}/matters")).json()
        for sp in ("HD-AI", "DX-BIO", "YZ-IM")
    }
    assert all(len(v) >= 15 for v in lists.values())
    top = {sp: [m["code"] for m in v[:3]] for sp, v in lists.items()}
    assert top["DX-BIO"][0] in {"MED-DEV-II", "MED-DEV-DIST"}
    assert "GENAI-FILING" in top["HD-AI"] or "SOFTWARE-COPY" in top["HD-AI"]
    assert "MED-DEV-II" not in [m["code"] for m in lists["HD-AI"][:8]]
    assert top["HD-AI"] != top["DX-BIO"] != top["YZ-IM"]
    hte = next(m for m in lists["HD-AI"] if m["code"] == "HTE-CERT")
    assert hte["queue"] == "B"
    assert hte["inspection_waivable"] is True
    assert hte["promised_days"] == 40
    assert hte["statutory_days"] == 60
    assert {
        "code": "license",
        "name": "营业执照",
        "name_en": "Business licence",
        "core": True,
    } in hte["materials"]
    assert any(not m["core"] for m in hte["materials"])


async def test_recent_demand_lifts_a_matter(client: httpx.AsyncClient) -> None:
    from tests.factories import clerk_headers, submit_case

    await make_catalogue()
    clerk = await clerk_headers(client)
    before = [m["code"] for m in (await client.get(f"{API}/service-points/HD-AI/matters")).json()]
    for _ in range(3):
        await submit_case(
            client, clerk, matter_code="RD-DEDUCTION", materials=["rd_ledger", "project_list"]
        )
    after = [m["code"] for m in (await client.get(f"{API}/service-points/HD-AI/matters")).json()]
    assert after.index("RD-DEDUCTION") < before.index("RD-DEDUCTION")
