"""Kiosk tokens: revoked, rotated, expiring, with their last use recorded; the command line
revokes them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from servicedesk.accounts import kiosks
from servicedesk.accounts import service as accounts
from servicedesk.accounts.models import KioskDevice
from servicedesk.audit.models import AuditEntry
from servicedesk.catalogue import service as catalogue
from servicedesk.timeutil import now
from tests.cli.test_cli import run
from tests.conftest import server_database_url
from tests.factories import make_catalogue

API = "/api/v1"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def take(client: httpx.AsyncClient, token: str) -> int:
    r = await client.post(
        f"{API}/service-points/HD-AI/tickets",
        json={"matter_code": "HTE-CERT"},
        headers=bearer(token),
    )
    return r.status_code


@pytest.fixture
async def kiosk(client: httpx.AsyncClient) -> tuple[int, str]:
    del client
    await make_catalogue()
    device, token = await accounts.create_kiosk(await catalogue.get_point("HD-AI"))
    return device.id, token


async def test_revoked_and_rotated_tokens_are_refused(
    client: httpx.AsyncClient, kiosk: tuple[int, str]
) -> None:
    kiosk_id, token = kiosk
    assert await take(client, token) == 201
    fresh = await kiosks.rotate(kiosk_id, actor="cli:root")
    assert await take(client, token) == 401  # at once in this process
    assert await take(client, fresh) == 201
    await kiosks.revoke(kiosk_id, actor="cli:root")
    assert await take(client, fresh) == 401
    actions = await AuditEntry.filter(entity="kiosk").values_list("action", flat=True)
    assert list(actions) == ["kiosk.create", "kiosk.rotate", "kiosk.revoke"]


async def test_a_kiosk_may_revoke_its_own_token(
    client: httpx.AsyncClient, kiosk: tuple[int, str]
) -> None:
    _, token = kiosk
    r = await client.post(f"{API}/auth/revoke", headers=bearer(token))
    assert r.status_code == 200
    assert await take(client, token) == 401


async def test_an_expired_token_is_refused_and_use_is_recorded(client: httpx.AsyncClient) -> None:
    await make_catalogue()
    device, token = await accounts.create_kiosk(await catalogue.get_point("HD-AI"), expires_days=30)
    assert device.expires_at is not None
    assert await take(client, token) == 201
    used = await KioskDevice.get(id=device.id)
    assert used.last_used_at is not None
    assert now() - used.last_used_at < timedelta(minutes=1)
    await KioskDevice.filter(id=device.id).update(expires_at=now() - timedelta(seconds=1))
    accounts.forget_kiosks()  # another process, or ten seconds later
    assert await take(client, token) == 401


def test_the_command_line_revokes_rotates_and_makes_enrolment_codes(tmp_path: Path) -> None:
    url = server_database_url(tmp_path, prefix="kiosk")
    assert run(["migrate"], url).returncode == 0
    assert run(["seed", "--demo"], url).returncode == 0
    created = run(["kiosk", "create", "--service-point", "HD-AI", "--expires-days", "90"], url)
    assert created.returncode == 0, created.stderr
    assert "/kiosk/HD-AI/enrol" in created.stderr
    kiosk_id = created.stderr.split("kiosk ", 1)[1].split(" ", 1)[0]
    code = run(["kiosk", "enrol-code", kiosk_id], url)
    assert code.returncode == 0
    assert len(code.stdout.strip()) == 9  # ABCD-EFGH
    rotated = run(["kiosk", "rotate", kiosk_id], url)
    assert rotated.stdout.startswith("kiosk_")
    revoked = run(["kiosk", "revoke", kiosk_id], url)
    assert revoked.returncode == 0, revoked.stderr
    assert "revoked" in revoked.stdout
    again = run(["kiosk", "revoke", kiosk_id], url)
    assert again.returncode == 2
    assert "revoked already" in again.stderr
    missing = run(["kiosk", "revoke", "999"], url)
    assert missing.returncode == 2
