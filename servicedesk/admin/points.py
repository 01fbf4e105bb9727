"""Service points, their queues and windows, and what each point offers."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from servicedesk.admin.common import Unique, changes, duplicate, record, snapshot
from servicedesk.catalogue import service as catalogue
from servicedesk.catalogue.models import Matter, Queue, ServicePoint, ServicePointMatter, Window
from servicedesk.errors import Conflict, InvalidInput
from servicedesk.incubators.models import Incubator

POINT_FIELDS = (
    "name",
    "name_en",
    "district",
    "address",
    "focus_industries",
    "incubator_code",
    "active",
)


async def _check_incubator(code: str | None) -> None:
    if code and not await Incubator.exists(code=code):
        raise InvalidInput(f"incubator {code!r} does not exist", extra={"field": "incubator_code"})


async def create_point(data: dict[str, Any], *, actor: str) -> ServicePoint:
    code = data["code"]
    await _check_incubator(data.get("incubator_code"))
    if await ServicePoint.exists(code=code):
        raise duplicate("service point", code)
    async with Unique("service point", code), in_transaction():
        point = await ServicePoint.create(**data)
        await record(
            "point.create",
            actor=actor,
            entity="service_point",
            entity_id=code,
            after=snapshot(point, POINT_FIELDS),
        )
    return await catalogue.point_detail(code)


async def update_point(code: str, data: dict[str, Any], *, actor: str) -> ServicePoint:
    point = await catalogue.get_point(code)
    update = changes(data)
    if "incubator_code" in data and not data["incubator_code"]:
        update["incubator_code"] = None  # an explicit null or "": no hosting incubator
    if update.get("incubator_code", point.incubator_code) != point.incubator_code:
        await _check_incubator(update["incubator_code"])
    before = snapshot(point, POINT_FIELDS)
    async with in_transaction():
        await ServicePoint.filter(id=point.id).update(**update)
        point = await ServicePoint.get(id=point.id)
        await record(
            "point.update",
            actor=actor,
            entity="service_point",
            entity_id=code,
            before=before,
            after=snapshot(point, POINT_FIELDS),
        )
    return await catalogue.point_detail(code)


async def _queue(point: ServicePoint, code: str, *, field: str = "queue") -> Queue:
    queue = await Queue.get_or_none(service_point=point, code=code)
    if queue is None:
        raise InvalidInput(f"queue {code!r} does not exist at {point.code}", extra={"field": field})
    return queue


async def add_queue(sp: str, data: dict[str, Any], *, actor: str) -> Queue:
    point = await catalogue.get_point(sp)
    code = data["code"]
    if await Queue.exists(service_point=point, code=code):
        raise duplicate(f"queue at {sp}", code)
    async with Unique(f"queue at {sp}", code), in_transaction():
        queue = await Queue.create(service_point=point, **data)
        await record(
            "queue.create",
            actor=actor,
            entity="queue",
            entity_id=f"{sp}/{code}",
            after=snapshot(queue, ("code", "name", "name_en")),
        )
    return queue


async def update_queue(sp: str, code: str, data: dict[str, Any], *, actor: str) -> Queue:
    point = await catalogue.get_point(sp)
    queue = await _queue(point, code)
    update = changes(data)
    if update.get("active") is False:
        used = await ServicePointMatter.filter(queue=queue, hidden=False).count()
        if used:
            raise Conflict(
                f"queue {code} still serves {used} matter(s) at {sp}: "
                "move them to another queue in the offering first"
            )
    before = snapshot(queue, ("name", "name_en", "active"))
    async with in_transaction():
        await Queue.filter(id=queue.id).update(**update)
        queue = await Queue.get(id=queue.id)
        await record(
            "queue.update",
            actor=actor,
            entity="queue",
            entity_id=f"{sp}/{code}",
            before=before,
            after=snapshot(queue, ("name", "name_en", "active")),
        )
    return queue


async def _served(point: ServicePoint, codes: list[str]) -> list[Queue]:
    queues = []
    for code in dict.fromkeys(codes):
        queue = await _queue(point, code, field="queues")
        if not queue.active:
            raise InvalidInput(
                f"queue {code} at {point.code} is retired", extra={"field": "queues"}
            )
        queues.append(queue)
    return queues


async def add_window(sp: str, data: dict[str, Any], *, actor: str) -> Window:
    """A new counter; without a name it is called after its number ("3号窗口")."""
    point = await catalogue.get_point(sp)
    code = data["code"]
    queues = await _served(point, data["queues"])
    if await Window.exists(code=code):
        raise duplicate("window", code)
    name = data.get("name") or f"{await Window.filter(service_point=point).count() + 1}号窗口"
    async with Unique("window", code), in_transaction():
        window = await Window.create(service_point=point, code=code, name=name)
        await window.queues.add(*queues)
        await record(
            "window.create",
            actor=actor,
            entity="window",
            entity_id=code,
            after={"service_point": sp, "name": name, "queues": [q.code for q in queues]},
        )
    return window


async def get_window(sp: str, code: str) -> Window:
    point = await catalogue.get_point(sp)
    window = await Window.get_or_none(service_point=point, code=code)
    if window is None:
        raise InvalidInput(f"window {code!r} does not exist at {sp}", extra={"field": "window"})
    await window.fetch_related("queues")
    return window


async def update_window(sp: str, code: str, data: dict[str, Any], *, actor: str) -> Window:
    window = await get_window(sp, code)
    update = changes(data)
    before = {
        **snapshot(window, ("name", "active")),
        "queues": sorted(q.code for q in window.queues),
    }
    queues = (
        await _served(await catalogue.get_point(sp), update.pop("queues"))
        if "queues" in update
        else None
    )
    async with in_transaction():
        if update:
            await Window.filter(id=window.id).update(**update)
        if queues is not None:
            await window.queues.clear()
            await window.queues.add(*queues)
        window = await get_window(sp, code)
        await record(
            "window.update",
            actor=actor,
            entity="window",
            entity_id=code,
            before=before,
            after={
                **snapshot(window, ("name", "active")),
                "queues": sorted(q.code for q in window.queues),
            },
        )
    return window


async def set_offering(sp: str, items: list[dict[str, str]], *, actor: str) -> None:
    """What the point offers, and in which queue: listed matters are offered, the
    others hidden (never deleted: their tickets and cases keep pointing at them)."""
    point = await catalogue.get_point(sp)
    wanted: dict[str, Queue] = {}
    problems = []
    for index, item in enumerate(items):
        matter_code, queue_code = item["matter_code"], item["queue"]
        if not await Matter.exists(code=matter_code, active=True):
            problems.append(f"matters[{index}]: matter {matter_code!r} does not exist")
            continue
        queue = await Queue.get_or_none(service_point=point, code=queue_code, active=True)
        if queue is None:
            problems.append(f"matters[{index}]: queue {queue_code!r} is not in service at {sp}")
            continue
        if matter_code in wanted:
            problems.append(f"matters[{index}]: matter {matter_code} is listed twice")
        wanted[matter_code] = queue
    if problems:
        raise InvalidInput("; ".join(problems), extra={"field": "matters", "problems": problems})
    existing = {
        o.matter.code: o
        for o in await ServicePointMatter.filter(service_point=point).prefetch_related(
            "matter", "queue"
        )
    }
    before = {c: o.queue.code for c, o in existing.items() if not o.hidden}
    async with in_transaction():
        for matter_code, offer in existing.items():
            if matter_code not in wanted and not offer.hidden:
                await ServicePointMatter.filter(id=offer.id).update(hidden=True)
        for matter_code, queue in wanted.items():
            if matter_code in existing:
                await ServicePointMatter.filter(id=existing[matter_code].id).update(
                    queue=queue, hidden=False
                )
            else:
                matter = await Matter.get(code=matter_code)
                await ServicePointMatter.create(service_point=point, matter=matter, queue=queue)
        await record(
            "offering.set",
            actor=actor,
            entity="service_point",
            entity_id=sp,
            before={"offering": before},
            after={"offering": {c: q.code for c, q in wanted.items()}},
        )


async def offering_of(sp: str) -> dict[str, str]:
    """What the point offers now: matter code to queue letter (hidden ones left out)."""
    point = await catalogue.get_point(sp)
    rows = await ServicePointMatter.filter(service_point=point, hidden=False).prefetch_related(
        "matter", "queue"
    )
    return {o.matter.code: o.queue.code for o in rows}
