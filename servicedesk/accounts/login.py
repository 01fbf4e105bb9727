"""Logging in, throttled: per account and per client address, with every attempt audited.

A wrong password costs the account nothing for the first few tries, then 1, 2, 4 … s
during which every attempt is refused (and counted), and from ``login_lock_after``
failures on a lock of ``login_lock_minutes`` that the right password does not open; an
administrator may clear it. The client address has a looser limit of its own, so one
machine cannot walk through every account either.

Argon2 runs in worker threads, a few at once per process: a flood of logins waits its
turn (or is told to come back) instead of freezing the event loop that serves kiosks,
boards and clerks.
"""

from __future__ import annotations

from anyio import CapacityLimiter, to_thread

from servicedesk.accounts.models import User
from servicedesk.accounts.service import dummy_hash, password_hasher
from servicedesk.audit import service as audit
from servicedesk.errors import NotAuthenticated, TooManyRequests
from servicedesk.settings import Settings
from servicedesk.throttle import service as throttle

FAILURE_MEMORY_SECONDS = 3600  # failures are forgotten an hour after the last one
ADDRESS_FACTOR = 5  # an address may fail five times as often as one account
_limiters: dict[int, CapacityLimiter] = {}
_waiting = 0
# Accounts whose password is being checked in this process: one guess at a time each, so
# a burst of parallel guesses cannot run many Argon2 checks before the first failure counts.
_checking: set[str] = set()


def account_key(username: str) -> str:
    return f"login:user:{username.strip().lower()[:64]}"


def address_key(address: str) -> str:
    return f"login:addr:{address[:64]}"


def _limiter(size: int) -> CapacityLimiter:
    if size not in _limiters:
        _limiters[size] = CapacityLimiter(size)
    return _limiters[size]


async def _verify(password: str, stored: str, settings: Settings) -> tuple[bool, str | None]:
    """Argon2 in a worker thread, at most ``argon2_concurrency`` at once in this process."""
    global _waiting
    if _waiting >= settings.argon2_queue:
        raise TooManyRequests("too many logins at once; try again in a moment", retry_after=1)
    _waiting += 1
    try:
        return await to_thread.run_sync(
            password_hasher().verify_and_update,
            password,
            stored,
            limiter=_limiter(settings.argon2_concurrency),
        )
    finally:
        _waiting -= 1


async def _refuse_if_blocked(username: str, address: str, settings: Settings) -> None:
    """429 while the account or the address is refused. The attempt counts against the
    account (hammering during a delay leads to the lock) but not the address: refusals
    cost no password check, and other people behind the same address keep logging in."""
    for key, whose in ((account_key(username), "account"), (address_key(address), "address")):
        wait = await throttle.blocked_for(key)
        if wait:
            if whose == "account":
                await _count_failure(account_key(username), settings, factor=1)
            await _audit_failure(username, address, reason=f"{whose} throttled", wait=wait)
            raise TooManyRequests(
                f"too many failed logins for this {whose}; try again in {wait} s",
                retry_after=wait,
            )


async def _count_failure(key: str, settings: Settings, *, factor: int) -> int:
    return await throttle.fail(
        key,
        free=settings.login_free_attempts * factor,
        lock_after=settings.login_lock_after * factor,
        lock_seconds=settings.login_lock_minutes * 60,
        memory=FAILURE_MEMORY_SECONDS,
    )


async def _audit_failure(username: str, address: str, *, reason: str, wait: int) -> None:
    await audit.record(
        "auth.login_failed",
        actor=f"login:{username[:64]}",
        entity="user",
        entity_id=username[:64],
        after={"client": address[:64], "reason": reason, "refused_for_seconds": wait},
    )


async def _failed(username: str, address: str, settings: Settings) -> None:
    """A wrong password: it counts against the account and the address."""
    wait = await _count_failure(account_key(username), settings, factor=1)
    await _count_failure(address_key(address), settings, factor=ADDRESS_FACTOR)
    await _audit_failure(username, address, reason="wrong username or password", wait=wait)


async def login(username: str, password: str, *, address: str, settings: Settings) -> User:
    """The active user with this password, or 401 (wrong) / 429 (throttled); audited."""
    await _refuse_if_blocked(username, address, settings)
    key = account_key(username)
    if key in _checking:
        await _count_failure(key, settings, factor=1)
        await _audit_failure(username, address, reason="another attempt in progress", wait=1)
        raise TooManyRequests("a login for this account is in progress; try again", retry_after=1)
    _checking.add(key)
    try:
        user = await User.get_or_none(username=username, is_active=True)
        stored = user.password_hash if user else dummy_hash()
        valid, new_hash = await _verify(password, stored, settings)
        if user is None or not valid:
            await _failed(username, address, settings)
            raise NotAuthenticated("wrong username or password")
    finally:
        _checking.discard(key)
    if new_hash:
        user.password_hash = new_hash
        await user.save(update_fields=["password_hash"])
    await throttle.clear(account_key(username))
    await audit.record(
        "auth.login",
        actor=f"{user.role.value}:{user.username}",
        entity="user",
        entity_id=user.username,
        after={"client": address[:64]},
    )
    return user


async def unlock(username: str, *, actor: str) -> bool:
    """An administrator clears an account's failed logins and lock; whether there was one."""
    cleared = await throttle.clear(account_key(username))
    await audit.record(
        "auth.unlock",
        actor=actor,
        entity="user",
        entity_id=username[:64],
        after={"cleared": cleared},
    )
    return cleared
