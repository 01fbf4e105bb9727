from __future__ import annotations

from fastapi import APIRouter

from servicedesk.bounds import Body
from servicedesk.catalogue import service
from servicedesk.catalogue.schemas import (
    MaterialRead,
    MatterRead,
    QueueRead,
    ServicePointDetail,
    ServicePointRead,
    WindowRead,
)
from servicedesk.catalogue.service import CatalogueEntry
from servicedesk.deps import CurrentOfficial

router = APIRouter(prefix="/service-points", tags=["catalogue"])


def _point(p: object) -> dict[str, object]:
    return {k: getattr(p, k) for k in ServicePointRead.model_fields}


@router.get("", response_model=list[ServicePointRead])
async def list_points() -> list[ServicePointRead]:
    """Every service point with its industry focus."""
    return [ServicePointRead.model_validate(_point(p)) for p in await service.list_points()]


@router.get("/{sp}", response_model=ServicePointDetail)
async def get_point(sp: str) -> ServicePointDetail:
    """A service point with its queues and windows."""
    point = await service.point_detail(sp)
    return ServicePointDetail(
        **_point(point),
        queues=[
            QueueRead(code=q.code, name=q.name, name_en=q.name_en)
            for q in service.live_queues(point)
        ],
        windows=[
            WindowRead(code=w.code, name=w.name, queues=sorted(q.code for q in w.queues))
            for w in service.live_windows(point)
        ],
    )


def matter_read(entry: CatalogueEntry) -> MatterRead:
    m = entry.matter
    return MatterRead(
        code=m.code,
        name=m.name,
        name_en=m.name_en,
        queue=entry.queue.code,
        department=m.department,
        department_en=m.department_en,
        legal_basis=m.legal_basis,
        promised_days=m.promised_days,
        statutory_days=m.statutory_days,
        inspection_applies=m.inspection_applies,
        inspection_waivable=m.inspection_waivable,
        pinned=entry.offering.pinned,
        demand_30d=entry.demand,
        materials=[
            MaterialRead(code=x.code, name=x.name, name_en=x.name_en, core=x.core)
            for x in m.materials
            if x.active
        ],
    )


@router.get("/{sp}/matters", response_model=list[MatterRead])
async def list_matters(sp: str) -> list[MatterRead]:
    """The catalogue at a service point, most relevant first."""
    return [matter_read(e) for e in await service.catalogue(sp)]


class DisplayIn(Body):
    pinned: bool | None = None
    hidden: bool | None = None


@router.patch("/{sp}/matters/{matter_code}", response_model=MatterRead)
async def set_display(
    sp: str, matter_code: str, body: DisplayIn, official: CurrentOfficial
) -> MatterRead:
    """Pin a matter to the top of this point's kiosk, or hide it there."""
    row = await service.set_display(
        sp, matter_code, pinned=body.pinned, hidden=body.hidden, actor=official.label
    )
    return matter_read(CatalogueEntry(offering=row, industry_fit=0.0, demand=0))
