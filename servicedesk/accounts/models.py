from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from servicedesk.catalogue.models import ServicePoint


class Role(StrEnum):
    CLERK = "clerk"
    # A clerk of the point who also answers its bad-rating follow-ups.
    SUPERVISOR = "supervisor"
    OFFICIAL = "official"
    INCUBATOR = "incubator"
    ADMIN = "admin"


class User(Model):
    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    password_hash = fields.CharField(max_length=255)
    role = fields.CharEnumField(Role, max_length=16)
    display_name = fields.CharField(max_length=100, default="")
    service_point: fields.ForeignKeyNullableRelation[ServicePoint] = fields.ForeignKeyField(
        "models.ServicePoint", related_name="staff", null=True, on_delete=fields.RESTRICT
    )
    service_point_id: int | None
    incubator_code = fields.CharField(max_length=32, null=True)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "users"


class AccessToken(Model):
    """A bearer or session token, of which only the SHA-256 is stored."""

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="tokens", on_delete=fields.CASCADE
    )
    user_id: int
    kind = fields.CharField(max_length=16, default="api")
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    revoked = fields.BooleanField(default=False)

    class Meta:
        table = "access_tokens"


class KioskDevice(Model):
    """A self-service kiosk, bound to one service point by its device token."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100, default="")
    token_hash = fields.CharField(max_length=64, unique=True)
    service_point: fields.ForeignKeyRelation[ServicePoint] = fields.ForeignKeyField(
        "models.ServicePoint", related_name="kiosks", on_delete=fields.RESTRICT
    )
    service_point_id: int
    created_at = fields.DatetimeField(auto_now_add=True)
    revoked = fields.BooleanField(default=False)
    revoked_at = fields.DatetimeField(null=True)
    # Refused from then on when set (``servicedesk kiosk create --expires-days N``).
    expires_at = fields.DatetimeField(null=True)
    # When the token was last seen, to the minute (so an unused kiosk can be spotted).
    last_used_at = fields.DatetimeField(null=True)
    # A one-time short code that enrols a kiosk browser, so no token goes in a URL.
    enrol_code_hash = fields.CharField(max_length=64, null=True, unique=True)
    enrol_code_expires_at = fields.DatetimeField(null=True)

    class Meta:
        table = "kiosk_devices"
