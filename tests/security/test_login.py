"""Logins are throttled per account and per address, audited, and verified off the event
loop; tokens can be revoked; an administrator can clear a lock."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from fastapi import FastAPI

from servicedesk.accounts import login as login_module
from servicedesk.accounts import service as accounts
from servicedesk.audit.models import AuditEntry
from servicedesk.throttle.models import Throttle
from tests.factories import PASSWORD, make_catalogue, make_user, page_login

API = "/api/v1"


def client_at(app: FastAPI, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 4000))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


@pytest.fixture
async def users(client: httpx.AsyncClient) -> None:
    del client
    await make_catalogue()
    await make_user(username="alice")
    await make_user(username="bob", service_point="DX-BIO")
    await make_user(username="root", role="admin")


async def token(http: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    return await http.post(f"{API}/auth/token", json={"username": username, "password": password})


@pytest.mark.usefixtures("users")
async def test_200_wrong_passwords_lock_the_account_until_an_admin_clears_it(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    attacker = client_at(app, "203.0.113.9")
    codes = [(await token(attacker, "alice", f"guess-{i}")).status_code for i in range(200)]
    assert codes[:5] == [401] * 5  # a few honest typing mistakes cost nothing
    assert set(codes[5:]) <= {401, 429}
    assert codes.count(401) < 10  # the rest were refused without looking at the password
    refused = await token(client, "alice")  # the right password, from the owner's desk
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 10 * 60
    assert refused.json()["error"] == "TooManyRequests"
    other = client_at(app, "198.51.100.7")
    assert (await token(other, "bob")).status_code == 200  # other accounts log in

    root = (await token(other, "root")).json()["access_token"]
    unlocked = await other.post(
        f"{API}/admin/users/alice/unlock", headers={"Authorization": f"Bearer {root}"}
    )
    assert unlocked.status_code == 200, unlocked.text
    assert unlocked.json() == {"username": "alice", "was_locked": True}
    assert (await token(client, "alice")).status_code == 200
    bob = (await token(other, "bob")).json()["access_token"]
    not_admin = await other.post(
        f"{API}/admin/users/alice/unlock", headers={"Authorization": f"Bearer {bob}"}
    )
    assert not_admin.status_code == 403


@pytest.mark.usefixtures("users")
async def test_the_lock_ends_by_itself(app: FastAPI, client: httpx.AsyncClient) -> None:
    attacker = client_at(app, "203.0.113.9")
    for i in range(30):
        await token(attacker, "alice", f"guess-{i}")
    assert (await token(client, "alice")).status_code == 429
    # Fifteen minutes later (the lock's end moved into the past):
    await Throttle.filter(key="login:user:alice").update(blocked_until=int(time.time()) - 1)
    assert (await token(client, "alice")).status_code == 200
    assert not await Throttle.filter(key="login:user:alice").exists()  # success forgets


@pytest.mark.usefixtures("users")
async def test_one_address_cannot_walk_through_the_accounts(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    attacker = client_at(app, "203.0.113.9")
    codes = [(await token(attacker, f"user{i}", "guess")).status_code for i in range(120)]
    assert codes[-1] == 429
    assert (await token(attacker, "bob")).status_code == 429  # even a right password
    assert (await token(client, "bob")).status_code == 200  # from elsewhere it works


@pytest.mark.usefixtures("users")
async def test_every_attempt_is_audited(app: FastAPI, client: httpx.AsyncClient) -> None:
    del app
    await token(client, "alice", "Secret-Guess-1")
    await token(client, "nobody", "Secret-Guess-2")
    await token(client, "alice")
    rows = await AuditEntry.filter(action__startswith="auth.").order_by("id")
    assert [(r.action, r.entity_id) for r in rows] == [
        ("auth.login_failed", "alice"),
        ("auth.login_failed", "nobody"),
        ("auth.login", "alice"),
    ]
    assert rows[0].after is not None
    assert rows[0].after["client"] == "127.0.0.1"
    assert "Secret-Guess" not in str([r.after for r in rows])  # never the password tried


@pytest.mark.usefixtures("users")
async def test_password_checks_do_not_block_the_event_loop(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    hasher = accounts.password_hasher()
    real = hasher.verify_and_update

    def slow(password: str, stored: str) -> tuple[bool, str | None]:
        time.sleep(0.6)  # a blocking call, as Argon2 is
        return real(password, stored)

    monkeypatch.setattr(hasher, "verify_and_update", slow)
    login = asyncio.create_task(token(client, "alice"))
    await asyncio.sleep(0.05)
    started = time.perf_counter()
    points = await client.get(f"{API}/service-points")
    assert points.status_code == 200
    assert time.perf_counter() - started < 0.4  # answered while the password was checked
    assert (await login).status_code == 200


@pytest.mark.usefixtures("users")
async def test_a_flood_of_logins_is_told_to_come_back(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(login_module, "_waiting", 10**6)
    response = await token(client, "alice")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"


@pytest.mark.usefixtures("users")
async def test_revoke_ends_the_token_at_once(client: httpx.AsyncClient) -> None:
    headers = {"Authorization": f"Bearer {(await token(client, 'alice')).json()['access_token']}"}
    assert (await client.get(f"{API}/auth/me", headers=headers)).status_code == 200
    revoked = await client.post(f"{API}/auth/revoke", headers=headers)
    assert revoked.status_code == 200
    assert revoked.json() == {"revoked": True}
    again = await client.get(f"{API}/auth/me", headers=headers)
    assert again.status_code == 401
    assert await AuditEntry.filter(action="auth.revoke").count() == 1


@pytest.mark.usefixtures("users")
async def test_the_login_page_is_throttled_and_needs_its_own_form(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    forged = await client.post("/login", data={"username": "alice", "password": PASSWORD})
    assert forged.status_code == 403  # no form token: another site cannot log anyone in
    assert "sd_session" not in forged.cookies
    attacker = client_at(app, "203.0.113.9")
    for i in range(25):
        await page_login(attacker, "alice", f"guess-{i}")
    locked = await page_login(client, "alice")
    assert locked.status_code == 429
    assert "Retry-After" in locked.headers
    assert 'data-testid="login-error"' in locked.text


@pytest.mark.parametrize(
    "target", ["//evil.example", "/\\evil.example", "https://evil.example", "/ok\r\nx", "\\\\x"]
)
@pytest.mark.usefixtures("users")
async def test_next_never_leaves_the_site(client: httpx.AsyncClient, target: str) -> None:
    response = await page_login(client, "alice", next=target)
    assert response.status_code == 303
    assert response.headers["location"] == "/clerk"


@pytest.mark.usefixtures("users")
async def test_parallel_guesses_for_one_account_wait_their_turn(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A burst of parallel guesses cannot run many password checks at once."""
    hasher = accounts.password_hasher()
    real = hasher.verify_and_update

    def slow(password: str, stored: str) -> tuple[bool, str | None]:
        time.sleep(0.3)
        return real(password, stored)

    monkeypatch.setattr(hasher, "verify_and_update", slow)
    answers = await asyncio.gather(*[token(client, "alice", f"guess-{i}") for i in range(8)])
    codes = sorted(a.status_code for a in answers)
    assert codes.count(401) == 1  # one check ran
    assert codes.count(429) == 7
    bob = await token(client, "bob")  # other accounts are not held up
    assert bob.status_code == 200
