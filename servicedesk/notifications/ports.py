"""What the messages API needs from cases, which sit above notifications in the layering.

``GET /messages?case_no=…`` answers 404 for an unknown case and lets a clerk see
only the cases of their own service point; the cases domain says where a case
belongs. The composition root plugs it in with :func:`install`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

CasePoint = Callable[[str], Awaitable[int]]
"""The id of the case's service point; raises NotFound for an unknown case."""

_case_point: list[CasePoint] = []


def install(*, case_point: CasePoint) -> None:
    _case_point[:] = [case_point]


async def case_point(case_no: str) -> int:
    if not _case_point:
        raise RuntimeError(
            "notifications port 'case_point' is not installed: call servicedesk.wiring.install()"
        )
    return await _case_point[0](case_no)
