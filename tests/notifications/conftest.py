"""Notification fixtures: a hall with a kiosk and a clerk, receivers, worker settings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from servicedesk.notifications.channels import Senders
from servicedesk.settings import Settings
from tests.factories import clerk_headers, kiosk_headers, make_catalogue
from tests.notifications.receivers import Gateway, SmtpReceiver


@pytest_asyncio.fixture
async def hall(client: httpx.AsyncClient) -> dict[str, Any]:
    """HD-AI with its catalogue (``client`` brings the database); request headers."""
    await make_catalogue()
    return {"kiosk": await kiosk_headers(), "clerk": await clerk_headers(client)}


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    with SmtpReceiver() as receiver:
        yield receiver


@pytest_asyncio.fixture
async def gateway() -> AsyncIterator[Gateway]:
    gw = Gateway()
    server = await gw.serve()
    try:
        yield gw
    finally:
        server.close()


def worker_settings(settings: Settings, **changes: Any) -> Settings:
    return settings.model_copy(
        update={"notify_backoff_seconds": 30.0, "notify_max_attempts": 5, **changes}
    )


@pytest.fixture
def delivery(settings: Settings, smtp: SmtpReceiver, gateway: Gateway) -> Settings:
    """Settings of a worker whose e-mail and SMS go to the local receivers."""
    return worker_settings(
        settings,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_tls="none",
        sms_gateway_url=gateway.url,
        sms_gateway_token="gw-secret",
    )


@pytest_asyncio.fixture
async def senders(delivery: Settings) -> AsyncIterator[Senders]:
    async with Senders(delivery) as s:
        yield s
