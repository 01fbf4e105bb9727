"""What cases need from the waiver rules, which sit above cases in the layering.

A recommendation is checked when a case is submitted, and the on-site inspection is
decided when it is accepted (by a clerk or deemed). The exemptions domain provides both;
the composition root plugs them in with :func:`install`. Until then every call fails:
a case must never be accepted with the waiver rules silently skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from servicedesk.cases.models import Case


class InspectionDecision(Protocol):
    inspection: str  # required / waived / spot_check / not_applicable
    reasons: list[dict[str, Any]]
    spot_check_id: int | None


class CheckRecommendation(Protocol):
    """At submission: the recommendation names this firm and matter and is unused."""

    async def __call__(self, rec_id: int, /, *, uscc: str, matter_code: str) -> None: ...


class FindRecommendation(Protocol):
    """The id of the recommendation with a slip code, or None."""

    async def __call__(self, code: str, /) -> int | None: ...


class DecideInspection(Protocol):
    """At acceptance, inside its transaction: whether the case needs an inspection."""

    async def __call__(self, *, case: Case, actor: str) -> InspectionDecision: ...


@dataclass
class _Ports:
    check_recommendation: CheckRecommendation | None = None
    decide_inspection: DecideInspection | None = None
    find_recommendation: FindRecommendation | None = None


_ports = _Ports()


def install(
    *,
    check_recommendation: CheckRecommendation,
    decide_inspection: DecideInspection,
    find_recommendation: FindRecommendation | None = None,
) -> None:
    """Plug in the waiver rules; installing the same functions again changes nothing."""
    _ports.check_recommendation = check_recommendation
    _ports.decide_inspection = decide_inspection
    _ports.find_recommendation = find_recommendation


def _missing(name: str) -> RuntimeError:
    return RuntimeError(
        f"cases port {name!r} is not installed: call servicedesk.wiring.install() "
        "before using the cases services"
    )


async def check_recommendation(rec_id: int, *, uscc: str, matter_code: str) -> None:
    if _ports.check_recommendation is None:
        raise _missing("check_recommendation")
    await _ports.check_recommendation(rec_id, uscc=uscc, matter_code=matter_code)


async def decide_inspection(*, case: Case, actor: str) -> InspectionDecision:
    if _ports.decide_inspection is None:
        raise _missing("decide_inspection")
    return await _ports.decide_inspection(case=case, actor=actor)


async def find_recommendation(code: str) -> int | None:
    if _ports.find_recommendation is None:
        raise _missing("find_recommendation")
    return await _ports.find_recommendation(code)
