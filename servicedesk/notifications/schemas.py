from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MOBILE = re.compile(r"1[3-9]\d{9}")
EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


class ContactIn(BaseModel):
    """``contact: {mobile?, email?, lang?, consent: true}``; without consent nothing is kept."""

    model_config = ConfigDict(extra="forbid")

    mobile: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=254)
    lang: Literal["zh", "en"] = "zh"
    consent: bool = False

    @field_validator("mobile")
    @classmethod
    def _mobile(cls, value: str | None) -> str | None:
        digits = re.sub(r"[\s-]", "", value or "").removeprefix("+86")
        if not digits:
            return None
        if not MOBILE.fullmatch(digits):
            raise ValueError("a mainland mobile number has 11 digits and starts with 1")
        return digits

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        value = (value or "").strip()
        if not value:
            return None
        if not EMAIL.fullmatch(value):
            raise ValueError("not an e-mail address")
        local, _, domain = value.rpartition("@")
        return f"{local}@{domain.lower()}"

    @model_validator(mode="after")
    def _something_to_keep(self) -> ContactIn:
        if self.consent and not (self.mobile or self.email):
            raise ValueError("give a mobile number or an e-mail address to be notified")
        return self


class MessageRead(BaseModel):
    id: int
    case_no: str | None
    channel: str
    template: str
    status: str
    recipient: str  # masked
    attempts: int
    last_error: str
    created_at: datetime
    sent_at: datetime | None


class ChannelStats(BaseModel):
    channel: str
    configured: bool
    counts: dict[str, int]
    delivery_rate: float | None  # sent / (sent + dead), null before any outcome


class MessageSummary(BaseModel):
    channels: list[ChannelStats]
