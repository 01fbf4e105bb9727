"""Staff accounts, bearer and session tokens, kiosk devices."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Protocol

from anyio import to_thread
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from servicedesk.accounts.cache import TtlCache
from servicedesk.accounts.models import AccessToken, KioskDevice, Role, User
from servicedesk.audit import service as audit
from servicedesk.errors import Conflict, InvalidInput, NotAuthenticated
from servicedesk.settings import get_settings
from servicedesk.timeutil import now


@lru_cache
def password_hasher() -> PasswordHash:
    settings = get_settings()
    return PasswordHash(
        (Argon2Hasher(time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib),)
    )  # argon2id


@lru_cache
def dummy_hash() -> str:
    """Verified against when the user does not exist, so both take the same time."""
    return password_hasher().hash("timing-equaliser")


def digest(token: str) -> str:
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
    actor: str = "system",
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
        password_hash=await to_thread.run_sync(password_hasher().hash, password),
        role=role,
        service_point_id=service_point.id if service_point else None,
        incubator_code=incubator_code,
        display_name=display_name or username,
    )
    await audit.record(
        "user.create",
        actor=actor,
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


async def issue_token(user: User, *, kind: str = "api", ttl_hours: int = 12) -> str:
    token = secrets.token_urlsafe(32)
    await AccessToken.create(
        token_hash=digest(token),
        user=user,
        kind=kind,
        expires_at=now() + timedelta(hours=ttl_hours),
    )
    return token


async def set_password(user: User, password: str) -> None:
    if len(password) < 8:
        raise InvalidInput("password must be at least 8 characters", extra={"field": "password"})
    hashed = await to_thread.run_sync(password_hasher().hash, password)
    await User.filter(id=user.id).update(password_hash=hashed)


async def revoke_token(token: str, *, actor: str) -> bool:
    """Refuse ``token`` from now on (logout); audited. Whether it was live."""
    hashed = digest(token)
    row = await AccessToken.get_or_none(token_hash=hashed, revoked=False)
    _principals.drop(hashed)
    if row is None:
        return False
    await AccessToken.filter(id=row.id).update(revoked=True)
    await audit.record(
        "auth.revoke",
        actor=actor,
        entity="token",
        entity_id=row.id,
        after={"kind": row.kind, "user_id": row.user_id},
    )
    return True


async def revoke_user_tokens(user_id: int) -> None:
    """End every session of the user (a change of role, place or password, or a
    deactivation): refused by this worker at once, by the others within
    :data:`PRINCIPAL_CACHE_SECONDS`."""
    await AccessToken.filter(user_id=user_id).update(revoked=True)
    forget_user(user_id)


def forget_user(user_id: int) -> None:
    """Drop the user's sessions from this worker's cache. Call it again once the
    revoking transaction commits: a request in between may have remembered them anew."""
    _principals.drop_where(lambda session: session.user_id == user_id)


async def create_kiosk(
    point: PointRef, *, name: str = "", actor: str = "system", expires_days: int | None = None
) -> tuple[KioskDevice, str]:
    token = "kiosk_" + secrets.token_urlsafe(32)
    device = await KioskDevice.create(
        name=name or f"kiosk at {point.code}",
        token_hash=digest(token),
        service_point_id=point.id,
        expires_at=now() + timedelta(days=expires_days) if expires_days else None,
    )
    await audit.record(
        "kiosk.create",
        actor=actor,
        entity="kiosk",
        entity_id=device.id,
        after={"service_point": point.code, "expires_at": str(device.expires_at or "")},
    )
    return device, token


async def revoke_kiosk(device: KioskDevice) -> None:
    """Refuse the kiosk's token from now on; this process forgets it at once, the others
    within KIOSK_CACHE_SECONDS."""
    await KioskDevice.filter(id=device.id).update(
        revoked=True, revoked_at=now(), enrol_code_hash=None
    )
    forget_kiosks()


async def rotate_kiosk(device: KioskDevice) -> str:
    """A new token for the kiosk; the old one is refused from now on."""
    token = "kiosk_" + secrets.token_urlsafe(32)
    await KioskDevice.filter(id=device.id).update(token_hash=digest(token))
    forget_kiosks()
    return token


# Kiosks and clerks send every request with the same token, so each worker remembers
# whose it is for a few seconds instead of asking the database on every number taken
# and every call. Staleness: the worker that revokes a token, rotates or revokes a kiosk
# or changes or deactivates a user forgets at once; another PostgreSQL worker keeps
# accepting such a token for at most the TTL (5 s for staff, 10 s for kiosks: a
# revoked kiosk is unplugged by hand anyway), short next to how long it takes an
# administrator to act on a lost token, and long enough to serve hundreds of requests.
KIOSK_CACHE_SECONDS = 10.0
PRINCIPAL_CACHE_SECONDS = 5.0
LAST_USE_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class _Session:
    principal: Principal
    user_id: int
    expires_at: datetime


_kiosks: TtlCache[KioskDevice] = TtlCache(seconds=KIOSK_CACHE_SECONDS, size=1000)
_principals: TtlCache[_Session] = TtlCache(seconds=PRINCIPAL_CACHE_SECONDS, size=4096)


def forget_kiosk(hashed: str) -> None:
    """Drop a kiosk from this worker's cache (other workers drop it within the TTL)."""
    _kiosks.drop(hashed)


def clear_caches() -> None:
    """Forget every principal this worker remembers (tests: each has its own database)."""
    _kiosks.clear()
    _principals.clear()


def forget_kiosks() -> None:
    _kiosks.clear()


async def _kiosk(digest: str) -> KioskDevice:
    device = _kiosks.get(digest)
    if device is not None:
        return device
    device = await KioskDevice.get_or_none(token_hash=digest, revoked=False)
    if device is None or (device.expires_at is not None and device.expires_at <= now()):
        _kiosks.drop(digest)
        raise NotAuthenticated("unknown, expired or revoked kiosk token")
    if device.last_used_at is None or device.last_used_at < now() - LAST_USE_RESOLUTION:
        device.last_used_at = now()
        await KioskDevice.filter(id=device.id).update(last_used_at=device.last_used_at)
    _kiosks.put(digest, device)
    return device


async def _staff(digest: str) -> Principal:
    cached = _principals.get(digest)
    if cached is not None and cached.expires_at > now():
        return cached.principal
    row = await AccessToken.get_or_none(token_hash=digest, revoked=False).select_related("user")
    if row is None or row.expires_at <= now() or not row.user.is_active:
        _principals.drop(digest)
        raise NotAuthenticated("token is unknown, expired or revoked; log in again")
    principal = Principal(user=row.user)
    _principals.put(digest, _Session(principal, row.user_id, row.expires_at))
    return principal


async def resolve(token: str) -> Principal:
    """The principal behind a bearer or session token, or :class:`NotAuthenticated`."""
    hashed = digest(token)
    if token.startswith("kiosk_"):
        return Principal(kiosk=await _kiosk(hashed))
    return await _staff(hashed)


async def display_names() -> dict[str, str]:
    """Every staff member's display name by username: pages show people, not logins."""
    rows = await User.all().values_list("username", "display_name")
    return {str(username): str(name or "") for username, name in rows}
