"""Applications as demand for the catalogue's ranking."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import cast

from servicedesk.cases.models import Case
from servicedesk.catalogue.models import ServicePoint


async def cases_per_matter(point: ServicePoint, /, *, since: datetime) -> Counter[int]:
    """Cases received at ``point`` since ``since``, per matter id."""
    rows = await Case.filter(service_point=point, received_at__gte=since).values_list(
        "matter_id", flat=True
    )
    return Counter(int(cast(int, r)) for r in rows)
