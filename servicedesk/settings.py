"""Settings from ``SERVICEDESK_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "development-only-secret-key-change-me"
MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SERVICEDESK_", extra="ignore")

    # Production unless told otherwise: `serve --demo`, the tests and the demo say so.
    environment: Literal["development", "test", "production"] = "production"
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
    # Production without TLS is refused unless the operator states this (a closed network).
    plain_http: bool = False
    # The reverse proxies whose X-Forwarded-For / X-Forwarded-Proto uvicorn believes
    # (comma-separated; "*" trusts any).
    forwarded_allow_ips: str = "127.0.0.1"
    # argon2id cost; the defaults follow RFC 9106's second recommended option.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    # Password checks at once per worker process, and how many may wait for one.
    argon2_concurrency: int = 2
    argon2_queue: int = 32
    # Failed logins of one account: free ones, then a growing delay, then a lock.
    login_free_attempts: int = 5
    login_lock_after: int = 20
    login_lock_minutes: int = 15
    # Request bodies: any (JSON, forms) and indicator CSV uploads, in bytes.
    max_body_bytes: int = 1024 * 1024
    upload_max_bytes: int = 2 * 1024 * 1024
    # Public endpoints per client address: progress queries a minute, bookings an hour.
    public_queries_per_minute: int = 30
    bookings_per_hour: int = 10
    # `servicedesk serve`'s per-request log: "auto" is uvicorn's text line in development
    # and nothing in production or test (a line per request costs 12-17 % of the
    # throughput); "json" is one structured line per request on the logger
    # servicedesk.access (method, path, status, duration, client); "text"; "off".
    access_log: Literal["auto", "off", "text", "json"] = "auto"

    # Notifications (DESIGN §6.1). A channel without its host or URL is off: its
    # messages are kept as "channel_off" and the officials' page says so.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_tls: Literal["none", "starttls", "tls"] = "starttls"
    mail_from: str = "servicedesk@localhost"
    sms_gateway_url: str = ""
    sms_gateway_user: str = ""
    sms_gateway_password: str = ""
    sms_gateway_token: str = ""
    # The JSON body posted to the gateway; {mobile}, {text} and {message_id} are
    # replaced inside its strings (values are JSON-escaped by construction).
    sms_gateway_template: str = '{"to": "{mobile}", "text": "{text}", "id": "{message_id}"}'
    notify_timeout_seconds: float = 15.0
    notify_max_attempts: int = 8
    notify_backoff_seconds: float = 30.0
    notify_backoff_max_seconds: float = 3600.0
    notify_close_to_call: int = 3
    notify_supplement_days: int = 2
    worker_poll_seconds: float = 2.0
    worker_batch: int = 20
    # None: a worker runs inside `servicedesk serve` on SQLite, not on PostgreSQL
    # (run `servicedesk worker` there, as many as wanted).
    worker_in_serve: bool | None = None

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "asyncpg://", "postgresql://"))


@lru_cache
def get_settings() -> Settings:
    return Settings()
