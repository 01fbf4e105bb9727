"""Who may call each route: the tables that the authorization test walks and the OpenAPI
schema documents (which 401/403/404/409/429 answers a route can give).

A route missing here fails ``tests/security/test_authorization.py``: declaring who may
call a new route is part of writing it. The tables live by area in ``api`` and ``pages``.

Audiences, as the authorization test plays them: ``anonymous``; ``kiosk`` (a kiosk of
the point the request is about); ``clerk`` (a clerk of that point) and ``clerk_other``
(a clerk of another point); ``supervisor`` (the supervisor of that point) and
``supervisor_other``; ``official``; ``incubator`` (the operator of the incubator the
request is about) and ``incubator_other``; ``admin``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from servicedesk.access.api import ADMIN_API
from servicedesk.access.api import API as _API
from servicedesk.access.pages import ADMIN_PAGES
from servicedesk.access.pages import PAGES as _PAGES
from servicedesk.access.rules import (
    ADMIN,
    ANONYMOUS,
    AUDIENCES,
    CLERK,
    CLERK_OTHER,
    INCUBATOR,
    INCUBATOR_OTHER,
    KIOSK,
    OFFICIAL,
    OTHER_POINT,
    SUPERVISOR,
    SUPERVISOR_OTHER,
    Rule,
)

API: dict[str, Rule] = {**_API, **ADMIN_API}
PAGES: dict[str, Rule] = {**_PAGES, **ADMIN_PAGES}

__all__ = [
    "ADMIN",
    "ANONYMOUS",
    "API",
    "AUDIENCES",
    "CLERK",
    "CLERK_OTHER",
    "INCUBATOR",
    "INCUBATOR_OTHER",
    "KIOSK",
    "OFFICIAL",
    "OTHER_POINT",
    "PAGES",
    "SUPERVISOR",
    "SUPERVISOR_OTHER",
    "Rule",
    "routes",
    "rule_for",
]


def rule_for(method: str, path: str, *, api_prefix: str = "/api/v1") -> Rule | None:
    """The declared rule of a route (``path`` as the router spells it), or None."""
    if path.startswith(api_prefix + "/"):
        return API.get(f"{method} {path.removeprefix(api_prefix)}")
    return PAGES.get(f"{method} {path}")


def routes(app: Any) -> Iterator[tuple[str, str]]:
    """Every (method, path) the application answers, pages included, static files not."""
    seen: set[tuple[str, str]] = set()
    for route in _walk(app.routes):
        path, methods = getattr(route, "path", None), getattr(route, "methods", None)
        if not path or not methods or path.startswith("/static"):
            continue
        for method in sorted(set(methods) - {"HEAD", "OPTIONS"}):
            if (method, path) not in seen:
                seen.add((method, path))
                yield method, path


def _walk(routes: Iterable[Any]) -> Iterator[Any]:
    for route in routes:
        nested = getattr(route, "effective_candidates", None)
        if callable(nested):  # FastAPI's included router
            yield from _walk(nested())
        else:
            yield route
