"""Firms and their Unified Social Credit Codes."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from servicedesk.errors import InvalidInput
from servicedesk.firms import uscc
from servicedesk.firms.models import Firm


def validate_uscc(raw: str) -> str:
    """The compact USCC, or :class:`InvalidInput` saying what is wrong with it."""
    return uscc.validate(raw)


async def get_or_register(uscc: str, *, name: str, update_name: bool = False) -> Firm:
    """The firm with this code, registered on first sight.

    Only staff keep the name current (``update_name``): anyone at a kiosk knows a
    firm's public code and must not rename it everywhere.
    """
    code = validate_uscc(uscc)
    firm = await Firm.filter(uscc=code).first()
    if firm is None:
        try:
            async with in_transaction():  # a savepoint: a lost race leaves the caller's intact
                return await Firm.create(uscc=code, name=name.strip())
        except IntegrityError:  # registered by a concurrent request meanwhile
            firm = await Firm.get(uscc=code)
    if update_name and name.strip() and firm.name != name.strip():
        firm.name = name.strip()
        await firm.save(update_fields=["name"])
    return firm


async def registered_name(uscc: str) -> str:
    """The name on record for a USCC, or "" when the firm is unknown (or the code bad)."""
    try:
        code = validate_uscc(uscc)
    except InvalidInput:
        return ""
    firm = await Firm.get_or_none(uscc=code)
    return firm.name if firm else ""
