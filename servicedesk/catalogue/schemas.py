from __future__ import annotations

from pydantic import BaseModel


class ServicePointRead(BaseModel):
    code: str
    name: str
    name_en: str
    incubator_code: str | None
    district: str
    focus_industries: list[str]


class QueueRead(BaseModel):
    code: str
    name: str
    name_en: str


class WindowRead(BaseModel):
    code: str
    name: str
    queues: list[str]


class ServicePointDetail(ServicePointRead):
    queues: list[QueueRead]
    windows: list[WindowRead]


class MaterialRead(BaseModel):
    code: str
    name: str
    name_en: str
    core: bool


class MatterRead(BaseModel):
    code: str
    name: str
    name_en: str
    queue: str
    department: str
    department_en: str
    legal_basis: str
    promised_days: int
    statutory_days: int
    inspection_applies: bool
    inspection_waivable: bool
    pinned: bool
    demand_30d: int
    materials: list[MaterialRead]
