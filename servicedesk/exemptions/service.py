"""The on-site inspection decision taken when a case is accepted (DESIGN §3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from servicedesk.catalogue.models import Matter


@dataclass
class InspectionDecision:
    inspection: str  # required / waived / spot_check / not_applicable
    reasons: list[dict[str, Any]] = field(default_factory=list)
    spot_check_id: int | None = None


async def decide(*, matter: Matter, recommendation_id: int | None) -> InspectionDecision:
    """Whether the accepted case needs an on-site inspection, with every reason."""
    if not matter.inspection_applies:
        return InspectionDecision(
            "not_applicable",
            [{"rule": "matter", "ok": True, "detail": "this matter has no on-site inspection"}],
        )
    if not matter.inspection_waivable:
        return InspectionDecision(
            "required",
            [{"rule": "matter_waivable", "ok": False,
              "detail": "this matter does not allow a recommendation to waive inspection"}],
        )
    if recommendation_id is None:
        return InspectionDecision(
            "required",
            [{"rule": "recommendation", "ok": False,
              "detail": "the case carries no incubator recommendation"}],
        )
    return InspectionDecision(
        "required",
        [{"rule": "rating", "ok": False,
          "detail": "no published incubator rating is available to waive inspection"}],
    )
