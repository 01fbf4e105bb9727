"""Incubators, staff accounts, kiosks and workday overrides."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from tortoise.functions import Max
from tortoise.transactions import in_transaction

from servicedesk.accounts import kiosks
from servicedesk.accounts import service as accounts
from servicedesk.accounts.models import KioskDevice, Role, User
from servicedesk.admin.common import Unique, duplicate, record, snapshot
from servicedesk.calendar.models import WorkdayOverride
from servicedesk.catalogue import service as catalogue
from servicedesk.catalogue.models import ServicePoint
from servicedesk.errors import Conflict, InvalidInput, NotFound
from servicedesk.incubators import service as incubators
from servicedesk.incubators.models import Incubator
from servicedesk.queue.models import Ticket

INCUBATOR_FIELDS = ("name", "name_en", "level", "district", "kind", "focus_industries")


async def create_incubator(data: dict[str, Any], *, actor: str) -> Incubator:
    code = data["code"]
    if await Incubator.exists(code=code):
        raise duplicate("incubator", code)
    async with Unique("incubator", code), in_transaction():
        incubator = await Incubator.create(**data)
        await record(
            "incubator.create",
            actor=actor,
            entity="incubator",
            entity_id=code,
            after=snapshot(incubator, INCUBATOR_FIELDS),
        )
    return incubator


async def update_incubator(code: str, data: dict[str, Any], *, actor: str) -> Incubator:
    incubator = await incubators.get(code)
    before = snapshot(incubator, INCUBATOR_FIELDS)
    update = {k: v for k, v in data.items() if k != "code"}
    async with in_transaction():
        await Incubator.filter(id=incubator.id).update(**update)
        incubator = await incubators.get(code)
        await record(
            "incubator.update",
            actor=actor,
            entity="incubator",
            entity_id=code,
            before=before,
            after=snapshot(incubator, INCUBATOR_FIELDS),
        )
    return incubator


async def list_incubators() -> list[Incubator]:
    return await Incubator.all().order_by("code")


# ---------------------------------------------------------------- users


async def _point_ref(code: str | None) -> ServicePoint | None:
    if not code:
        return None
    point = await ServicePoint.get_or_none(code=code)
    if point is None:
        raise InvalidInput(
            f"service point {code!r} does not exist", extra={"field": "service_point"}
        )
    return point


async def _incubator_ref(code: str | None) -> str | None:
    if code and not await Incubator.exists(code=code):
        raise InvalidInput(f"incubator {code!r} does not exist", extra={"field": "incubator"})
    return code or None


def _user_snapshot(user: User, point: str | None) -> dict[str, Any]:
    return {
        "username": user.username,
        "role": user.role.value,
        "service_point": point,
        "incubator": user.incubator_code,
        "display_name": user.display_name,
        "is_active": user.is_active,
    }


async def user_point(user: User) -> str | None:
    return await accounts.service_point_code(user)


async def get_user(username: str) -> User:
    user = await User.get_or_none(username=username)
    if user is None:
        raise NotFound(f"user {username!r} does not exist")
    return user


async def create_user(data: dict[str, Any], *, actor: str) -> User:
    point = await _point_ref(data.get("service_point"))
    incubator = await _incubator_ref(data.get("incubator"))
    if await User.exists(username=data["username"]):
        raise duplicate("user", data["username"])
    async with Unique("user", data["username"]), in_transaction():
        user = await accounts.create_user(
            data["username"],
            password=data["password"],
            role=Role(data["role"]),
            service_point=point,
            incubator_code=incubator,
            display_name=data.get("display_name") or "",
        )
        await record(
            "user.create",
            actor=actor,
            entity="user",
            entity_id=user.username,
            after=_user_snapshot(user, point.code if point else None),
        )
    return user


async def update_user(username: str, data: dict[str, Any], *, actor: str) -> User:
    """Change a user's role, point, incubator or display name."""
    user = await get_user(username)
    before = _user_snapshot(user, await user_point(user))
    role = Role(data["role"]) if data.get("role") else user.role
    fields: dict[str, Any] = {"role": role}
    if "service_point" in data:
        point = await _point_ref(data["service_point"])
        fields["service_point_id"] = point.id if point else None
    if "incubator" in data:
        fields["incubator_code"] = await _incubator_ref(data["incubator"])
    if data.get("display_name") is not None:
        fields["display_name"] = data["display_name"]
    point_id = fields.get("service_point_id", user.service_point_id)
    if role in (Role.CLERK, Role.SUPERVISOR) and point_id is None:
        raise InvalidInput(
            f"a {role.value} belongs to a service point", extra={"field": "service_point"}
        )
    if role is Role.INCUBATOR and not fields.get("incubator_code", user.incubator_code):
        raise InvalidInput("an incubator account needs an incubator", extra={"field": "incubator"})
    async with in_transaction():
        await User.filter(id=user.id).update(**fields)
        # A change of role or place takes effect now, not when old tokens expire.
        await accounts.revoke_user_tokens(user.id)
        user = await get_user(username)
        await record(
            "user.update",
            actor=actor,
            entity="user",
            entity_id=username,
            before=before,
            after=_user_snapshot(user, await user_point(user)),
        )
    accounts.forget_user(user.id)
    return user


