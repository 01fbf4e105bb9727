"""The firm's contact as its progress query shows it, and withdrawing its consent there."""

from __future__ import annotations

from dataclasses import dataclass

from servicedesk.cases.models import Case
from servicedesk.cases.service import check_query_code
from servicedesk.errors import NotFound
from servicedesk.notifications import contacts
from servicedesk.notifications.contacts import firm_holder, mask_email, mask_mobile


@dataclass(frozen=True)
class MaskedContact:
    mobile: str
    email: str
    lang: str


async def _firm_of(case_no: str, query_code: str) -> str:
    """The firm's USCC when number and query code match (the public query's check)."""
    case = await check_query_code(case_no, query_code)
    await case.fetch_related("firm")
    return str(case.firm.uscc)


async def masked_contact(case_no: str, query_code: str) -> MaskedContact | None:
    """The contact the firm consented to, masked (138****5678), or None."""
    contact = await contacts.active(firm_holder(await _firm_of(case_no, query_code)))
    if contact is None:
        return None
    return MaskedContact(
        mobile=mask_mobile(contact.mobile), email=mask_email(contact.email), lang=contact.lang
    )


async def withdraw_consent(case_no: str, query_code: str) -> bool:
    """The firm withdraws its consent: addresses erased, unsent messages given up."""
    return await contacts.withdraw(firm_holder(await _firm_of(case_no, query_code)), actor="firm")


async def service_point_of(case_no: str) -> int:
    """The id of the case's service point (the messages API's port)."""
    case = await Case.get_or_none(case_no=case_no)
    if case is None:
        raise NotFound(f"case {case_no!r} does not exist")
    return case.service_point_id
