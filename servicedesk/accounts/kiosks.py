"""Kiosk devices: the demo kiosk's token, revocation, rotation and enrolment codes.

The demo token is derived from the secret key, so a development server can enrol a
kiosk browser at a seeded service point without anyone copying a token: the seed stores
the token's hash like any kiosk's, and the kiosk page offers the same token in
development (production refuses to start while one is live). Real kiosks get a random
token from ``accounts.service.create_kiosk``, and a kiosk browser is enrolled with a
one-time code (``new_enrol_code``), so that no token ever travels in a URL.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from tortoise.transactions import in_transaction

from servicedesk.accounts.models import KioskDevice
from servicedesk.accounts.service import digest, forget_kiosks, revoke_kiosk, rotate_kiosk
from servicedesk.audit import service as audit
from servicedesk.errors import Conflict, NotFound
from servicedesk.timeutil import now


def demo_kiosk_token(service_point: str, secret_key: str) -> str:
    digest = hmac.new(
        secret_key.encode(), f"demo-kiosk:{service_point}".encode(), hashlib.sha256
    ).hexdigest()
    return f"kiosk_demo_{digest[:32]}"


# ---------------------------------------------------------------- lifecycle

ENROL_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # typed on a kiosk's keypad
ENROL_CODE_LENGTH = 8
ENROL_CODE_HOURS = 24


async def device(kiosk_id: int) -> KioskDevice:
    row = await KioskDevice.get_or_none(id=kiosk_id).prefetch_related("service_point")
    if row is None:
        raise NotFound(f"kiosk {kiosk_id} does not exist")
    return row


async def revoke(kiosk_id: int, *, actor: str) -> KioskDevice:
    """Refuse the kiosk's token from now on (within seconds in other server processes);
    409 for a kiosk revoked already (the command line says so)."""
    row = await device(kiosk_id)
    if row.revoked:
        raise Conflict(f"kiosk {kiosk_id} is revoked already")
    async with in_transaction():
        await revoke_kiosk(row)
        await audit.record(
            "kiosk.revoke",
            actor=actor,
            entity="kiosk",
            entity_id=kiosk_id,
            before={"revoked": False},
            after={"revoked": True},
        )
    forget_kiosks()  # again, now that the revocation is committed
    return await device(kiosk_id)


async def rotate(kiosk_id: int, *, actor: str) -> str:
    """A new token for the kiosk; the old one is refused from now on."""
    row = await device(kiosk_id)
    if row.revoked:
        raise Conflict(f"kiosk {kiosk_id} is revoked; create a new one")
    async with in_transaction():
        token = await rotate_kiosk(row)
        await audit.record("kiosk.rotate", actor=actor, entity="kiosk", entity_id=kiosk_id)
    forget_kiosks()  # again, now that the rotation is committed
    return token


def _clean_code(code: str) -> str:
    return code.replace("-", "").replace(" ", "").strip().upper()


async def new_enrol_code(kiosk_id: int, *, actor: str) -> str:
    """A one-time code, valid for a day, that enrols a kiosk browser without any token in
    a URL: typed at ``/kiosk/<point>/enrol``."""
    row = await device(kiosk_id)
    if row.revoked:
        raise Conflict(f"kiosk {kiosk_id} is revoked; create a new one")
    code = "".join(secrets.choice(ENROL_ALPHABET) for _ in range(ENROL_CODE_LENGTH))
    await KioskDevice.filter(id=kiosk_id).update(
        enrol_code_hash=digest(code),
        enrol_code_expires_at=now() + timedelta(hours=ENROL_CODE_HOURS),
    )
    await audit.record("kiosk.enrol_code", actor=actor, entity="kiosk", entity_id=kiosk_id)
    return f"{code[:4]}-{code[4:]}"


async def enrol(point_id: int, code: str) -> str:
    """Spend an enrolment code of a kiosk at ``point_id``: the browser's new token.

    The kiosk's token is rotated, so the code cannot be used twice and a token printed
    before stops working (the browser holds the only copy).
    """
    hashed = digest(_clean_code(code))
    row = await KioskDevice.get_or_none(
        enrol_code_hash=hashed, service_point_id=point_id, revoked=False
    )
    expired = row is None or row.enrol_code_expires_at is None or row.enrol_code_expires_at <= now()
    if row is None or expired:
        raise NotFound("unknown or expired enrolment code")
    token = "kiosk_" + secrets.token_urlsafe(32)
    async with in_transaction():
        spent = await KioskDevice.filter(id=row.id, enrol_code_hash=hashed).update(
            token_hash=digest(token), enrol_code_hash=None, enrol_code_expires_at=None
        )
        if not spent:
            raise NotFound("unknown or expired enrolment code")
        await audit.record("kiosk.enrol", actor=f"kiosk:{row.id}", entity="kiosk", entity_id=row.id)
    forget_kiosks()
    return token
