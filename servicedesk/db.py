"""Tortoise ORM configuration: one app, every domain's models, one migrations package."""

from __future__ import annotations

from typing import Any

from asyncpg import Connection
from tortoise.backends.base.config_generator import expand_db_url

MODEL_MODULES: list[str] = [
    "servicedesk.accounts.models",
    "servicedesk.audit.models",
    "servicedesk.notifications.models",
    "servicedesk.calendar.models",
    "servicedesk.catalogue.models",
    "servicedesk.firms.models",
    "servicedesk.cases.models",
    "servicedesk.idempotency.models",
    "servicedesk.sequences.models",
    "servicedesk.incubators.models",
    "servicedesk.ratings.models",
    "servicedesk.policy.models",
    "servicedesk.exemptions.models",
    "servicedesk.queue.models",
    "servicedesk.evaluations.models",
    "servicedesk.throttle.models",
    "servicedesk.statistics.models",
]


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` as an alias of Tortoise's ``postgres://``."""
    if url.startswith("postgresql://"):
        return "postgres://" + url.removeprefix("postgresql://")
    return url


async def keep_session(connection: Connection) -> None:
    """The PostgreSQL pool's reset when a connection goes back: nothing more than what
    asyncpg does before it anyway (roll back a transaction left open).

    asyncpg's default reset sends ``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *;
    RESET ALL`` on every release, a round trip and a tenth of a millisecond of the
    server's CPU per request, to undo session state this service never leaves on a
    pooled connection: its advisory locks are transaction-scoped
    (``pg_advisory_xact_lock``), it sets no session settings and holds no cursors, and
    the queue events listen on a connection of their own (``queue.events``).
    ``tests/test_db.py`` keeps the code to that."""
    del connection


def connection_config(database_url: str) -> dict[str, Any]:
    """The default connection: on PostgreSQL with the pool's reset of
    :func:`keep_session`."""
    url = normalise_url(database_url)
    config = expand_db_url(url)
    if config["engine"] != "tortoise.backends.asyncpg":
        return {"default": url}
    config["credentials"]["reset"] = keep_session
    return {"default": config}


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": connection_config(database_url),
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "servicedesk.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }
