"""Which of a matter's materials a case holds, lacks, or names."""

from __future__ import annotations

from collections.abc import Iterable

from servicedesk.cases.models import Case
from servicedesk.catalogue.models import Matter
from servicedesk.errors import InvalidInput


def missing(case: Case, *, core: bool) -> list[str]:
    present = set(case.materials)
    return [
        m.code
        for m in case.matter.materials
        if m.active and m.core == core and m.code not in present
    ]


def known_codes(matter: Matter, codes: Iterable[str], *, field: str) -> list[str]:
    """``codes`` without repeats, each checked against the matter's materials."""
    known = {m.code for m in matter.materials}
    unknown = sorted(set(codes) - known)
    if unknown:
        raise InvalidInput(
            f"{field}: {', '.join(unknown)} not among the materials of matter {matter.code} "
            f"({', '.join(sorted(known))})",
            extra={"field": field},
        )
    seen: list[str] = []
    for code in codes:
        if code not in seen:
            seen.append(code)
    return seen
