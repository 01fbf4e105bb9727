from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from servicedesk.bounds import Body, Code, DbId, Name, UsccText
from servicedesk.notifications.schemas import ContactIn
from servicedesk.queue.models import Appointment, AppointmentSlot, Priority, TicketCall
from servicedesk.queue.service import TicketView


class TicketCreate(Body):
    matter_code: Code
    priority: Priority = Priority.NORMAL
    contact: ContactIn | None = None


class TransferIn(Body):
    queue: Annotated[Code, Field(max_length=4)]


class TicketRead(BaseModel):
    id: int
    ticket_no: str
    queue: str
    status: str
    priority: str
    position: int | None
    estimated_wait_minutes: int | None
    window: str | None
    taken_at: datetime
    called_at: datetime | None
    recalls: int
    case_no: str | None
    transferred_from: int | None
    transferred_to: int | None


def _read_fields(v: TicketView) -> dict[str, Any]:
    t = v.ticket
    return {
        "id": t.id,
        "ticket_no": t.ticket_no,
        "queue": v.queue,
        "status": t.status.value,
        "priority": t.priority.value,
        "position": v.estimate.position if v.estimate else None,
        "estimated_wait_minutes": v.estimate.minutes if v.estimate else None,
        "window": v.window,
        "taken_at": t.taken_at,
        "called_at": t.called_at,
        "recalls": t.recalls,
        "case_no": t.case_no,
        "transferred_from": t.transferred_from_id,
        "transferred_to": v.transferred_to,
    }


def ticket_read(v: TicketView) -> TicketRead:
    return TicketRead(**_read_fields(v))


class TicketCreated(TicketRead):
    """The kiosk's answer to taking a number: the ticket and the holder's secret."""

    receipt_code: str  # behind the receipt's QR: the holder's status page and rating


def ticket_created(v: TicketView) -> TicketCreated:
    return TicketCreated(**_read_fields(v), receipt_code=v.ticket.code)


class CallRead(BaseModel):
    ticket_no: str
    window: str
    window_name: str
    called_at: datetime


class BoardRead(BaseModel):
    recent_calls: list[CallRead]
    now_calling: list[CallRead]


def call_read(c: TicketCall) -> CallRead:
    return CallRead(
        ticket_no=c.ticket_no,
        window=c.window_code,
        window_name=c.window.name or c.window_code,
        called_at=c.called_at,
    )


class QueueCounts(BaseModel):
    waiting: dict[str, int]


class SlotCreate(Body):
    queue: Annotated[Code, Field(max_length=4)]
    starts_at: datetime
    ends_at: datetime
    capacity: int = Field(ge=1, le=500)


class SlotRead(BaseModel):
    id: int
    queue: str
    day: date
    starts_at: datetime
    ends_at: datetime
    capacity: int
    booked: int
    available: int


def slot_read(s: AppointmentSlot) -> SlotRead:
    return SlotRead(
        id=s.id,
        queue=s.queue.code,
        day=s.day,
        starts_at=s.starts_at,
        ends_at=s.ends_at,
        capacity=s.capacity,
        booked=s.booked,
        available=max(s.capacity - s.booked, 0),
    )


class FirmRef(Body):
    uscc: UsccText
    name: Name = ""


class AppointmentCreate(Body):
    slot_id: DbId
    firm: FirmRef
    matter_code: Code | None = None
    contact: ContactIn | None = None


class AppointmentRead(BaseModel):
    code: str
    cancel_token: str | None = None
    status: str
    slot_id: int
    starts_at: datetime
    ends_at: datetime
    queue: str
    uscc: str


def appointment_read(a: Appointment) -> AppointmentRead:
    return AppointmentRead(
        code=a.code,
        cancel_token=a.cancel_token,
        status=a.status.value,
        slot_id=a.slot.id,
        starts_at=a.slot.starts_at,
        ends_at=a.slot.ends_at,
        queue=a.slot.queue.code,
        uscc=a.uscc,
    )
