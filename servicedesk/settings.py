"""Settings from ``SERVICEDESK_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "development-only-secret-key-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SERVICEDESK_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    # WAL with synchronous=NORMAL: durable across crashes of the process, and a
    # commit no longer waits for a disk sync (the usual pairing for WAL).
    database_url: str = "sqlite://data/servicedesk.sqlite3?synchronous=NORMAL"
    secret_key: str = DEV_SECRET
    token_ttl_hours: int = 12
    # Idempotency keys whose first request never finished are taken over after this.
    idempotency_stale_seconds: int = 60
    idempotency_ttl_hours: int = 24
    deemed_acceptance_days: int = 5
    warning_share: float = 0.8
    # Service evaluation: days after the service during which the firm may rate it,
    # working days to answer a bad rating, and the fewest ratings in a period for the
    # incubator's window-satisfaction indicator (fewer leave it missing, not zero).
    evaluation_period_days: int = 7
    follow_up_days: int = 15
    satisfaction_min_ratings: int = 20
    cookie_secure: bool = False
    # argon2id cost; the defaults follow RFC 9106's second recommended option.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEV_SECRET:
            raise ValueError("SERVICEDESK_SECRET_KEY must be set outside development")
        return self

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "asyncpg://", "postgresql://"))


@lru_cache
def get_settings() -> Settings:
    return Settings()