async def deactivate_user(username: str, *, actor: str) -> User:
    """The account can no longer log in, and its tokens stop working at once."""
    user = await get_user(username)
    if actor == f"{user.role.value}:{username}":
        raise Conflict("you cannot deactivate your own account")
    return await _set_active(user, active=False, actor=actor)


async def reactivate_user(username: str, *, actor: str) -> User:
    return await _set_active(await get_user(username), active=True, actor=actor)


async def _set_active(user: User, *, active: bool, actor: str) -> User:
    """Deactivating also ends the user's sessions at once."""
    async with in_transaction():
        await User.filter(id=user.id).update(is_active=active)
        if not active:
            await accounts.revoke_user_tokens(user.id)
        await record(
            "user.reactivate" if active else "user.deactivate",
            actor=actor,
            entity="user",
            entity_id=user.username,
            before={"is_active": user.is_active},
            after={"is_active": active},
        )
    accounts.forget_user(user.id)
    return await get_user(user.username)


async def reset_password(username: str, password: str, *, actor: str) -> User:
    user = await get_user(username)
    async with in_transaction():
        await accounts.set_password(user, password)
        await accounts.revoke_user_tokens(user.id)
        await record("user.reset_password", actor=actor, entity="user", entity_id=username)
    accounts.forget_user(user.id)
    return await get_user(username)


async def list_users() -> list[tuple[User, str | None]]:
    points = {p.id: p.code for p in await ServicePoint.all()}
    users = await User.all().order_by("role", "username")
    return [(u, points.get(u.service_point_id) if u.service_point_id else None) for u in users]


# ---------------------------------------------------------------- kiosks


async def enrol_kiosk(sp: str, *, name: str, actor: str) -> tuple[KioskDevice, str]:
    point = await _point_ref(sp)
    assert point is not None
    async with in_transaction():
        device, token = await accounts.create_kiosk(point, name=name)
        await record(
            "kiosk.enrol",
            actor=actor,
            entity="kiosk",
            entity_id=device.id,
            after={"service_point": sp, "name": device.name},
        )
    return device, token


async def get_kiosk(kiosk_id: int) -> KioskDevice:
    return await kiosks.device(kiosk_id)


async def revoke_kiosk(kiosk_id: int, *, actor: str) -> KioskDevice:
    """The kiosk's token is refused from now on; revoking a revoked kiosk changes nothing
    (a retried request answers as the first did)."""
    device = await get_kiosk(kiosk_id)
    return device if device.revoked else await kiosks.revoke(kiosk_id, actor=actor)


async def rotate_kiosk(kiosk_id: int, *, actor: str) -> tuple[KioskDevice, str]:
    """A new token for the same kiosk; the old one stops working."""
    token = await kiosks.rotate(kiosk_id, actor=actor)
    return await get_kiosk(kiosk_id), token


async def list_kiosks() -> list[tuple[KioskDevice, datetime | None]]:
    """Every kiosk with the moment it last issued a ticket."""
    devices = await KioskDevice.all().select_related("service_point").order_by("id")
    rows = (
        await Ticket.filter(kiosk_id__in=[d.id for d in devices])
        .group_by("kiosk_id")
        .annotate(last=Max("taken_at"))
        .values("kiosk_id", "last")
    )
    last = {row["kiosk_id"]: row["last"] for row in rows}
    return [(d, last.get(d.id)) for d in devices]


# ---------------------------------------------------------------- workdays


async def set_workday(day: date, *, is_working: bool, note: str, actor: str) -> WorkdayOverride:
    """A local announcement the holiday package does not have yet."""
    row = await WorkdayOverride.get_or_none(day=day)
    before = snapshot(row, ("is_working", "note")) if row else None
    async with in_transaction():
        row, _ = await WorkdayOverride.update_or_create(
            defaults={"is_working": is_working, "note": note}, day=day
        )
        await record(
            "workday.set",
            actor=actor,
            entity="workday",
            entity_id=day.isoformat(),
            before=before,
            after={"is_working": is_working, "note": note},
        )
    return row


async def list_workdays() -> list[WorkdayOverride]:
    return await WorkdayOverride.all().order_by("day")


async def point_codes() -> list[str]:
    return [p.code for p in await catalogue.list_points(include_retired=True)]
