from __future__ import annotations

import httpx
import pytest

from servicedesk.accounts.models import AccessToken
from servicedesk.audit.models import AuditEntry
from tests.factories import PASSWORD, login, make_catalogue, make_user, page_login

API = "/api/v1"


async def test_token_for_the_right_password_only(client: httpx.AsyncClient) -> None:
    await make_catalogue()
    user = await make_user(username="alice")
    assert user.password_hash.startswith("$argon2id$")
    wrong = await client.post(f"{API}/auth/token", json={"username": "alice", "password": "nope"})
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "NotAuthenticated"
    nobody = await client.post(f"{API}/auth/token", json={"username": "bob", "password": "x"})
    assert nobody.json()["detail"] == wrong.json()["detail"]
    headers = await login(client, "alice")
    me = (await client.get(f"{API}/auth/me", headers=headers)).json()
    assert me == {
        "username": "alice",
        "role": "clerk",
        "display_name": "alice",
        "service_point": "HD-AI",
        "incubator_code": None,
    }
    assert await AuditEntry.filter(action="user.create", entity_id=str(user.id)).exists()


async def test_revoked_or_expired_tokens_are_refused(client: httpx.AsyncClient) -> None:
    from datetime import timedelta

    from servicedesk.timeutil import now

    await make_catalogue()
    await make_user(username="alice")
    headers = await login(client, "alice")
    await AccessToken.all().update(expires_at=now() - timedelta(seconds=1))
    response = await client.get(f"{API}/auth/me", headers=headers)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


async def test_a_token_revoked_elsewhere_stops_within_the_cache_window(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another worker revoked it: this one, which remembers the owner, refuses it once
    its memory of the token is older than PRINCIPAL_CACHE_SECONDS."""
    from servicedesk.accounts import cache
    from servicedesk.accounts.service import PRINCIPAL_CACHE_SECONDS

    await make_catalogue()
    await make_user(username="alice")
    headers = await login(client, "alice")
    assert (await client.get(f"{API}/auth/me", headers=headers)).status_code == 200
    await AccessToken.all().update(revoked=True)  # as another worker's logout would
    assert (await client.get(f"{API}/auth/me", headers=headers)).status_code == 200
    later = cache.monotonic() + PRINCIPAL_CACHE_SECONDS + 0.1
    monkeypatch.setattr(cache, "monotonic", lambda: later)
    assert (await client.get(f"{API}/auth/me", headers=headers)).status_code == 401


async def test_page_login_sets_httponly_cookie_and_forms_need_csrf(
    client: httpx.AsyncClient,
) -> None:
    await make_catalogue()
    await make_user(username="alice")
    bad = await page_login(client, "alice", "wrong")
    assert bad.status_code == 401
    response = await page_login(client, "alice", PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == "/clerk"
    cookie = response.headers["set-cookie"]
    assert "sd_session=" in cookie
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    listing = await client.get("/clerk/cases")
    assert listing.status_code == 200
    assert "办件列表" in listing.text
    forged = await client.post(
        "/logout", data={"csrf_token": "forged"}, headers={"accept": "text/html"}
    )
    assert forged.status_code == 403
    assert (await client.get("/clerk/cases")).status_code == 200  # still logged in


@pytest.mark.usefixtures("db")
async def test_user_validation() -> None:

    from servicedesk.errors import Conflict, InvalidInput, NotFound

    await make_catalogue()
    await make_user(username="alice")
    with pytest.raises(Conflict):
        await make_user(username="alice")
    with pytest.raises(InvalidInput, match="8 characters"):
        await make_user(username="bob", password="short")
    with pytest.raises(NotFound):
        await make_user(username="carol", service_point="NOWHERE")
    with pytest.raises(InvalidInput, match="service point"):
        await make_user(username="dave", service_point=None)
