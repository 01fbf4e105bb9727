"""The PostgreSQL pool skips asyncpg's session reset (``db.keep_session``): the code
must leave no session state on a pooled connection, and an open transaction is still
rolled back when its connection goes back."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from tortoise import Tortoise, connections

from servicedesk.db import keep_session, tortoise_config
from tests.conftest import is_postgres, server_database_url

ROOT = Path(__file__).resolve().parents[1]
# Session state a reset would have undone: session advisory locks, session settings,
# held cursors, LISTEN on a pooled connection.
# (Statements in upper case, as this code writes its SQL.)
SESSION_STATE = re.compile(
    r"(?i:pg_advisory_lock|pg_try_advisory_lock|set_config\(|add_listener\()"
    r"|[\"']\s*(?:SET|RESET|LISTEN|DECLARE)\s"
)
# The queue events listen on a connection of their own, not a pooled one.
OWN_CONNECTION = {Path("servicedesk/queue/events.py"): {"add_listener("}}


def test_no_code_leaves_session_state_on_a_pooled_connection() -> None:
    found = []
    for package in ("servicedesk", "credit", "kiosk_ui"):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            allowed = OWN_CONNECTION.get(relative, set())
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                for match in SESSION_STATE.finditer(line):
                    if match.group(0) not in allowed:
                        found.append(f"{relative}:{number}: {line.strip()}")
    assert not found, "session state on a pooled connection:\n" + "\n".join(found)


def test_the_guard_sees_session_state() -> None:
    assert SESSION_STATE.search('await conn.execute("SET statement_timeout = 5")')
    assert SESSION_STATE.search("SELECT pg_advisory_lock(1)")
    assert not SESSION_STATE.search("SELECT pg_advisory_xact_lock(hashtext($1))")
    assert not SESSION_STATE.search('"UPDATE tickets SET status = $1"')


@pytest.mark.skipif(not is_postgres(), reason="asyncpg's pool: PostgreSQL only")
def test_a_released_connection_is_rolled_back_without_the_reset_query(tmp_path: Path) -> None:
    url = server_database_url(tmp_path, prefix="pool")

    async def check() -> None:
        await Tortoise.init(config=tortoise_config(url))
        try:
            client = connections.get("default")
            await client.execute_query("SELECT 1")
            pool = client._pool  # type: ignore[attr-defined]
            assert pool._reset is keep_session
            async with pool.acquire() as conn:
                pid = await conn.fetchval("SELECT pg_backend_pid()")
                await conn.execute("BEGIN")
                await conn.execute("CREATE TEMP TABLE left_open (x int)")
            async with pool.acquire() as conn:
                assert await conn.fetchval("SELECT pg_backend_pid()") == pid  # the same one
                assert not conn.is_in_transaction()
                assert await conn.fetchval("SELECT to_regclass('pg_temp.left_open')") is None
        finally:
            await Tortoise.close_connections()

    asyncio.run(check())
