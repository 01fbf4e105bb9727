"""The officials' pages: ratings, waivers and spot checks, models, appeals, catalogue,
messages to firms.

Every page is behind the officials' gate, set once on the routers here.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from kiosk_ui.pages.officials import (
    appeals,
    catalogue,
    dashboard,
    messages,
    model_versions,
    overdue,
    ratings,
    report,
    waivers,
)
from kiosk_ui.pages.officials.common import official

router = APIRouter()
router.include_router(catalogue.router, prefix="/officials")  # gated by its own router
for area in (dashboard, ratings, waivers, model_versions, appeals, overdue, messages, report):
    router.include_router(area.router, prefix="/officials", dependencies=[Depends(official)])
