"""The matter catalogue of each service point, most relevant first."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from tortoise.transactions import in_transaction

from servicedesk.catalogue import ports
from servicedesk.catalogue.models import Matter, Queue, ServicePoint, ServicePointMatter, Window
from servicedesk.errors import NotFound
from servicedesk.timeutil import now

DEMAND_DAYS = 30


async def list_points(*, include_retired: bool = False) -> list[ServicePoint]:
    query = ServicePoint.all() if include_retired else ServicePoint.filter(active=True)
    return await query.order_by("code")


async def get_point(code: str) -> ServicePoint:
    point = await ServicePoint.get_or_none(code=code)
    if point is None:
        raise NotFound(f"service point {code!r} does not exist")
    return point


async def point_detail(code: str) -> ServicePoint:
    point = await get_point(code)
    await point.fetch_related("queues", "windows__queues")
    return point


def live_queues(point: ServicePoint) -> list[Queue]:
    """The point's queues in service, by letter (after :func:`point_detail`)."""
    return sorted((q for q in point.queues if q.active), key=lambda q: q.code)


def live_windows(point: ServicePoint) -> list[Window]:
    """The point's windows in service, by code (after :func:`point_detail`)."""
    return sorted((w for w in point.windows if w.active), key=lambda w: w.code)


async def get_matter(code: str) -> Matter:
    matter = await Matter.get_or_none(code=code).prefetch_related("materials")
    if matter is None or not matter.active:
        raise NotFound(f"matter {code!r} does not exist")
    return matter


async def offering(point: ServicePoint, matter_code: str) -> ServicePointMatter:
    """The matter as offered at ``point`` (with its queue), or 404 if not offered."""
    row = await ServicePointMatter.get_or_none(
        service_point=point, matter__code=matter_code, hidden=False, matter__active=True
    ).prefetch_related("matter__materials", "queue")
    if row is None:
        raise NotFound(f"matter {matter_code!r} is not offered at service point {point.code}")
    return row


@dataclass(frozen=True)
class CatalogueEntry:
    offering: ServicePointMatter
    industry_fit: float  # share of the matter's industries that the point focuses on
    demand: int

    @property
    def matter(self) -> Matter:
        return self.offering.matter

    @property
    def queue(self) -> Queue:
        return self.offering.queue


async def recent_demand(point: ServicePoint) -> Counter[int]:
    """Applications and tickets taken per matter at ``point`` over the last 30 days."""
    return await ports.count_demand(point, since=now() - timedelta(days=DEMAND_DAYS))


async def set_display(
    code: str,
    matter_code: str,
    *,
    pinned: bool | None = None,
    hidden: bool | None = None,
    actor: str = "system",
) -> ServicePointMatter:
    """Officials pin a matter to the top of a kiosk, or hide it there."""
    point = await get_point(code)
    row = await ServicePointMatter.get_or_none(service_point=point, matter__code=matter_code)
    if row is None:
        raise NotFound(f"matter {matter_code!r} is not offered at service point {point.code}")
    changes = {k: v for k, v in {"pinned": pinned, "hidden": hidden}.items() if v is not None}
    if changes:
        from servicedesk.audit import service as audit

        async with in_transaction():
            await ServicePointMatter.filter(id=row.id).update(**changes)
            await audit.record(
                "catalogue.display",
                actor=actor,
                entity="offering",
                entity_id=row.id,
                after={"matter": matter_code, **changes},
            )
    return await ServicePointMatter.get(id=row.id).prefetch_related("matter__materials", "queue")


def _fit(focus: set[str], industries: list[str]) -> float:
    # A matter made for this park's industry outranks one that every park has.
    return len(focus & set(industries)) / len(industries) if industries else 0.0


def _rank(entry: CatalogueEntry, top_demand: int) -> tuple[bool, float, str]:
    # Industry fit first, recent demand second (article 22: "by the park's industry
    # positioning"), pinned matters always on top, code as a stable tie-break.
    demand_share = entry.demand / top_demand if top_demand else 0.0
    return (not entry.offering.pinned, -(entry.industry_fit + demand_share), entry.matter.code)


async def catalogue(code: str, *, include_hidden: bool = False) -> list[CatalogueEntry]:
    point = await get_point(code)
    query = ServicePointMatter.filter(service_point=point, matter__active=True)
    if not include_hidden:
        query = query.filter(hidden=False)
    offerings = await query.prefetch_related("matter__materials", "queue")
    demand = await recent_demand(point)
    focus = set(point.focus_industries)
    entries = [
        CatalogueEntry(
            offering=o,
            industry_fit=_fit(focus, o.matter.industries),
            demand=demand.get(o.matter.id, 0),
        )
        for o in offerings
    ]
    top = max((e.demand for e in entries), default=0)
    return sorted(entries, key=lambda e: _rank(e, top))


async def waivable_matters() -> list[Matter]:
    """The matters a waiver policy may lift the on-site inspection of, by code."""
    return await Matter.filter(inspection_waivable=True, active=True).order_by("code")
