"""Messages the worker's clock sends about the queue: tomorrow's appointments, and a
number about to be called. Each goes once (keyed by the booking or the ticket)."""

from __future__ import annotations

from datetime import timedelta

from servicedesk.notifications import outbox
from servicedesk.notifications.contacts import consenting, consenting_tickets, firm_holder
from servicedesk.queue.config import get_queue_settings
from servicedesk.queue.estimate import estimate
from servicedesk.queue.models import Appointment, AppointmentStatus, Ticket, TicketStatus
from servicedesk.timeutil import BEIJING, today


async def appointments_tomorrow() -> int:
    """Remind firms booked for tomorrow (Beijing); how many bookings were reminded."""
    day = today() + timedelta(days=1)
    bookings = await Appointment.filter(
        status=AppointmentStatus.BOOKED, slot__day=day
    ).prefetch_related("slot__queue__service_point", "matter")
    holders = await consenting([firm_holder(b.uscc) for b in bookings])
    grace = get_queue_settings().appointment_grace_minutes
    count = 0
    for booking in bookings:
        if firm_holder(booking.uscc) not in holders:
            continue
        point = booking.slot.queue.service_point
        matter = booking.matter
        await outbox.enqueue(
            firm_holder(booking.uscc),
            template="appointment_tomorrow",
            event_key=f"appointment:{booking.id}:tomorrow",
            params={
                "firm": booking.firm_name,
                "point": {"zh": point.name, "en": point.name_en},
                "date": day.isoformat(),
                "time": f"{booking.slot.starts_at.astimezone(BEIJING):%H:%M}",
                "code": booking.code,
                "matter": {"zh": matter.name, "en": matter.name_en} if matter else "",
                "grace": grace,
            },
            service_point_id=point.id,
        )
        count += 1
    return count


async def close_to_call(ahead: int) -> int:
    """Tell holders of today's waiting numbers with at most ``ahead`` tickets before
    them; how many were told."""
    ids = await consenting_tickets()
    if not ids:
        return 0
    tickets = await Ticket.filter(
        id__in=ids, status=TicketStatus.WAITING, day=today()
    ).prefetch_related("service_point", "queue")
    count = 0
    for ticket in tickets:
        before = (await estimate(ticket)).ahead
        if before > ahead:
            continue
        point = ticket.service_point
        await outbox.enqueue(
            f"ticket:{ticket.id}",
            template="close_to_call",
            event_key=f"ticket:{ticket.id}:close",
            params={
                "point": {"zh": point.name, "en": point.name_en},
                "ticket_no": ticket.ticket_no,
                "ahead": before,
            },
            service_point_id=point.id,
        )
        count += 1
    return count
