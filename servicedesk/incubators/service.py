"""Incubators, their firms' incubation status, and who may see what of them."""

from __future__ import annotations

from datetime import date

from servicedesk.accounts.service import Principal
from servicedesk.errors import Forbidden, InvalidInput, NotFound
from servicedesk.firms import service as firms
from servicedesk.incubators.models import Incubation, IncubationStatus, Incubator

LEVELS = ("national", "municipal", "district")


async def get(code: str) -> Incubator:
    incubator = await Incubator.get_or_none(code=code)
    if incubator is None:
        raise NotFound(f"incubator {code!r} does not exist")
    return incubator


def check_access(principal: Principal, code: str) -> None:
    """Officials see every incubator; an incubator account only its own."""
    if principal.role in {"official", "admin"}:
        return
    user = principal.user
    if principal.role == "incubator" and user is not None and user.incubator_code == code:
        return
    raise Forbidden(f"only officials and incubator {code} may see this")


def own_code(principal: Principal) -> str:
    user = principal.user
    if user is None or principal.role != "incubator" or not user.incubator_code:
        raise Forbidden("this is for incubator accounts")
    return str(user.incubator_code)


async def own_incubator(principal: Principal, code: str) -> Incubator:
    """The incubator ``code`` if the principal is its operator."""
    own = own_code(principal)
    if own != code:
        raise Forbidden(f"you act for {own}, not {code}")
    return await get(code)


async def create(
    code: str,
    *,
    name: str,
    level: str,
    district: str,
    kind: str = "incubator",
    name_en: str = "",
    focus_industries: list[str] | None = None,
) -> Incubator:
    if level not in LEVELS:
        raise InvalidInput(f"level must be one of {', '.join(LEVELS)}", extra={"field": "level"})
    incubator, _ = await Incubator.update_or_create(
        defaults={
            "name": name,
            "name_en": name_en,
            "level": level,
            "district": district,
            "kind": kind,
            "focus_industries": focus_industries or [],
        },
        code=code,
    )
    return incubator


async def firms_of(code: str, principal: Principal) -> list[Incubation]:
    check_access(principal, code)
    incubator = await get(code)
    return (
        await Incubation.filter(incubator=incubator)
        .prefetch_related("firm")
        .order_by("status", "-since", "id")
    )


async def register_firm(
    incubator: Incubator,
    *,
    uscc: str,
    name: str,
    since: date,
    graduated_on: date | None = None,
) -> Incubation:
    """Record a firm as incubated here since ``since`` (graduated when given)."""
    firm = await firms.get_or_register(uscc, name=name)
    status = IncubationStatus.GRADUATED if graduated_on else IncubationStatus.INCUBATED
    row, _ = await Incubation.update_or_create(
        defaults={"status": status, "since": since, "graduated_on": graduated_on},
        incubator=incubator,
        firm=firm,
    )
    return row


async def incubation(incubator: Incubator, firm_id: int) -> Incubation | None:
    return await Incubation.get_or_none(incubator=incubator, firm_id=firm_id)
