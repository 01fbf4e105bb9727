from __future__ import annotations

from pydantic import BaseModel

from servicedesk.bounds import Body, Password, Username


class TokenRequest(Body):
    username: Username
    password: Password


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


class RevokedRead(BaseModel):
    revoked: bool


class UnlockRead(BaseModel):
    username: str
    was_locked: bool
