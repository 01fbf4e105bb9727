"""Staff accounts, bearer and session tokens, kiosk devices."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Protocol

from anyio import to_thread
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from servicedesk.accounts.models import AccessToken, KioskDevice, Role, User
from servicedesk.audit import service as audit
from servicedesk.errors import Conflict, InvalidInput, NotAuthenticated
from servicedesk.settings import get_settings
from servicedesk.timeutil import now


@lru_cache
def _password_hasher() -> PasswordHash:
    settings = get_settings()
    return PasswordHash(
        (Argon2Hasher(time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib),)
    )  # argon2id


@lru_cache
def _dummy_hash() -> str:
    return _password_hasher().hash("timing-equaliser")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Whoever is calling: a staff user or a kiosk device."""

    user: User | None = None
    kiosk: KioskDevice | None = None

    @property
    def role(self) -> str:
        return self.user.role.value if self.user else "kiosk"

    @property
    def service_point_id(self) -> int | None:
        if self.user is not None:
            return self.user.service_point_id
        assert self.kiosk is not None
        return self.kiosk.service_point_id

    @property
    def label(self) -> str:
        if self.user is not None:
            return f"{self.user.role.value}:{self.user.username}"
        assert self.kiosk is not None
        return f"kiosk:{self.kiosk.id}"


class PointRef(Protocol):
    """A service point as accounts need it. Accounts sit below the catalogue: callers look
    the point up there (``catalogue.get_point``) and hand it in."""

    @property
    def id(self) -> int: ...

    @property
    def code(self) -> str: ...


async def create_user(
    username: str,
    *,
    password: str,
    role: Role,
    service_point: PointRef | None = None,
    incubator_code: str | None = None,
    display_name: str = "",
) -> User:
    if len(password) < 8:
        raise InvalidInput("password must be at least 8 characters")
    if role in (Role.CLERK, Role.SUPERVISOR) and service_point is None:
        raise InvalidInput(f"a {role.value} belongs to a service point: give --service-point")
    if role is Role.INCUBATOR and not incubator_code:
        raise InvalidInput("an incubator account needs --incubator")
    if await User.exists(username=username):
        raise Conflict(f"user {username!r} already exists")
    user = await User.create(
        username=username,
        password_hash=await to_thread.run_sync(_password_hasher().hash, password),
        role=role,
        service_point_id=service_point.id if service_point else None,
        incubator_code=incubator_code,
        display_name=display_name or username,
    )
    await audit.record(
        "user.create",
        actor="system",
        entity="user",
        entity_id=user.id,
        after={
            "username": username,
            "role": role.value,
            "service_point": service_point.code if service_point else None,
        },
    )
    return user


async def service_point_code(user: User) -> str | None:
    """The code of the service point a staff user works at, if any."""
    if user.service_point_id is None:
        return None
    await user.fetch_related("service_point")
    return user.service_point.code if user.service_point else None


async def authenticate(username: str, password: str) -> User:
    user = await User.get_or_none(username=username, is_active=True)
    if user is None:
        _password_hasher().verify(
            password, _dummy_hash()
        )  # same time whether or not the user exists
        raise NotAuthenticated("wrong username or password")
    valid, new_hash = _password_hasher().verify_and_update(password, user.password_hash)
    if not valid:
        raise NotAuthenticated("wrong username or password")
    if new_hash:
        user.password_hash = new_hash
        await user.save(update_fields=["password_hash"])
    return user


async def issue_token(user: User, *, kind: str = "api", ttl_hours: int = 12) -> str:
    token = secrets.token_urlsafe(32)
    await AccessToken.create(
        token_hash=_digest(token),
        user=user,
        kind=kind,
        expires_at=now() + timedelta(hours=ttl_hours),
    )
    return token


async def set_password(user: User, password: str) -> None:
    if len(password) < 8:
        raise InvalidInput("password must be at least 8 characters", extra={"field": "password"})
    digest = await to_thread.run_sync(_password_hasher().hash, password)
    await User.filter(id=user.id).update(password_hash=digest)


async def revoke_token(token: str) -> None:
    await AccessToken.filter(token_hash=_digest(token)).update(revoked=True)


async def create_kiosk(point: PointRef, *, name: str = "") -> tuple[KioskDevice, str]:
    token = "kiosk_" + secrets.token_urlsafe(32)
    device = await KioskDevice.create(
        name=name or f"kiosk at {point.code}", token_hash=_digest(token), service_point_id=point.id
    )
    await audit.record(
        "kiosk.create",
        actor="system",
        entity="kiosk",
        entity_id=device.id,
        after={"service_point": point.code},
    )
    return device, token


async def revoke_kiosk(device: KioskDevice) -> None:
    """Refuse the kiosk's token from now on; this worker forgets it at once."""
    await KioskDevice.filter(id=device.id).update(revoked=True)
    forget_kiosk(device.token_hash)


async def rotate_kiosk(device: KioskDevice) -> str:
    """A new token for the kiosk; the old one is refused from now on."""
    token = "kiosk_" + secrets.token_urlsafe(32)
    await KioskDevice.filter(id=device.id).update(token_hash=_digest(token))
    forget_kiosk(device.token_hash)
    return token


def forget_kiosk(digest: str) -> None:
    """Drop a kiosk from this worker's cache (other workers drop it within the TTL)."""
    _kiosk_cache.pop(digest, None)


# Kiosks send every request with the same token; a few seconds of memory spares the
# database one lookup per number taken. A revoked kiosk stops within KIOSK_CACHE_SECONDS.
KIOSK_CACHE_SECONDS = 10.0
_kiosk_cache: dict[str, tuple[float, KioskDevice]] = {}


async def _kiosk(digest: str) -> KioskDevice:
    cached = _kiosk_cache.get(digest)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    device = await KioskDevice.get_or_none(token_hash=digest, revoked=False)
    if device is None:
        _kiosk_cache.pop(digest, None)
        raise NotAuthenticated("unknown or revoked kiosk token")
    if len(_kiosk_cache) > 1000:  # bounded: a hall has a handful of kiosks
        _kiosk_cache.clear()
    _kiosk_cache[digest] = (time.monotonic() + KIOSK_CACHE_SECONDS, device)
    return device


async def resolve(token: str) -> Principal:
    """The principal behind a bearer or session token, or :class:`NotAuthenticated`."""
    digest = _digest(token)
    if token.startswith("kiosk_"):
        return Principal(kiosk=await _kiosk(digest))
    row = await AccessToken.get_or_none(token_hash=digest, revoked=False).select_related("user")
    if row is None or row.expires_at <= now() or not row.user.is_active:
        raise NotAuthenticated("token is unknown, expired or revoked; log in again")
    return Principal(user=row.user)


async def display_names() -> dict[str, str]:
    """Every staff member's display name by username: pages show people, not logins."""
    rows = await User.all().values_list("username", "display_name")
    return {str(username): str(name or "") for username, name in rows}
