"""Demand for the ranking comes from cases and tickets, through the catalogue's port."""

from __future__ import annotations

import httpx
import pytest

from servicedesk import wiring
from servicedesk.catalogue import ports
from servicedesk.catalogue import service as catalogue
from servicedesk.queue.estimate import clear_cache
from tests.factories import kiosk_headers, make_catalogue, submit_case

API = "/api/v1"
RD = {"matter_code": "RD-DEDUCTION", "materials": ["rd_ledger", "project_list"]}


async def test_a_case_and_a_ticket_each_count_once(client: httpx.AsyncClient) -> None:
    clear_cache()  # the estimate caches hall layouts by id, and this database is new
    await make_catalogue()
    kiosk = await kiosk_headers()
    await submit_case(client, kiosk, **RD)
    taken = await client.post(
        f"{API}/service-points/HD-AI/tickets", json={"matter_code": "RD-DEDUCTION"}, headers=kiosk
    )
    assert taken.status_code == 201, taken.text
    wiring.install()  # wired again, as every entry point does: nothing counts twice
    matter = await catalogue.get_matter("RD-DEDUCTION")
    demand = await catalogue.recent_demand(await catalogue.get_point("HD-AI"))
    assert demand == {matter.id: 2}


async def test_ranking_without_demand_counters_fails_loudly(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_catalogue()
    monkeypatch.setattr(ports, "_counters", [])
    with pytest.raises(RuntimeError, match="wiring.install"):
        await client.get(f"{API}/service-points/HD-AI/matters")
