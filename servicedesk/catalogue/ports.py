"""Recent demand for the catalogue's ranking, counted by the domains that see it.

Applications and tickets live in domains above the catalogue; each provides a
counter and the composition root plugs them in with :func:`install`. Until then
ranking fails: a catalogue silently ranked without demand would look plausible.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from servicedesk.catalogue.models import ServicePoint


class DemandCounter(Protocol):
    """How often each matter (by id) was asked for at ``point`` since ``since``."""

    async def __call__(self, point: ServicePoint, /, *, since: datetime) -> Counter[int]: ...


_counters: list[DemandCounter] = []


def install(counters: Iterable[DemandCounter]) -> None:
    """Replace the demand counters; installing the same ones again changes nothing."""
    _counters[:] = list(counters)


async def count_demand(point: ServicePoint, *, since: datetime) -> Counter[int]:
    """The sum of every installed counter."""
    if not _counters:
        raise RuntimeError(
            "catalogue port 'demand' is not installed: call servicedesk.wiring.install() "
            "before ranking a catalogue"
        )
    total: Counter[int] = Counter()
    for counter in _counters:
        total.update(await counter(point, since=since))
    return total
