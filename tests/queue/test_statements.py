"""The hall's hot paths cost one statement each (one hand-off on SQLite), whatever the
queue's length: counted at the database client over the whole HTTP request."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from tortoise import connections

from servicedesk.queue import statements

TAKE = "/api/v1/service-points/HD-AI/tickets"


@contextmanager
def counting(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every statement (or SQLite hand-off) the database client runs meanwhile for this
    task (the request runs in it; numbers taken are announced later by another)."""
    seen: list[str] = []
    client = connections.get("default")
    mine = asyncio.current_task()
    with monkeypatch.context() as patch:
        for name in ("execute_query", "execute_query_dict", "execute_insert", "execute_many"):
            original = getattr(client, name)

            def counted(sql: str, *args: Any, _original: Any = original) -> Any:
                if asyncio.current_task() is mine:
                    seen.append(sql)
                return _original(sql, *args)

            patch.setattr(client, name, counted)
        hand_off = statements.on_sqlite_thread

        def counted_hand_off(db: Any, work: Any) -> Any:
            seen.append("hand-off")
            return hand_off(db, work)

        patch.setattr(statements, "on_sqlite_thread", counted_hand_off)
        yield seen


async def test_take_call_complete_cost_one_statement_each(
    client: httpx.AsyncClient, hall: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    body = {"matter_code": "HTE-CERT"}
    for _ in range(3):  # the kiosk's token, the hall's layout and statistics get cached
        assert (await client.post(TAKE, json=body, headers=hall["kiosk"])).status_code == 201
    for _ in range(40):  # a longer queue costs the same
        with counting(monkeypatch) as seen:
            taken = await client.post(TAKE, json=body, headers=hall["kiosk"])
        assert taken.status_code == 201
        assert len(seen) == 1, seen
    assert taken.json()["position"] == 43

    # A clerk's bearer token is looked up on first use (one statement), then remembered
    # (accounts.service.PRINCIPAL_CACHE_SECONDS): one statement for the work.
    with counting(monkeypatch) as seen:
        called = await client.post("/api/v1/windows/HD-AI-W1/call-next", headers=hall["clerk"])
    assert called.status_code == 200
    assert len(seen) == 2, seen
    with counting(monkeypatch) as seen:
        done = await client.post(
            f"/api/v1/tickets/{called.json()['id']}/complete", headers=hall["clerk"]
        )
    assert done.json()["status"] == "done"
    assert len(seen) == 1, seen
