"""Helpers for driving pages as a browser does: a login-form session and its CSRF token."""

from __future__ import annotations

import re

import httpx

from tests.factories import PASSWORD, page_login


async def page_session(client: httpx.AsyncClient, username: str) -> str:
    """Log ``username`` in through the login form; returns the session's CSRF token."""
    client.cookies.clear()
    response = await page_login(client, username, PASSWORD)
    assert response.status_code == 303, response.text
    home = await client.get("/")
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', home.text)
    assert match, "no logout form with a CSRF token"
    return match.group(1)


def detail(response: httpx.Response) -> str:
    """The error detail of a JSON error answer."""
    return str(response.json()["detail"])
