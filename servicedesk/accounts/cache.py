"""A small per-process memory of who a token belongs to.

Every request of a kiosk or a clerk carries the same token; remembering its owner for a
few seconds spares the database one query per request. Entries live at most ``seconds``
(so a change made by another worker is seen within that window), the memory holds at
most ``size`` tokens (a hall has a handful of kiosks and some dozens of clerks), and the
worker that revokes a token drops it at once.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from time import monotonic
from typing import Generic, TypeVar

V = TypeVar("V")


class TtlCache(Generic[V]):  # noqa: UP046 (Python 3.11)
    """Values by key for ``seconds`` each, at most ``size`` of them (oldest out first)."""

    def __init__(self, *, seconds: float, size: int) -> None:
        self.seconds = seconds
        self.size = size
        self._entries: OrderedDict[str, tuple[float, V]] = OrderedDict()

    def get(self, key: str) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= monotonic():
            del self._entries[key]
            return None
        return entry[1]

    def put(self, key: str, value: V) -> None:
        self._entries.pop(key, None)
        self._entries[key] = (monotonic() + self.seconds, value)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def drop(self, key: str) -> None:
        self._entries.pop(key, None)

    def drop_where(self, stale: Callable[[V], bool]) -> None:
        for key in [key for key, (_, value) in self._entries.items() if stale(value)]:
            del self._entries[key]

    def clear(self) -> None:
        self._entries.clear()
