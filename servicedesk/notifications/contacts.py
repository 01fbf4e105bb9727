"""Contacts: kept per firm (or per ticket, for that day) only with explicit consent,
shown masked everywhere but where staff must reach the firm, erased on withdrawal."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from pydantic import ValidationError

from servicedesk.audit import service as audit
from servicedesk.errors import InvalidInput
from servicedesk.notifications.models import Contact, Message, MessageStatus
from servicedesk.notifications.schemas import ContactIn
from servicedesk.timeutil import BEIJING, now, today

PENDING = (MessageStatus.QUEUED, MessageStatus.FAILED)


def firm_holder(uscc: str) -> str:
    return f"firm:{uscc.strip().upper()}"


def ticket_holder(ticket_id: int) -> str:
    return f"ticket:{ticket_id}"


def mask_mobile(mobile: str | None) -> str:
    if not mobile:
        return ""
    return mobile[:3] + "****" + mobile[-4:] if len(mobile) >= 8 else "****"


def mask_email(email: str | None) -> str:
    if not email:
        return ""
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}***@{domain}"


def mask(address: str) -> str:
    """A mobile number or an e-mail address, masked (138****5678, z***@example.com)."""
    return mask_email(address) if "@" in address else mask_mobile(address)


def parse_form(values: dict[str, Any]) -> ContactIn | None:
    """The contact fields of a page form (``contact_mobile``, ``contact_email``,
    ``contact_lang``, ``contact_consent``); None when nothing was given."""
    data = {
        "mobile": str(values.get("contact_mobile") or "").strip() or None,
        "email": str(values.get("contact_email") or "").strip() or None,
        "lang": str(values.get("contact_lang") or "zh"),
        "consent": bool(values.get("contact_consent")),
    }
    if not (data["mobile"] or data["email"] or data["consent"]):
        return None
    try:
        return ContactIn(**data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "contact"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise InvalidInput(
            f"contact {field}: {message}".replace(" :", ":"), extra={"field": "contact"}
        ) from None


async def remember(holder: str, contact: ContactIn | None, *, actor: str) -> Contact | None:
    """Keep ``contact`` for ``holder`` when it carries consent; the latest replaces the last.

    Runs in the caller's transaction, so the contact is kept with the case or ticket."""
    if contact is None or not contact.consent or not (contact.mobile or contact.email):
        return None
    moment = now()
    row = Contact(
        holder=holder,
        mobile=contact.mobile,
        email=contact.email,
        lang=contact.lang,
        consent_at=moment,
        withdrawn_at=None,
        updated_at=moment,
    )
    # One statement: two requests of the same firm at once cannot both insert.
    await Contact.bulk_create(
        [row],
        on_conflict=["holder"],
        update_fields=["mobile", "email", "lang", "consent_at", "withdrawn_at", "updated_at"],
    )
    await audit.record(
        "contact.consent",
        actor=actor,
        entity="contact",
        entity_id=holder,
        after={"mobile": mask_mobile(contact.mobile), "email": mask_email(contact.email)},
    )
    return row


async def active(holder: str) -> Contact | None:
    """The holder's contact if consent is in force."""
    return await Contact.get_or_none(holder=holder, consent_at__isnull=False)


async def withdraw(holder: str, *, actor: str) -> bool:
    """Erase the holder's addresses; messages not yet sent are given up. False when no
    consent was in force."""
    contact = await active(holder)
    if contact is None:
        return False
    moment = now()
    await Contact.filter(id=contact.id).update(
        mobile=None, email=None, consent_at=None, withdrawn_at=moment, updated_at=moment
    )
    await Message.filter(holder=holder, status__in=PENDING).update(
        status=MessageStatus.DEAD, last_error="consent withdrawn"
    )
    await Message.filter(holder=holder).update(recipient="")
    await audit.record(
        "contact.withdraw",
        actor=actor,
        entity="contact",
        entity_id=holder,
        before={"mobile": mask_mobile(contact.mobile), "email": mask_email(contact.email)},
    )
    return True


async def purge_ticket_contacts() -> int:
    """A ticket's contact serves that day's calls only: erase those of earlier days."""
    start_of_day = datetime.combine(today(), time(0), tzinfo=BEIJING)
    return int(
        await Contact.filter(holder__startswith="ticket:", updated_at__lt=start_of_day).delete()
    )


async def consenting(holders: list[str]) -> set[str]:
    """Which of ``holders`` have consent in force."""
    if not holders:
        return set()
    found = await Contact.filter(holder__in=holders, consent_at__isnull=False).values_list(
        "holder", flat=True
    )
    return {str(h) for h in found}


async def consenting_tickets() -> list[int]:
    """Ticket ids whose holders consented to messages (kept for their day only)."""
    found = await Contact.filter(holder__startswith="ticket:", consent_at__isnull=False)
    return [int(c.holder.removeprefix("ticket:")) for c in found]
