"""The administration pages (role admin): set a park up without writing code.

Every page is behind the administrators' gate, set once on the router here; the
pages call the same services as ``/api/v1/admin``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.pages.admin import catalogue, matters, people, points
from kiosk_ui.pages.admin.common import Admin, admin_gate, page
from servicedesk.admin import matters as matter_admin
from servicedesk.admin import people as people_admin
from servicedesk.catalogue import service as catalogue_service

router = APIRouter(prefix="/admin", dependencies=[Depends(admin_gate)])
for area in (points, matters, people, catalogue):
    router.include_router(area.router)


@router.get("", response_class=HTMLResponse)
async def home(request: Request, admin: Admin) -> Response:
    """The steps of setting a park up, each with how far it has got."""
    counts = {
        "incubators": len(await people_admin.list_incubators()),
        "points": len(await catalogue_service.list_points()),
        "matters": len(await matter_admin.list_matters(include_retired=False)),
        "users": len(await people_admin.list_users()),
        "kiosks": sum(1 for d, _ in await people_admin.list_kiosks() if not d.revoked),
    }
    return page(request, "admin_home.html", admin, counts=counts)
