"""Appointments: slots with a capacity, booking, kiosk check-in, missed bookings.

The capacity is enforced by a conditional ``UPDATE … SET booked = booked + 1
WHERE booked < capacity``; a booking not checked in within the grace period after
its slot starts is marked missed and gives its place back to the slot.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from servicedesk import locks
from servicedesk.accounts.service import Principal
from servicedesk.audit import service as audit
from servicedesk.catalogue.models import Matter, Queue, ServicePoint, ServicePointMatter
from servicedesk.errors import Conflict, Forbidden, InvalidInput, NotFound
from servicedesk.firms import service as firms
from servicedesk.notifications import contacts
from servicedesk.notifications.contacts import firm_holder
from servicedesk.notifications.schemas import ContactIn
from servicedesk.queue import issuing
from servicedesk.queue.config import get_queue_settings
from servicedesk.queue.models import (
    Appointment,
    AppointmentSlot,
    AppointmentStatus,
    Priority,
)
from servicedesk.queue.service import TicketView, check_point
from servicedesk.timeutil import BEIJING, beijing_date, now

A = AppointmentStatus
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L on a touch keypad


async def _point(code: str) -> ServicePoint:
    point = await ServicePoint.get_or_none(code=code)
    if point is None:
        raise NotFound(f"service point {code!r} does not exist")
    return point


async def create_slot(
    service_point: str,
    *,
    queue: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    principal: Principal | None = None,
) -> AppointmentSlot:
    """Open a bookable period of a queue (a clerk: only at their own point)."""
    point = await _point(service_point)
    if principal is not None:
        check_point(principal, point.id)
    target = await Queue.get_or_none(service_point=point, code=queue)
    if target is None:
        raise InvalidInput(
            f"queue {queue!r} does not exist at {point.code}", extra={"field": "queue"}
        )
    if ends_at <= starts_at or capacity < 1:
        raise InvalidInput("a slot needs ends_at after starts_at and a capacity of at least 1")
    if await AppointmentSlot.exists(queue=target, starts_at=starts_at):
        raise Conflict("this queue already has a slot starting then")
    return await AppointmentSlot.create(
        queue=target,
        day=beijing_date(starts_at),
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
    )


async def release_missed(point: ServicePoint | None = None) -> int:
    """Mark bookings past their grace period as missed and free their places."""
    grace = timedelta(minutes=get_queue_settings().appointment_grace_minutes)
    query = Appointment.filter(status=A.BOOKED, slot__starts_at__lt=now() - grace)
    if point is not None:
        query = query.filter(slot__queue__service_point=point)
    released = 0
    for booking in await query:
        async with in_transaction():
            if await Appointment.filter(id=booking.id, status=A.BOOKED).update(status=A.MISSED):
                await AppointmentSlot.filter(id=booking.slot_id).update(booked=F("booked") - 1)
                released += 1
    return released


async def slots(
    service_point: str, *, day: date | None = None, queue: str | None = None
) -> list[AppointmentSlot]:
    """Slots of a day (default today) with their remaining capacity."""
    point = await _point(service_point)
    await release_missed(point)
    query = AppointmentSlot.filter(queue__service_point=point, day=day or beijing_date())
    if queue:
        query = query.filter(queue__code=queue)
    return await query.order_by("starts_at", "queue_id").select_related("queue")


def _code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


async def _check_firm_limits(uscc: str, *, matter_id: int | None, day: date) -> None:
    """One open booking per firm and matter; at most N bookings per firm and day."""
    if matter_id is not None and await Appointment.exists(
        uscc=uscc, matter_id=matter_id, status=A.BOOKED
    ):
        raise Conflict(
            "this firm already holds an open booking for this matter; cancel it first",
            extra={"field": "matter_code"},
        )
    limit = get_queue_settings().bookings_per_firm_per_day
    held = await Appointment.filter(
        uscc=uscc, slot__day=day, status__in=[A.BOOKED, A.CHECKED_IN]
    ).count()
    if held >= limit:
        raise Conflict(f"a firm may hold at most {limit} bookings per day")


async def _offered_matter(slot: AppointmentSlot, matter_code: str | None) -> Matter | None:
    if not matter_code:
        return None
    offering = await ServicePointMatter.get_or_none(
        service_point_id=slot.queue.service_point_id, matter__code=matter_code, hidden=False
    ).select_related("matter")
    if offering is None:
        raise InvalidInput(
            f"matter {matter_code!r} is not offered here", extra={"field": "matter_code"}
        )
    return offering.matter


async def book(
    slot_id: int,
    *,
    uscc: str,
    firm_name: str = "",
    matter_code: str | None = None,
    contact: ContactIn | None = None,
) -> Appointment:
    """Book a place in a slot, if one is free; returns the booking with its codes."""
    await release_missed()
    slot = await AppointmentSlot.get_or_none(id=slot_id).select_related("queue")
    if slot is None:
        raise NotFound(f"appointment slot {slot_id} does not exist")
    if slot.ends_at <= now():
        raise Conflict("this slot is over")
    clean = firms.validate_uscc(uscc)
    name = firm_name.strip() or await firms.registered_name(clean)
    if not name:
        raise InvalidInput(
            "firm name: this USCC is not registered yet; give the firm's name",
            extra={"field": "firm.name"},
        )
    matter = await _offered_matter(slot, matter_code)
    async with in_transaction() as connection:
        await locks.hold(connection, f"bookings:{clean}")  # the firm's limits, one at a time
        await _check_firm_limits(clean, matter_id=matter.id if matter else None, day=slot.day)
        taken = await AppointmentSlot.filter(id=slot.id, booked__lt=F("capacity")).update(
            booked=F("booked") + 1
        )
        if not taken:
            raise Conflict("this slot is fully booked")
        booking = await Appointment.create(
            slot=slot,
            code=_code(),
            cancel_token=secrets.token_urlsafe(16),
            uscc=clean,
            firm_name=name,
            matter=matter,
            booked_at=now(),
        )
        await audit.record(
            "appointment.book",
            actor="firm",
            entity="appointment",
            entity_id=booking.id,
            after={"slot": slot.id, "uscc": clean, "matter": matter_code},
        )
        await contacts.remember(firm_holder(clean), contact, actor="firm")
    return await Appointment.get(id=booking.id).select_related("slot__queue", "matter")


async def cancel(token: str) -> Appointment:
    """The firm cancels with the secret of its confirmation; the place is freed."""
    booking = await Appointment.get_or_none(cancel_token=token).select_related("slot__queue")
    if booking is None:
        raise NotFound("no booking with this cancel link")
    async with in_transaction():
        if await Appointment.filter(id=booking.id, status=A.BOOKED).update(
            status=A.CANCELLED, cancelled_at=now()
        ):
            await AppointmentSlot.filter(id=booking.slot_id).update(booked=F("booked") - 1)
            await audit.record(
                "appointment.cancel",
                actor="firm",
                entity="appointment",
                entity_id=booking.id,
                before={"status": "booked"},
                after={"status": "cancelled"},
            )
        elif booking.status is not A.CANCELLED:
            raise Conflict(f"this appointment is {booking.status.value}")
    return await Appointment.get(id=booking.id).select_related("slot__queue", "matter")


async def bookings_of_slot(slot_id: int, principal: Principal) -> list[Appointment]:
    """A slot's bookings, for a clerk of its point."""
    slot = await AppointmentSlot.get_or_none(id=slot_id).select_related("queue")
    if slot is None:
        raise NotFound(f"appointment slot {slot_id} does not exist")
    check_point(principal, slot.queue.service_point_id)
    return await Appointment.filter(slot=slot).order_by("booked_at").select_related("matter")


