"""Queue fixtures: a catalogue, a kiosk and a clerk at HD-AI."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.factories import clerk_headers, kiosk_headers, make_catalogue


@pytest_asyncio.fixture
async def hall(client: httpx.AsyncClient) -> dict[str, Any]:
    """HD-AI with its catalogue (``client`` brings the database); request headers."""
    await make_catalogue()
    return {"kiosk": await kiosk_headers(), "clerk": await clerk_headers(client)}


@pytest.fixture(autouse=True)
def _fresh_estimate_cache() -> None:
    """Each test has its own database, so the hall layout cached by id starts afresh."""
    from servicedesk.queue.estimate import clear_cache

    clear_cache()
