from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from servicedesk.accounts.models import KioskDevice, User
    from servicedesk.catalogue.models import Matter, Queue, ServicePoint, Window


class Priority(StrEnum):
    NORMAL = "normal"
    APPOINTMENT = "appointment"
    GREEN = "green"


# Appointment check-ins and the green channel go first, then by time taken.
RANK = {Priority.GREEN: 0, Priority.APPOINTMENT: 0, Priority.NORMAL: 1}


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    TRANSFERRED = "transferred"
    CANCELLED = "cancelled"


class Ticket(Model):
    """A queue number taken at a kiosk and called at a window."""

    id = fields.IntField(primary_key=True)
    service_point: fields.ForeignKeyRelation[ServicePoint] = fields.ForeignKeyField(
        "models.ServicePoint", related_name="tickets", on_delete=fields.CASCADE
    )
    service_point_id: int
    queue: fields.ForeignKeyRelation[Queue] = fields.ForeignKeyField(
        "models.Queue", related_name="tickets", on_delete=fields.RESTRICT
    )
    queue_id: int
    matter: fields.ForeignKeyNullableRelation[Matter] = fields.ForeignKeyField(
        "models.Matter", related_name="tickets", null=True, on_delete=fields.SET_NULL
    )
    matter_id: int | None
    day = fields.DateField()
    ticket_no = fields.CharField(max_length=16)
    # The number within the issuing queue and day (5 for A005). NULL on the onward row
    # of a transfer, which keeps the number it was issued with in another queue.
    seq = fields.IntField(null=True)
    priority = fields.CharEnumField(Priority, max_length=16, default=Priority.NORMAL)
    rank = fields.SmallIntField(default=1)
    status = fields.CharEnumField(TicketStatus, max_length=16, default=TicketStatus.WAITING)
    taken_at = fields.DatetimeField()
    called_at = fields.DatetimeField(null=True)
    served_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    window: fields.ForeignKeyNullableRelation[Window] = fields.ForeignKeyField(
        "models.Window", related_name="tickets", null=True, on_delete=fields.SET_NULL
    )
    window_id: int | None
    # The window id while the ticket is called or serving, NULL otherwise: the unique
    # constraint lets the database refuse a second open ticket at one window.
    holding_window = fields.IntField(null=True, unique=True)
    # The clerk who called it: service statistics per clerk.
    clerk: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="called_tickets", null=True, on_delete=fields.SET_NULL
    )
    clerk_id: int | None
    recalls = fields.SmallIntField(default=0)
    kiosk: fields.ForeignKeyNullableRelation[KioskDevice] = fields.ForeignKeyField(
        "models.KioskDevice", related_name="tickets", null=True, on_delete=fields.SET_NULL
    )
    kiosk_id: int | None
    code = fields.CharField(max_length=24, unique=True)
    transferred_from: fields.ForeignKeyNullableRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="transfers", null=True, on_delete=fields.SET_NULL
    )
    transferred_from_id: int | None
    case_no = fields.CharField(max_length=48, null=True)

    class Meta:
        table = "tickets"
        indexes = (
            ("queue_id", "status", "rank", "taken_at"),
            ("service_point_id", "taken_at"),
            # Call-next walks the waiting tickets in calling order and stops at the first
            # of the window's queues, however many wait.
            ("status", "rank", "taken_at", "id"),
            ("day", "service_point_id"),
        )
        unique_together = (("queue", "day", "seq"),)


def ticket_db_value(field: str, value: Any) -> Any:
    """``value`` as the ORM stores it in ``tickets.<field>``, for hand-written SQL
    (instants in UTC, so they compare as the ORM's own do on SQLite's text)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UTC)
    return Ticket._meta.fields_map[field].to_db_value(value, Ticket)


class QueueTally(Model):
    """How many tickets wait in a queue, kept as tickets move (in the same statement or
    transaction as each move), so a new ticket's place is read, not counted."""

    id = fields.IntField(primary_key=True)
    queue: fields.OneToOneRelation[Queue] = fields.OneToOneField(
        "models.Queue", related_name="tally", on_delete=fields.CASCADE
    )
    queue_id: int
    # Waiting tickets of rank 0 (green channel, appointments) and of rank 1 (normal).
    priority_waiting = fields.IntField(default=0)
    normal_waiting = fields.IntField(default=0)

    class Meta:
        table = "queue_tallies"


class TicketCall(Model):
    """One call (or recall) of a ticket at a window, as the display board shows it."""

    id = fields.IntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="calls", on_delete=fields.CASCADE
    )
    ticket_id: int
    service_point: fields.ForeignKeyRelation[ServicePoint] = fields.ForeignKeyField(
        "models.ServicePoint", related_name="ticket_calls", on_delete=fields.CASCADE
    )
    service_point_id: int
    window: fields.ForeignKeyRelation[Window] = fields.ForeignKeyField(
        "models.Window", related_name="calls", on_delete=fields.CASCADE
    )
    window_id: int
    ticket_no = fields.CharField(max_length=16)
    window_code = fields.CharField(max_length=32)
    called_at = fields.DatetimeField()
    recall = fields.BooleanField(default=False)

    class Meta:
        table = "ticket_calls"
        indexes = (("service_point_id", "called_at"),)


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    MISSED = "missed"
    CANCELLED = "cancelled"


class AppointmentSlot(Model):
    """A bookable period of one queue, with a capacity the database enforces."""

    id = fields.IntField(primary_key=True)
    queue: fields.ForeignKeyRelation[Queue] = fields.ForeignKeyField(
        "models.Queue", related_name="slots", on_delete=fields.CASCADE
    )
    queue_id: int
    day = fields.DateField()
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    capacity = fields.SmallIntField()
    booked = fields.SmallIntField(default=0)

    class Meta:
        table = "appointment_slots"
        unique_together = (("queue", "starts_at"),)


class Appointment(Model):
    """A firm's booking of a slot, checked in at the kiosk for a priority ticket."""

    id = fields.IntField(primary_key=True)
    slot: fields.ForeignKeyRelation[AppointmentSlot] = fields.ForeignKeyField(
        "models.AppointmentSlot", related_name="appointments", on_delete=fields.CASCADE
    )
    slot_id: int
    code = fields.CharField(max_length=16, unique=True)
    # The secret of the cancel link on the firm's confirmation.
    cancel_token = fields.CharField(max_length=32, null=True, unique=True)
    uscc = fields.CharField(max_length=18, db_index=True)
    firm_name = fields.CharField(max_length=200)
    matter: fields.ForeignKeyNullableRelation[Matter] = fields.ForeignKeyField(
        "models.Matter", related_name="appointments", null=True, on_delete=fields.SET_NULL
    )
    matter_id: int | None
    status = fields.CharEnumField(
        AppointmentStatus, max_length=16, default=AppointmentStatus.BOOKED
    )
    booked_at = fields.DatetimeField()
    checked_in_at = fields.DatetimeField(null=True)
    cancelled_at = fields.DatetimeField(null=True)
    ticket: fields.ForeignKeyNullableRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="appointments", null=True, on_delete=fields.SET_NULL
    )
    ticket_id: int | None

    class Meta:
        table = "appointments"
