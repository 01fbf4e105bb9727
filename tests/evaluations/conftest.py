"""A hall at HD-AI with a kiosk, a clerk, the point's supervisor and two officials."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.factories import kiosk_headers, login, make_catalogue, make_user

API = "/api/v1"


@dataclass
class Hall:
    client: httpx.AsyncClient
    kiosk: dict[str, str]
    clerk: dict[str, str]
    supervisor: dict[str, str]
    official: dict[str, str]
    official2: dict[str, str]

    async def served_ticket(
        self, *, window: str = "HD-AI-W1", matter: str = "HTE-CERT"
    ) -> dict[str, Any]:
        """A ticket taken at the kiosk, called and completed at ``window``."""
        r = await self.client.post(
            f"{API}/service-points/HD-AI/tickets", json={"matter_code": matter}, headers=self.kiosk
        )
        assert r.status_code == 201, r.text
        ticket: dict[str, Any] = r.json()
        r = await self.client.post(f"{API}/windows/{window}/call-next", headers=self.clerk)
        assert r.status_code == 200, r.text
        assert r.json()["id"] == ticket["id"]
        r = await self.client.post(f"{API}/tickets/{ticket['id']}/complete", headers=self.clerk)
        assert r.status_code == 200, r.text
        return ticket

    async def rate(self, **body: Any) -> httpx.Response:
        return await self.client.post(f"{API}/evaluations", json=body)


@pytest_asyncio.fixture
async def hall(client: httpx.AsyncClient) -> Hall:
    await make_catalogue()
    await make_user(username="clerk1")
    await make_user(username="boss", role="supervisor")
    await make_user(username="boss-dx", role="supervisor", service_point="DX-BIO")
    await make_user(username="li", role="official")
    await make_user(username="wang", role="official")
    return Hall(
        client=client,
        kiosk=await kiosk_headers(),
        clerk=await login(client, "clerk1"),
        supervisor=await login(client, "boss"),
        official=await login(client, "li"),
        official2=await login(client, "wang"),
    )


@pytest.fixture(autouse=True)
def _fresh_estimate_cache() -> None:
    from servicedesk.queue.estimate import clear_cache

    clear_cache()
