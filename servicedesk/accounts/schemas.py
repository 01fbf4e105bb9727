from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenRead(BaseModel):
    access_token: str
    token_type: str = "bearer"
    role: str
    service_point: str | None
    incubator_code: str | None
    expires_in: int


class MeRead(BaseModel):
    username: str
    role: str
    display_name: str
    service_point: str | None
    incubator_code: str | None
