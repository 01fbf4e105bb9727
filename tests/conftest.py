"""Each test gets an isolated database: in-memory SQLite, or a fresh PostgreSQL
database when ``SERVICEDESK_TEST_DATABASE_URL`` points at a server."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from tortoise.context import TortoiseContext, tortoise_test_context

from servicedesk.app import create_app
from servicedesk.db import MODEL_MODULES, normalise_url
from servicedesk.settings import Settings

# Cheap password hashing keeps the suite fast; production keeps the defaults.
os.environ.setdefault("SERVICEDESK_ARGON2_TIME_COST", "1")
os.environ.setdefault("SERVICEDESK_ARGON2_MEMORY_KIB", "8192")

TEST_DATABASE_URL = os.environ.get("SERVICEDESK_TEST_DATABASE_URL", "sqlite://:memory:")


def test_db_url() -> str:
    """A per-test database URL; ``{}`` is replaced by a fresh name by Tortoise."""
    url = normalise_url(TEST_DATABASE_URL)
    if url.startswith("postgres") and "{}" not in url:
        url = url.rstrip("/") + "_{}" if url.count("/") > 2 else url + "/test_{}"
    return url


def is_postgres() -> bool:
    return TEST_DATABASE_URL.startswith(("postgres", "asyncpg"))


@pytest.fixture
def settings() -> Settings:
    return Settings(environment="test", database_url=TEST_DATABASE_URL)


@pytest_asyncio.fixture
async def db() -> AsyncIterator[TortoiseContext]:
    async with tortoise_test_context(MODEL_MODULES, db_url=test_db_url()) as ctx:
        yield ctx


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings, init_db=False)


@pytest_asyncio.fixture
async def client(db: TortoiseContext, app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:  # noqa: ARG001
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http
