"""What production refuses to start with: a default or short secret key, cookies that
travel over plain HTTP, and anything the demo left behind (accounts with the published
password, kiosk tokens derived from a key)."""

from __future__ import annotations

import hashlib

from servicedesk.accounts.kiosks import demo_kiosk_token
from servicedesk.accounts.models import KioskDevice, User
from servicedesk.accounts.service import password_hasher
from servicedesk.catalogue.models import ServicePoint
from servicedesk.seed.demo import DEMO_PASSWORD, DEMO_STAFF
from servicedesk.seed.demo_credit import OPERATORS
from servicedesk.settings import DEV_SECRET, MIN_SECRET_LENGTH, Settings

DEMO_USERNAMES = [s[0] for s in DEMO_STAFF] + [o[0] for o in OPERATORS]


def setting_problems(settings: Settings) -> list[str]:
    """What is wrong with the settings for production (empty outside production)."""
    if settings.environment != "production":
        return []
    problems = []
    if settings.secret_key == DEV_SECRET:
        problems.append(
            "SERVICEDESK_SECRET_KEY is the development default; set a random key of "
            f"{MIN_SECRET_LENGTH} characters or more"
        )
    elif len(settings.secret_key) < MIN_SECRET_LENGTH:
        problems.append(f"SERVICEDESK_SECRET_KEY is shorter than {MIN_SECRET_LENGTH} characters")
    if not settings.cookie_secure and not settings.plain_http:
        problems.append(
            "SERVICEDESK_COOKIE_SECURE is off: serve over HTTPS and set it to true (or, on a "
            "closed network without TLS, say so with SERVICEDESK_PLAIN_HTTP=true)"
        )
    return problems


async def demo_leftovers(settings: Settings) -> list[str]:
    """Demo accounts that still have the published password, and demo kiosk tokens."""
    problems = []
    hasher = password_hasher()
    for user in await User.filter(username__in=DEMO_USERNAMES, is_active=True):
        if hasher.verify(DEMO_PASSWORD, user.password_hash):
            problems.append(
                f"demo account {user.username!r} has the published demo password; change "
                "its password or deactivate it"
            )
    digests = {
        hashlib.sha256(demo_kiosk_token(point.code, secret).encode()).hexdigest()
        for point in await ServicePoint.all()
        for secret in {DEV_SECRET, settings.secret_key}
    }
    for kiosk in await KioskDevice.filter(token_hash__in=list(digests), revoked=False):
        problems.append(
            f"kiosk {kiosk.id} has a demo token anyone can derive; revoke it with "
            f"`servicedesk kiosk revoke {kiosk.id}`"
        )
    return problems