async def close_slot(slot_id: int, principal: Principal) -> AppointmentSlot:
    """No more bookings: the capacity shrinks to what is booked."""
    slot = await AppointmentSlot.get_or_none(id=slot_id).select_related("queue")
    if slot is None:
        raise NotFound(f"appointment slot {slot_id} does not exist")
    check_point(principal, slot.queue.service_point_id)
    await AppointmentSlot.filter(id=slot_id).update(capacity=F("booked"))
    return await AppointmentSlot.get(id=slot_id).select_related("queue")


async def check_in(service_point: str, code: str, *, principal: Principal) -> TicketView:
    """At the kiosk: a booked firm gets a priority ticket in its slot's queue."""
    point = await _point(service_point)
    if principal.service_point_id != point.id:
        raise Forbidden("this kiosk is not at that service point")
    await release_missed(point)
    booking = await Appointment.get_or_none(
        code=code.strip().upper(), slot__queue__service_point=point
    ).select_related("slot__queue", "matter")
    if booking is None:
        raise NotFound("no appointment with this code at this service point")
    if booking.status is not A.BOOKED:
        raise Conflict(f"this appointment is {booking.status.value}")
    opens = booking.slot.starts_at - timedelta(minutes=get_queue_settings().checkin_early_minutes)
    if now() < opens:
        raise Conflict(f"check-in opens at {opens.astimezone(BEIJING):%H:%M}")
    queue = booking.slot.queue
    async with in_transaction():
        if not await Appointment.filter(id=booking.id, status=A.BOOKED).update(
            status=A.CHECKED_IN, checked_in_at=now()
        ):
            raise Conflict("this appointment was just checked in")
        issued = await issuing.issue_counted(  # boards and consoles hear of it
            issuing.Source.queue(queue.id, booking.matter.id if booking.matter else None),
            priority=Priority.APPOINTMENT,
            kiosk_id=principal.kiosk.id if principal.kiosk else None,
        )
        if issued is None:  # the queue was just deleted
            raise Conflict("this appointment's queue no longer exists")
        await Appointment.filter(id=booking.id).update(ticket=issued.ticket)
    return await issued.view()
