"""The administration API (role ``admin``): set a park up without writing code."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends

from servicedesk.accounts.models import KioskDevice, User
from servicedesk.accounts.service import Principal
from servicedesk.admin import matters, people, points
from servicedesk.admin.schemas import (
    IncubatorCreate,
    IncubatorRead,
    KioskCreate,
    KioskRead,
    KioskToken,
    MatterCreate,
    MatterUpdate,
    OfferingIn,
    PasswordIn,
    PointCreate,
    PointUpdate,
    QueueCreate,
    QueueUpdate,
    UserCreate,
    UserRead,
    UserUpdate,
    WindowCreate,
    WindowUpdate,
    WorkdayIn,
    WorkdayRead,
)
from servicedesk.catalogue.endpoints import get_point, list_matters
from servicedesk.catalogue.models import Matter, Queue, Window
from servicedesk.catalogue.schemas import (
    MaterialRead,
    MatterRead,
    QueueRead,
    ServicePointDetail,
    WindowRead,
)
from servicedesk.deps import require_roles
from servicedesk.incubators.models import Incubator

Admin = Annotated[Principal, require_roles("admin")]


async def _admin_only(_admin: Admin) -> None:
    """Every administration route is for the role admin."""


router = APIRouter(prefix="/admin", tags=["administration"], dependencies=[Depends(_admin_only)])


def _queue(q: Queue) -> QueueRead:
    return QueueRead(code=q.code, name=q.name, name_en=q.name_en)


def _window(w: Window) -> WindowRead:
    return WindowRead(code=w.code, name=w.name, queues=sorted(q.code for q in w.queues))


class AdminMatterRead(MatterRead):
    active: bool


def _matter(m: Matter) -> AdminMatterRead:
    """A matter outside any point's offering: no queue, not pinned, no demand."""
    return AdminMatterRead(
        code=m.code,
        name=m.name,
        name_en=m.name_en,
        queue="",
        department=m.department,
        department_en=m.department_en,
        legal_basis=m.legal_basis,
        promised_days=m.promised_days,
        statutory_days=m.statutory_days,
        inspection_applies=m.inspection_applies,
        inspection_waivable=m.inspection_waivable,
        pinned=False,
        demand_30d=0,
        materials=[
            MaterialRead(code=x.code, name=x.name, name_en=x.name_en, core=x.core)
            for x in m.materials
            if x.active
        ],
        active=m.active,
    )


def _incubator(i: Incubator) -> IncubatorRead:
    return IncubatorRead(
        code=i.code,
        name=i.name,
        name_en=i.name_en,
        level=i.level,
        district=i.district,
        kind=i.kind,
        focus_industries=list(i.focus_industries),
    )


async def _user(user: User) -> UserRead:
    return UserRead(
        username=user.username,
        role=user.role.value,
        display_name=user.display_name,
        service_point=await people.user_point(user),
        incubator=user.incubator_code,
        is_active=user.is_active,
    )


def _kiosk(device: KioskDevice, last: datetime | None = None) -> KioskRead:
    return KioskRead(
        id=device.id,
        name=device.name,
        service_point=device.service_point.code,
        revoked=device.revoked,
        created_at=device.created_at,
        last_used_at=last,
    )


# ---------------------------------------------------------------- points, queues, windows


@router.post("/service-points", status_code=201, response_model=ServicePointDetail)
async def create_point(body: PointCreate, admin: Admin) -> ServicePointDetail:
    """Create a service point; answers it as GET /service-points/{sp} shows it."""
    point = await points.create_point(body.model_dump(), actor=admin.label)
    return await get_point(point.code)


@router.patch("/service-points/{sp}", response_model=ServicePointDetail)
async def update_point(sp: str, body: PointUpdate, admin: Admin) -> ServicePointDetail:
    """Change a service point, or retire it with {"active": false}."""
    await points.update_point(sp, body.model_dump(exclude_unset=True), actor=admin.label)
    return await get_point(sp)


@router.post("/service-points/{sp}/queues", status_code=201, response_model=QueueRead)
async def add_queue(sp: str, body: QueueCreate, admin: Admin) -> QueueRead:
    """Add a queue; its code is its letter (A–Z)."""
    return _queue(await points.add_queue(sp, body.model_dump(), actor=admin.label))


@router.patch("/service-points/{sp}/queues/{code}", response_model=QueueRead)
async def update_queue(sp: str, code: str, body: QueueUpdate, admin: Admin) -> QueueRead:
    """Rename a queue, or retire it with {"active": false}."""
    data = body.model_dump(exclude_unset=True)
    return _queue(await points.update_queue(sp, code, data, actor=admin.label))


@router.post("/service-points/{sp}/windows", status_code=201, response_model=WindowRead)
async def add_window(sp: str, body: WindowCreate, admin: Admin) -> WindowRead:
    """Add a window serving some queues; without a name it gets one ("3号窗口")."""
    window = await points.add_window(sp, body.model_dump(), actor=admin.label)
    return _window(await points.get_window(sp, window.code))


@router.patch("/service-points/{sp}/windows/{code}", response_model=WindowRead)
async def update_window(sp: str, code: str, body: WindowUpdate, admin: Admin) -> WindowRead:
    """Rename a window, change its queues, or retire it with {"active": false}."""
    data = body.model_dump(exclude_unset=True)
    return _window(await points.update_window(sp, code, data, actor=admin.label))


@router.put("/service-points/{sp}/offering", response_model=list[MatterRead])
async def set_offering(sp: str, body: OfferingIn, admin: Admin) -> list[MatterRead]:
    """What the point offers and in which queue; answers GET /service-points/{sp}/matters."""
    await points.set_offering(sp, [i.model_dump() for i in body.matters], actor=admin.label)
    return await list_matters(sp)


