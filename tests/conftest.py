"""Each test gets an isolated database: in-memory SQLite, or a fresh PostgreSQL
database when ``SERVICEDESK_TEST_DATABASE_URL`` points at a server."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from tortoise.context import TortoiseContext, tortoise_test_context

from servicedesk import wiring
from servicedesk.accounts import service as accounts
from servicedesk.app import create_app
from servicedesk.db import MODEL_MODULES, normalise_url
from servicedesk.settings import Settings
from servicedesk.statistics import tallies, volumes

# Cheap password hashing keeps the suite fast; production keeps the defaults.
os.environ.setdefault("SERVICEDESK_ARGON2_TIME_COST", "1")
os.environ.setdefault("SERVICEDESK_ARGON2_MEMORY_KIB", "8192")

TEST_DATABASE_URL = os.environ.get("SERVICEDESK_TEST_DATABASE_URL", "sqlite://:memory:")

# Every PostgreSQL database this run creates starts with this prefix, so the run can drop
# all of them at its end (failed tests and killed servers included) without touching the
# databases of another run on the same server.
RUN_PREFIX = f"sdt_{uuid.uuid4().hex[:8]}"


def test_db_url() -> str:
    """A per-test database URL; ``{}`` is replaced by a fresh name by Tortoise."""
    url = normalise_url(TEST_DATABASE_URL)
    if url.startswith("postgres"):
        url = _server_url(url).rsplit("/", 1)[0] + f"/{RUN_PREFIX}_{{}}"
    return url


def _server_url(url: str | None = None) -> str:
    """The test server's URL (its own database), for asyncpg."""
    base = normalise_url(url or TEST_DATABASE_URL).replace("{}", "").rstrip("_")
    return base.replace("postgres://", "postgresql://", 1)


async def _drop_databases(*, names: list[str] | None = None) -> list[str]:
    """Drop the named databases, or every database of this run, even with sessions still open."""
    conn = await asyncpg.connect(_server_url())
    try:
        if names is None:
            rows = await conn.fetch(
                "SELECT datname FROM pg_database WHERE datname LIKE $1", RUN_PREFIX + "\\_%"
            )
            names = [row["datname"] for row in rows]
        for name in names:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
    return names


def is_postgres() -> bool:
    return TEST_DATABASE_URL.startswith(("postgres", "asyncpg"))


def server_database_url(tmp: Path, *, prefix: str) -> str:
    """A new, empty database for a server process: a SQLite file, or a fresh
    PostgreSQL database beside the test server's when the suite runs on PostgreSQL."""
    if not is_postgres():
        return f"sqlite://{tmp / (prefix + '.sqlite3')}"
    base = normalise_url(TEST_DATABASE_URL).replace("{}", "").rstrip("_")
    name = f"{RUN_PREFIX}_{prefix}_{uuid.uuid4().hex[:10]}"

    async def create() -> None:
        conn = await asyncpg.connect(_server_url())
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(create())
    return base.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session", autouse=True)
def _drop_run_databases() -> Iterator[None]:
    """Leave nothing behind on the PostgreSQL server, whatever the tests did."""
    yield
    if is_postgres():
        asyncio.run(_drop_databases())


@pytest.fixture(scope="session", autouse=True)
def _wired() -> None:
    """Services called without the app (factories, seeds) need the ports too."""
    wiring.install()


@pytest.fixture(autouse=True)
def _fresh_token_caches() -> None:
    """Each test has its own database: no worker memory of another test's tokens."""
    accounts.clear_caches()


@pytest.fixture
def settings() -> Settings:
    return Settings(environment="test", database_url=TEST_DATABASE_URL)


@pytest_asyncio.fixture
async def db() -> AsyncIterator[TortoiseContext]:
    # Tortoise's test context creates the database but never drops it: drop it here.
    name = None
    try:
        async with tortoise_test_context(MODEL_MODULES, db_url=test_db_url()) as ctx:
            name = getattr(ctx.db(), "database", None)
            # The schema comes from the models; the triggers that keep the statistics'
            # tallies come from a migration, so they are added here as it adds them.
            await tallies.install()
            await volumes.install()
            yield ctx
    finally:
        if is_postgres() and name:
            await _drop_databases(names=[name])


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings, init_db=False)


@pytest_asyncio.fixture
async def client(db: TortoiseContext, app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:  # noqa: ARG001
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http
