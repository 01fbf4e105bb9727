"""Demo queue data: a kiosk per service point, appointment slots, a morning's tickets.

The demo kiosk's token is derived from the secret key (``accounts.kiosks``), so a
development server can enrol a kiosk browser without anyone copying a token (see
docs/queue.md).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from servicedesk.accounts.kiosks import demo_kiosk_token
from servicedesk.accounts.models import KioskDevice
from servicedesk.accounts.service import Principal
from servicedesk.catalogue.models import Queue, ServicePoint
from servicedesk.queue import calls, issuing, transitions
from servicedesk.queue.models import AppointmentSlot
from servicedesk.settings import get_settings
from servicedesk.timeutil import BEIJING, beijing_date, frozen, now

DEMO_KIOSK_NAME = "demo kiosk"


async def seed_kiosks() -> None:
    secret = get_settings().secret_key
    for point in await ServicePoint.all():
        token = demo_kiosk_token(point.code, secret)
        digest = hashlib.sha256(token.encode()).hexdigest()
        await KioskDevice.get_or_create(
            token_hash=digest, defaults={"name": DEMO_KIOSK_NAME, "service_point": point}
        )


async def seed_slots(days: int = 3) -> None:
    """Half-hour slots, 9:00–11:30 and 14:00–16:30, for queue B, today and after."""
    first = beijing_date()
    for q in await Queue.filter(code="B"):
        for offset in range(days):
            day = first + timedelta(days=offset)
            for hour, minute in [(h, m) for h in (9, 10, 11, 14, 15, 16) for m in (0, 30)]:
                start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=BEIJING)
                await AppointmentSlot.get_or_create(
                    queue=q,
                    starts_at=start,
                    defaults={"day": day, "ends_at": start + timedelta(minutes=30), "capacity": 4},
                )


async def seed_morning(service_point: str = "HD-AI") -> None:
    """Some finished tickets from earlier today, so waits are estimated from data."""
    kiosk = await KioskDevice.filter(service_point__code=service_point).first()
    if kiosk is None:
        return
    principal = Principal(kiosk=kiosk)
    matters = ["HTE-CERT", "TECH-SME", "WORK-RES", "POLICY-DIST"]
    # The last two hours, but never before midnight: a ticket of yesterday would take a
    # number that the month of history (every day before today) numbers again.
    moment = now()
    day = beijing_date(moment)
    midnight = datetime(day.year, day.month, day.day, tzinfo=BEIJING)
    span = min(timedelta(hours=2), moment - midnight)
    start, minute = moment - span, span / 120  # a "minute" of the two hours, scaled
    from servicedesk.accounts.models import User

    clerk = Principal(user=await User.get(username="clerk-hd"))
    for i in range(8):
        with frozen(start + 9 * i * minute):
            await issuing.take(
                principal=principal,
                service_point=service_point,
                matter_code=matters[i % len(matters)],
            )
        window = f"{service_point}-W{1 + i % 3}"
        with frozen(start + (9 * i + 2) * minute):
            called = await calls.call_next(window, principal=clerk)
        if called is not None:
            with frozen(start + (9 * i + 9) * minute):
                await transitions.complete(called.ticket.id, principal=clerk)


async def seed_queue() -> None:
    await seed_kiosks()
    await seed_slots()
    await seed_morning()
