"""Queue settings, from ``SERVICEDESK_QUEUE_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class QueueSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SERVICEDESK_QUEUE_", extra="ignore")

    # A called ticket may be recalled this many times; then it may be marked no-show.
    max_recalls: int = 2
    # A kiosk may void a ticket this long after printing failed (no ghost numbers).
    void_seconds: int = 120
    # An appointment not checked in this long after its slot starts is missed.
    appointment_grace_minutes: int = 15
    # Check-in opens this long before the slot.
    checkin_early_minutes: int = 30
    # Bookings one firm may hold for one day (open or checked in), all matters together.
    bookings_per_firm_per_day: int = 2
    # Service time assumed until a queue has finished tickets of its own.
    default_service_minutes: float = 8.0
    # How many recent finished tickets the service-time estimate looks at.
    estimate_sample: int = 20
    # A window that called a ticket this recently counts as open.
    open_window_minutes: int = 30


@lru_cache
def get_queue_settings() -> QueueSettings:
    return QueueSettings()
