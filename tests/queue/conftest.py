"""Queue fixtures: a catalogue, a kiosk and a clerk at HD-AI."""

from __future__ import annotations

from typing import Any

import httpx
import pytest_asyncio
from tortoise.context import TortoiseContext

from tests.factories import clerk_headers, kiosk_headers, make_catalogue


@pytest_asyncio.fixture
async def hall(db: TortoiseContext, client: httpx.AsyncClient) -> dict[str, Any]:
    """HD-AI with its catalogue; ``kiosk`` and ``clerk`` are request headers."""
    await make_catalogue()
    return {"kiosk": await kiosk_headers(), "clerk": await clerk_headers(client)}
