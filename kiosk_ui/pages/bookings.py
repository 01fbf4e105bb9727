"""Appointments for people: firms book and cancel (web and kiosk); clerks manage the
slots of their own point."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.pages.clerk_cases import ClerkPage, _point_code
from kiosk_ui.web import form_int, posted_form, redirect, render
from servicedesk.catalogue import service as catalogue
from servicedesk.errors import InvalidInput, ServiceDeskError
from servicedesk.queue import appointments
from servicedesk.timeutil import BEIJING, today

router = APIRouter()


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw) if raw else today()
    except ValueError:
        raise InvalidInput(f"{raw!r} is not a date (YYYY-MM-DD)", extra={"field": "day"}) from None


async def _booking_page(
    request: Request,
    sp: str,
    day: date,
    *,
    error: str = "",
    status_code: int = 200,
    values: dict[str, str] | None = None,
) -> Response:
    points = await catalogue.list_points()
    sp = sp or (points[0].code if points else "")
    return render(
        request,
        "bookings.html",
        status_code=status_code,
        points=points,
        sp=sp,
        day=day,
        next_days=[today() + timedelta(days=i) for i in range(7)],
        slots=await appointments.slots(sp, day=day) if sp else [],
        entries=await catalogue.catalogue(sp) if sp else [],
        error=error,
        values=values or {},
    )


@router.get("/appointments", response_class=HTMLResponse)
async def booking_form(request: Request, sp: str = "", day: str = "") -> Response:
    """Pick a point, a day and a free slot; the firm is known by its USCC."""
    return await _booking_page(request, sp, _day(day))


@router.post("/appointments", response_class=HTMLResponse)
async def book(request: Request) -> Response:
    """Book; the confirmation shows the check-in code and the cancel link."""
    form = await posted_form(request)
    values = {k: form.text(k) for k in ("sp", "day", "uscc", "firm_name", "matter_code")}
    try:
        booking = await appointments.book(
            form_int(form.text("slot_id"), field="slot_id"),
            uscc=values["uscc"],
            firm_name=values["firm_name"],
            matter_code=values["matter_code"] or None,
        )
    except ServiceDeskError as exc:
        return await _booking_page(
            request,
            values["sp"],
            _day(values["day"]),
            error=exc.detail,
            status_code=exc.status_code,
            values=values,
        )
    return render(request, "booking_done.html", booking=booking)


@router.get("/appointments/cancel/{token}", response_class=HTMLResponse)
async def cancel_form(request: Request, token: str) -> Response:
    """The cancel link: confirm before cancelling."""
    return render(request, "booking_cancel.html", token=token, cancelled=None)


@router.post("/appointments/cancel/{token}", response_class=HTMLResponse)
async def cancel(request: Request, token: str) -> Response:
    """Cancel the booking; its place is freed for others."""
    await posted_form(request)
    return render(
        request, "booking_cancel.html", token=token, cancelled=await appointments.cancel(token)
    )


# ---------------------------------------------------------------- the clerk's slots


@router.get("/clerk/slots", response_class=HTMLResponse)
async def slot_page(request: Request, clerk: ClerkPage, day: str = "") -> Response:
    """The slots of the clerk's own point for a day, with their bookings."""
    sp = await _point_code(clerk)
    when = _day(day)
    slots = await appointments.slots(sp, day=when)
    bookings = {s.id: await appointments.bookings_of_slot(s.id, clerk) for s in slots}
    point = await catalogue.point_detail(sp)
    return render(
        request,
        "clerk_slots.html",
        principal=clerk,
        sp=sp,
        day=when,
        slots=slots,
        bookings=bookings,
        queues=catalogue.live_queues(point),
    )


def _at(day: str, clock: str) -> datetime:
    try:
        return datetime.combine(
            date.fromisoformat(day), datetime.strptime(clock, "%H:%M").time(), BEIJING
        )
    except ValueError:
        raise InvalidInput("give the day as YYYY-MM-DD and times as HH:MM") from None


@router.post("/clerk/slots")
async def create_slot(request: Request, clerk: ClerkPage) -> Response:
    """Open a slot at the clerk's own point."""
    form = await posted_form(request)
    sp = await _point_code(clerk)
    await appointments.create_slot(
        sp,
        queue=form.text("queue"),
        starts_at=_at(form.text("day"), form.text("start")),
        ends_at=_at(form.text("day"), form.text("end")),
        capacity=form_int(form.text("capacity"), field="capacity"),
        principal=clerk,
    )
    return redirect(f"/clerk/slots?day={form.text('day')}")


@router.post("/clerk/slots/{slot_id}/close")
async def close_slot(request: Request, clerk: ClerkPage, slot_id: int) -> Response:
    """Take no more bookings in the slot."""
    await posted_form(request)
    slot = await appointments.close_slot(slot_id, clerk)
    return redirect(f"/clerk/slots?day={slot.day}")
