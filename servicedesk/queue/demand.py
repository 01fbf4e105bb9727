"""Tickets taken as demand for the catalogue's ranking."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import cast

from servicedesk.catalogue.models import ServicePoint
from servicedesk.queue.models import Ticket


async def tickets_per_matter(point: ServicePoint, /, *, since: datetime) -> Counter[int]:
    """Tickets for a matter taken at ``point`` since ``since``, per matter id.

    A transfer continues the visit it came from and a cancelled ticket was never
    served, so neither counts.
    """
    rows = (
        await Ticket.filter(
            service_point=point,
            taken_at__gte=since,
            matter_id__isnull=False,
            transferred_from_id__isnull=True,
        )
        .exclude(status="cancelled")
        .values_list("matter_id", flat=True)
    )
    return Counter(int(cast(int, r)) for r in rows)
