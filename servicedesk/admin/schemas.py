"""Administration payloads: what an administrator sends to set a park up."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from servicedesk.bounds import Body, Name
from servicedesk.bounds import Code as CodeText

Code = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class PointCreate(Body):
    code: str = Code
    name: str = Field(min_length=1, max_length=200)
    name_en: str = Field(default="", max_length=200)
    district: str = Field(default="", max_length=64)
    address: str = Field(default="", max_length=200)
    focus_industries: list[Name] = Field(default_factory=list, max_length=20)
    incubator_code: str | None = Field(default=None, max_length=32)


class PointUpdate(Body):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    district: str | None = Field(default=None, max_length=64)
    address: str | None = Field(default=None, max_length=200)
    focus_industries: list[Name] | None = Field(default=None, max_length=20)
    incubator_code: str | None = Field(default=None, max_length=32)
    active: bool | None = None


class QueueCreate(Body):
    code: str = Field(pattern=r"^[A-Z]$")
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field(default="", max_length=100)


class QueueUpdate(Body):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    name_en: str | None = Field(default=None, max_length=100)
    active: bool | None = None


class WindowCreate(Body):
    code: str = Code
    name: str | None = Field(default=None, min_length=1, max_length=100)
    queues: list[CodeText] = Field(min_length=1, max_length=26)


class WindowUpdate(Body):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    queues: list[CodeText] | None = Field(default=None, min_length=1, max_length=26)
    active: bool | None = None


class MaterialIn(Body):
    code: str = Code
    name: str = Field(min_length=1, max_length=200)
    name_en: str = Field(default="", max_length=200)
    core: bool = True


class MatterCreate(Body):
    code: str = Code
    name: str = Field(min_length=1, max_length=200)
    name_en: str = Field(default="", max_length=200)
    department: str = Field(default="", max_length=200)
    department_en: str = Field(default="", max_length=200)
    promised_days: int = Field(ge=1, le=3650)
    statutory_days: int = Field(ge=1, le=3650)
    legal_basis: str = Field(default="", max_length=2000)
    legal_basis_en: str = Field(default="", max_length=2000)
    inspection_applies: bool | None = None
    inspection_waivable: bool = False
    industries: list[Name] = Field(default_factory=list, max_length=20)
    pinyin: str | None = Field(default=None, max_length=64, pattern=r"^[a-z0-9]*$")
    materials: list[MaterialIn] = Field(min_length=1, max_length=60)


class MatterUpdate(Body):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    department: str | None = Field(default=None, max_length=200)
    department_en: str | None = Field(default=None, max_length=200)
    promised_days: int | None = Field(default=None, ge=1, le=3650)
    statutory_days: int | None = Field(default=None, ge=1, le=3650)
    legal_basis: str | None = Field(default=None, max_length=2000)
    legal_basis_en: str | None = Field(default=None, max_length=2000)
    inspection_applies: bool | None = None
    inspection_waivable: bool | None = None
    industries: list[Name] | None = Field(default=None, max_length=20)
    pinyin: str | None = Field(default=None, max_length=64, pattern=r"^[a-z0-9]*$")
    materials: list[MaterialIn] | None = Field(default=None, min_length=1, max_length=60)
    active: bool | None = None


class OfferingItem(Body):
    matter_code: str = Field(min_length=1, max_length=32)
    queue: str = Field(min_length=1, max_length=4)


class OfferingIn(Body):
    matters: list[OfferingItem] = Field(max_length=500)


class IncubatorCreate(Body):
    code: str = Code
    name: str = Field(min_length=1, max_length=200)
    name_en: str = Field(default="", max_length=200)
    level: Literal["national", "municipal", "district"]
    district: str = Field(min_length=1, max_length=64)
    kind: str = Field(default="incubator", min_length=1, max_length=32)
    focus_industries: list[Name] = Field(default_factory=list, max_length=20)


class IncubatorRead(BaseModel):
    code: str
    name: str
    name_en: str
    level: str
    district: str
    kind: str
    focus_industries: list[str]


Role = Literal["clerk", "supervisor", "official", "incubator", "admin"]


class UserCreate(Body):
    username: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.@-]*$")
    role: Role
    password: str = Field(min_length=8, max_length=256)
    display_name: str = Field(default="", max_length=100)
    service_point: str | None = Field(default=None, max_length=32)
    incubator: str | None = Field(default=None, max_length=32)


class UserUpdate(Body):
    role: Role | None = None
    display_name: str | None = Field(default=None, max_length=100)
    service_point: str | None = Field(default=None, max_length=32)
    incubator: str | None = Field(default=None, max_length=32)


class PasswordIn(Body):
    password: str = Field(min_length=8, max_length=256)


class UserRead(BaseModel):
    username: str
    role: str
    display_name: str
    service_point: str | None
    incubator: str | None
    is_active: bool


class KioskCreate(Body):
    service_point: str = Field(min_length=1, max_length=32)
    name: str = Field(default="", max_length=100)


class KioskRead(BaseModel):
    id: int
    name: str
    service_point: str
    revoked: bool
    created_at: datetime
    last_used_at: datetime | None


class KioskToken(BaseModel):
    id: int
    token: str
    service_point: str


class WorkdayIn(Body):
    is_working: bool
    note: str = Field(default="", max_length=200)


class WorkdayRead(BaseModel):
    day: date
    is_working: bool
    note: str
