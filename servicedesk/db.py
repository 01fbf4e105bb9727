"""Tortoise ORM configuration: one app, every domain's models, one migrations package."""

from __future__ import annotations

from typing import Any

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


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": normalise_url(database_url)},
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