# ---------------------------------------------------------------- matters


@router.get("/matters", response_model=list[AdminMatterRead])
async def all_matters() -> list[AdminMatterRead]:
    """Every matter, retired ones included."""
    return [_matter(m) for m in await matters.list_matters()]


@router.post("/matters", status_code=201, response_model=AdminMatterRead)
async def create_matter(body: MatterCreate, admin: Admin) -> AdminMatterRead:
    """Create a matter with its materials; promised_days may not exceed statutory_days."""
    data = body.model_dump()
    return _matter(await matters.create_matter(data, actor=admin.label))


@router.patch("/matters/{code}", response_model=AdminMatterRead)
async def update_matter(code: str, body: MatterUpdate, admin: Admin) -> AdminMatterRead:
    """Change a matter (materials as a whole list), or retire it with {"active": false}."""
    data = body.model_dump(exclude_unset=True)
    if body.materials is not None:  # whole materials, their defaults (core) included
        data["materials"] = [m.model_dump() for m in body.materials]
    return _matter(await matters.update_matter(code, data, actor=admin.label))


# ---------------------------------------------------------------- incubators


@router.post("/incubators", status_code=201, response_model=IncubatorRead)
async def create_incubator(body: IncubatorCreate, admin: Admin) -> IncubatorRead:
    """Register an incubator, the rated subject."""
    return _incubator(await people.create_incubator(body.model_dump(), actor=admin.label))


@router.put("/incubators/{code}", response_model=IncubatorRead)
async def update_incubator(code: str, body: IncubatorCreate, admin: Admin) -> IncubatorRead:
    """Change an incubator's name, level, district, kind or focus (code stays)."""
    return _incubator(await people.update_incubator(code, body.model_dump(), actor=admin.label))


# ---------------------------------------------------------------- users


@router.get("/users", response_model=list[UserRead])
async def users() -> list[UserRead]:
    """Every staff account."""
    return [await _user(u) for u, _ in await people.list_users()]


@router.post("/users", status_code=201, response_model=UserRead)
async def create_user(body: UserCreate, admin: Admin) -> UserRead:
    """Create a staff account (a clerk needs a service point, an operator an incubator)."""
    return await _user(await people.create_user(body.model_dump(), actor=admin.label))


@router.patch("/users/{username}", response_model=UserRead)
async def update_user(username: str, body: UserUpdate, admin: Admin) -> UserRead:
    """Change role, service point, incubator or display name (old tokens stop)."""
    data = body.model_dump(exclude_unset=True)
    return await _user(await people.update_user(username, data, actor=admin.label))


@router.post("/users/{username}/deactivate", response_model=UserRead)
async def deactivate(username: str, admin: Admin) -> UserRead:
    """The account can no longer log in; its tokens stop working at once."""
    return await _user(await people.deactivate_user(username, actor=admin.label))


@router.post("/users/{username}/reactivate", response_model=UserRead)
async def reactivate(username: str, admin: Admin) -> UserRead:
    """Let a deactivated account log in again."""
    return await _user(await people.reactivate_user(username, actor=admin.label))


@router.post("/users/{username}/password", response_model=UserRead)
async def reset_password(username: str, body: PasswordIn, admin: Admin) -> UserRead:
    """Set a new password; the user's tokens stop working."""
    return await _user(await people.reset_password(username, body.password, actor=admin.label))


# ---------------------------------------------------------------- kiosks


@router.get("/kiosks", response_model=list[KioskRead])
async def kiosks() -> list[KioskRead]:
    """Every kiosk with its last use (the last ticket it issued)."""
    return [_kiosk(d, last) for d, last in await people.list_kiosks()]


@router.post("/kiosks", status_code=201, response_model=KioskToken)
async def enrol(body: KioskCreate, admin: Admin) -> KioskToken:
    """Enrol a kiosk at a service point; the token is shown this once."""
    device, token = await people.enrol_kiosk(body.service_point, name=body.name, actor=admin.label)
    return KioskToken(id=device.id, token=token, service_point=body.service_point)


@router.post("/kiosks/{kiosk_id}/revoke", response_model=KioskRead)
async def revoke(kiosk_id: int, admin: Admin) -> KioskRead:
    """Refuse the kiosk's token from now on."""
    return _kiosk(await people.revoke_kiosk(kiosk_id, actor=admin.label))


@router.post("/kiosks/{kiosk_id}/rotate", response_model=KioskToken)
async def rotate(kiosk_id: int, admin: Admin) -> KioskToken:
    """A new token for the kiosk; the old one is refused from now on."""
    device, token = await people.rotate_kiosk(kiosk_id, actor=admin.label)
    return KioskToken(id=device.id, token=token, service_point=device.service_point.code)


# ---------------------------------------------------------------- workdays


@router.get("/workdays", response_model=list[WorkdayRead])
async def workdays() -> list[WorkdayRead]:
    """Local workday overrides, by day."""
    return [
        WorkdayRead(day=w.day, is_working=w.is_working, note=w.note)
        for w in await people.list_workdays()
    ]


@router.put("/workdays/{day}", response_model=WorkdayRead)
async def set_workday(day: date, body: WorkdayIn, admin: Admin) -> WorkdayRead:
    """Declare a day working or not (an announcement the holiday package lacks)."""
    row = await people.set_workday(
        day, is_working=body.is_working, note=body.note, actor=admin.label
    )
    return WorkdayRead(day=row.day, is_working=row.is_working, note=row.note)
