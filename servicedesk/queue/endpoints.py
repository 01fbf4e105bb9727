from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse, StreamingResponse

from servicedesk.catalogue import service as catalogue
from servicedesk.deps import CurrentClerk, IdempotencyKey, KioskDevice, SettingsDep, require_roles
from servicedesk.idempotency import service as idempotency
from servicedesk.queue import appointments, calls, events, issuing, service, transitions
from servicedesk.queue.schemas import (
    AppointmentCreate,
    AppointmentRead,
    BoardRead,
    CallRead,
    QueueCounts,
    SlotCreate,
    SlotRead,
    TicketCreate,
    TicketCreated,
    TicketRead,
    TransferIn,
    appointment_read,
    call_read,
    slot_read,
    ticket_created,
    ticket_read,
)

router = APIRouter(tags=["queue"])
SlotManager = require_roles("clerk", "supervisor", "official", "admin")


@router.post("/service-points/{sp}/tickets", status_code=201, response_model=TicketCreated)
async def take_ticket(
    sp: str,
    body: TicketCreate,
    kiosk: KioskDevice,
    settings: SettingsDep,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Take a number for a matter; retries with the same Idempotency-Key get the same one."""

    async def handler() -> tuple[int, Any]:
        view = await issuing.take(
            principal=kiosk, service_point=sp, matter_code=body.matter_code, priority=body.priority
        )
        return 201, ticket_created(view).model_dump(mode="json")

    status, payload = await idempotency.run(
        settings=settings,
        caller=kiosk.label,
        operation=f"POST /service-points/{sp}/tickets",
        key=key,
        body=body.model_dump(mode="json"),
        handler=handler,
    )
    return JSONResponse(payload, status_code=status)


@router.get("/service-points/{sp}/board", response_model=BoardRead)
async def board(sp: str) -> BoardRead:
    """The last ten calls and the number each window is calling, for the hall's display."""
    point = await catalogue.get_point(sp)
    calling = [
        CallRead(ticket_no=t.ticket_no, window=t.window.code, called_at=t.called_at or t.taken_at)
        for t in await service.now_calling(point)
        if t.window
    ]
    return BoardRead(
        recent_calls=[call_read(c) for c in await service.recent_calls(point)], now_calling=calling
    )


@router.get("/service-points/{sp}/events")
async def live_events(sp: str) -> StreamingResponse:
    """Server-Sent Events: calls, new tickets and changes at the service point."""
    point = await catalogue.get_point(sp)
    return StreamingResponse(
        events.stream(point.code),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/service-points/{sp}/queues", response_model=QueueCounts)
async def queue_counts(sp: str, clerk: CurrentClerk) -> QueueCounts:
    """Waiting tickets per queue letter."""
    point = await catalogue.get_point(sp)
    service.check_point(clerk, point.id)
    return QueueCounts(waiting=await service.waiting_counts(point))


@router.post(
    "/windows/{window}/call-next",
    response_model=TicketRead,
    responses={204: {"description": "nothing waits"}},
)
async def call_next(window: str, clerk: CurrentClerk) -> Any:
    """Claim the next ticket for the window; 204 when nobody waits."""
    view = await calls.call_next(window, principal=clerk)
    if view is None:
        return Response(status_code=204)
    return ticket_read(view)


@router.post("/tickets/{ticket_id}/recall", response_model=TicketRead)
async def recall(ticket_id: int, clerk: CurrentClerk) -> TicketRead:
    """Call the same number again."""
    return ticket_read(await calls.recall(ticket_id, principal=clerk))


@router.post("/tickets/{ticket_id}/start", response_model=TicketRead)
async def start(ticket_id: int, clerk: CurrentClerk) -> TicketRead:
    """The firm is at the window: serving starts."""
    return ticket_read(await transitions.start(ticket_id, principal=clerk))


@router.post("/tickets/{ticket_id}/no-show", response_model=TicketRead)
async def no_show(ticket_id: int, clerk: CurrentClerk) -> TicketRead:
    """The firm did not come after the allowed recalls."""
    return ticket_read(await transitions.no_show(ticket_id, principal=clerk))


@router.post("/tickets/{ticket_id}/complete", response_model=TicketRead)
async def complete(ticket_id: int, clerk: CurrentClerk) -> TicketRead:
    """The matter was handled."""
    return ticket_read(await transitions.complete(ticket_id, principal=clerk))


@router.post("/tickets/{ticket_id}/transfer", response_model=TicketRead)
async def transfer(ticket_id: int, body: TransferIn, clerk: CurrentClerk) -> TicketRead:
    """Send the firm to another queue, keeping its number and time taken."""
    return ticket_read(await transitions.transfer(ticket_id, queue=body.queue, principal=clerk))


@router.post("/tickets/{ticket_id}/void", response_model=TicketRead)
async def void(ticket_id: int, kiosk: KioskDevice) -> TicketRead:
    """The kiosk voids a ticket whose receipt did not print, before it is called."""
    return ticket_read(await issuing.void(ticket_id, principal=kiosk))


@router.get("/tickets/status/{code}", response_model=TicketRead)
async def ticket_status(code: str) -> TicketRead:
    """A ticket's status from its receipt's QR code."""
    return ticket_read(await service.by_code(code))


@router.get("/service-points/{sp}/appointment-slots", response_model=list[SlotRead])
async def list_slots(sp: str, day: date | None = None, queue: str | None = None) -> list[SlotRead]:
    """Bookable slots of a day with their free places."""
    return [slot_read(s) for s in await appointments.slots(sp, day=day, queue=queue)]


@router.post(
    "/service-points/{sp}/appointment-slots",
    status_code=201,
    response_model=SlotRead,
    dependencies=[SlotManager],  # type: ignore[list-item]
)
async def create_slot(sp: str, body: SlotCreate) -> SlotRead:
    """Open a bookable slot for a queue."""
    slot = await appointments.create_slot(
        sp, queue=body.queue, starts_at=body.starts_at, ends_at=body.ends_at, capacity=body.capacity
    )
    await slot.fetch_related("queue")
    return slot_read(slot)


@router.post("/appointments", status_code=201, response_model=AppointmentRead)
async def book(body: AppointmentCreate) -> AppointmentRead:
    """Book a place in a slot; the code is what the firm types at the kiosk."""
    booking = await appointments.book(
        body.slot_id, uscc=body.firm.uscc, firm_name=body.firm.name, matter_code=body.matter_code
    )
    await booking.fetch_related("slot__queue")
    return appointment_read(booking)


@router.post(
    "/service-points/{sp}/appointments/{code}/check-in",
    status_code=201,
    response_model=TicketCreated,
)
async def check_in(sp: str, code: str, kiosk: KioskDevice) -> TicketCreated:
    """Check a booked firm in at the kiosk: a ticket with appointment priority."""
    return ticket_created(await appointments.check_in(sp, code, principal=kiosk))
