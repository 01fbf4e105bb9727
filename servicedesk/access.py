"""Who may call each route: the one table that the authorization test walks and the
OpenAPI schema documents (which 401/403/404/409/429 answers a route can give).

A route missing here fails ``tests/security/test_authorization.py``: declaring who may
call a new route is part of writing it.

Audiences, as the authorization test plays them: ``anonymous``; ``kiosk`` (a kiosk of
the point the request is about); ``clerk`` (a clerk of that point) and ``clerk_other``
(a clerk of another point); ``official``; ``incubator`` (the operator of the incubator
the request is about) and ``incubator_other``; ``admin``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

ANONYMOUS, KIOSK, CLERK, CLERK_OTHER = "anonymous", "kiosk", "clerk", "clerk_other"
OFFICIAL, INCUBATOR, INCUBATOR_OTHER, ADMIN = "official", "incubator", "incubator_other", "admin"
AUDIENCES = (ANONYMOUS, KIOSK, CLERK, CLERK_OTHER, OFFICIAL, INCUBATOR, INCUBATOR_OTHER, ADMIN)
ANYONE = frozenset(AUDIENCES)
STAFF = frozenset({CLERK, CLERK_OTHER, OFFICIAL, INCUBATOR, INCUBATOR_OTHER, ADMIN})
OFFICIALS = frozenset({OFFICIAL, ADMIN})
CLERKS = frozenset({CLERK, ADMIN})  # a clerk of the point; an admin may act anywhere
CLERKS_ANYWHERE = frozenset({CLERK, CLERK_OTHER})
KIOSK_OR_CLERK = frozenset({KIOSK, CLERK, ADMIN})
INCUBATOR_ONLY = frozenset({INCUBATOR})  # the operator of the incubator in the path
INCUBATORS = frozenset({INCUBATOR, INCUBATOR_OTHER})  # each acting on its own incubator
OWN_INCUBATOR = frozenset({INCUBATOR, OFFICIAL, ADMIN})


@dataclass(frozen=True)
class Rule:
    """Who may call a route, and what else it may answer.

    ``hidden``: a refused caller gets 404 as for a missing thing, so that existence cannot
    be probed. ``limited``: a per-client or per-account limit may answer 429.
    ``reads_token``: the route looks at a bearer token even though anyone may call it.
    ``credentials``: the route checks a password or code and answers 401 when it is wrong.
    """

    allowed: frozenset[str]
    hidden: bool = False
    limited: bool = False
    reads_token: bool = False
    credentials: bool = False
    too_large: bool = False

    @property
    def public(self) -> bool:
        return ANONYMOUS in self.allowed


def _rule(allowed: Iterable[str], **flags: Any) -> Rule:
    return Rule(frozenset(allowed), **flags)


PUBLIC = _rule(ANYONE)
CASE_STEP = _rule(CLERKS, hidden=True)
FIRM_STEP = _rule(KIOSK_OR_CLERK, hidden=True)
TICKET_STEP = _rule(CLERKS)
OFFICIAL_ONLY = _rule(OFFICIALS)

API: dict[str, Rule] = {
    "POST /auth/token": _rule(ANYONE, limited=True, credentials=True),
    "GET /auth/me": _rule(STAFF),
    "POST /auth/revoke": _rule(STAFF | {KIOSK}),
    "POST /admin/users/{username}/unlock": _rule({ADMIN}),
    "GET /openapi.json": PUBLIC,
    "GET /docs": PUBLIC,
    "GET /service-points": PUBLIC,
    "GET /service-points/{sp}": PUBLIC,
    "GET /service-points/{sp}/matters": PUBLIC,
    "PATCH /service-points/{sp}/matters/{matter_code}": OFFICIAL_ONLY,
    "POST /cases": _rule(KIOSK_OR_CLERK),
    "GET /cases": _rule(CLERKS_ANYWHERE),
    "GET /cases/{case_no}": _rule(ANYONE, limited=True, reads_token=True),
    "POST /cases/{case_no}/accept": CASE_STEP,
    "POST /cases/{case_no}/return": CASE_STEP,
    "POST /cases/{case_no}/reject": CASE_STEP,
    "POST /cases/{case_no}/resubmit": FIRM_STEP,
    "POST /cases/{case_no}/supplement": FIRM_STEP,
    "POST /cases/{case_no}/withdraw": FIRM_STEP,
    "POST /cases/{case_no}/start-review": CASE_STEP,
    "POST /cases/{case_no}/approve": CASE_STEP,
    "POST /cases/{case_no}/issue-result": CASE_STEP,
    "POST /cases/{case_no}/close": CASE_STEP,
    "POST /cases/{case_no}/deny": CASE_STEP,
    "POST /service-points/{sp}/tickets": _rule({KIOSK}),
    "GET /service-points/{sp}/board": PUBLIC,
    "GET /service-points/{sp}/events": PUBLIC,
    "GET /service-points/{sp}/queues": _rule(CLERKS),
    "POST /windows/{window}/call-next": TICKET_STEP,
    "POST /tickets/{ticket_id}/recall": TICKET_STEP,
    "POST /tickets/{ticket_id}/start": TICKET_STEP,
    "POST /tickets/{ticket_id}/no-show": TICKET_STEP,
    "POST /tickets/{ticket_id}/complete": TICKET_STEP,
    "POST /tickets/{ticket_id}/transfer": TICKET_STEP,
    "POST /tickets/{ticket_id}/void": _rule({KIOSK}),
    "GET /tickets/status/{code}": PUBLIC,
    "GET /service-points/{sp}/appointment-slots": PUBLIC,
    "POST /service-points/{sp}/appointment-slots": _rule({CLERK, OFFICIAL, ADMIN}),
    "POST /appointments": _rule(ANYONE, limited=True),
    "POST /service-points/{sp}/appointments/{code}/check-in": _rule({KIOSK}),
    "GET /incubators": PUBLIC,
    "GET /incubators/{code}/rating": PUBLIC,
    "GET /incubators/{code}/firms": _rule(OWN_INCUBATOR),
    "GET /incubators/{code}/indicators": _rule(OWN_INCUBATOR),
    "POST /incubators/{code}/indicators": _rule(INCUBATOR_ONLY),
    "POST /incubators/{code}/indicators.csv": _rule(INCUBATOR_ONLY, too_large=True),
    "GET /rating-runs": OFFICIAL_ONLY,
    "POST /rating-runs": OFFICIAL_ONLY,
    "GET /rating-runs/{run_id}": OFFICIAL_ONLY,
    "POST /rating-runs/{run_id}/publish": OFFICIAL_ONLY,
    "POST /ratings/{rating_id}/review": OFFICIAL_ONLY,
    "POST /ratings/{rating_id}/confirm": OFFICIAL_ONLY,
    "GET /appeals": OFFICIAL_ONLY,
    "POST /appeals": _rule(INCUBATORS),
    "POST /appeals/{appeal_id}/confirm": OFFICIAL_ONLY,
    "POST /appeals/{appeal_id}/decide": OFFICIAL_ONLY,
    "GET /models": OFFICIAL_ONLY,
    "POST /models/train": OFFICIAL_ONLY,
    "POST /models/{version}/promote": OFFICIAL_ONLY,
    "GET /policy": OFFICIAL_ONLY,
    "POST /policy": OFFICIAL_ONLY,
    "GET /policy/versions": OFFICIAL_ONLY,
    "POST /policy/{version}/confirm": OFFICIAL_ONLY,
    "POST /policy/{version}/withdraw": OFFICIAL_ONLY,
    "POST /recommendations": _rule(INCUBATORS),
    "GET /recommendations": _rule({INCUBATOR, INCUBATOR_OTHER}),
    "POST /recommendations/{rec_id}/revoke": _rule(INCUBATOR_ONLY),
    "GET /suspensions": OFFICIAL_ONLY,
    "POST /suspensions/{suspension_id}/lift": OFFICIAL_ONLY,
    "POST /suspensions/{suspension_id}/confirm-lift": OFFICIAL_ONLY,
    "GET /spot-checks": OFFICIAL_ONLY,
    "POST /spot-checks/{check_id}/result": OFFICIAL_ONLY,
}

# Pages: a staff page sends a visitor who is not logged in to /login; a kiosk page needs
# an enrolled kiosk browser of its point.
KIOSK_PAGE = _rule({KIOSK})
CLERK_PAGE = _rule(CLERKS_ANYWHERE)  # each at their own point (an admin has none)
OFFICIAL_PAGE = _rule(OFFICIALS)
INCUBATOR_PAGE = _rule(INCUBATORS)

PAGES: dict[str, Rule] = {
    "GET /": PUBLIC,
    "GET /login": PUBLIC,
    "POST /login": _rule(ANYONE, limited=True),
    "POST /logout": PUBLIC,  # ends whatever session the browser has
    "GET /query": _rule(ANYONE, limited=True),
    "POST /query": _rule(ANYONE, limited=True),
    "GET /ticket/{code}": PUBLIC,
    "POST /ticket/{code}/cancel": PUBLIC,
    "GET /board/{sp}": PUBLIC,
    "GET /clerk": CLERK_PAGE,
    "GET /clerk/panel": CLERK_PAGE,
    "POST /clerk/window/{action}": CLERK_PAGE,
    "POST /clerk/window-release": CLERK_PAGE,
    "GET /clerk/cases": CLERK_PAGE,
    "GET /clerk/cases/{case_no}": _rule(CLERKS, hidden=True),
    "POST /clerk/cases/{case_no}/{action}": _rule(CLERKS, hidden=True),
    "GET /kiosk/{sp}/enrol": PUBLIC,  # the one-time code is the credential
    "POST /kiosk/{sp}/enrol": _rule(ANYONE, limited=True),
    "GET /kiosk/{sp}": KIOSK_PAGE,
    "GET /kiosk/{sp}/matters/{code}": KIOSK_PAGE,
    "POST /kiosk/{sp}/tickets": KIOSK_PAGE,
    "POST /kiosk/{sp}/void": KIOSK_PAGE,
    "GET /kiosk/{sp}/matters/{code}/apply": KIOSK_PAGE,
    "POST /kiosk/{sp}/cases": KIOSK_PAGE,
    "GET /kiosk/{sp}/check-in": KIOSK_PAGE,
    "POST /kiosk/{sp}/check-in": KIOSK_PAGE,
    "GET /kiosk/{sp}/query": KIOSK_PAGE,
    "POST /kiosk/{sp}/query": _rule({KIOSK}, limited=True),
    "GET /officials": OFFICIAL_PAGE,
    "GET /officials/catalogue": OFFICIAL_PAGE,
    "POST /officials/catalogue/{sp}/{matter_code}": OFFICIAL_PAGE,
    "GET /officials/incubators/{code}": OFFICIAL_PAGE,
    "GET /officials/export/{name}.csv": OFFICIAL_PAGE,
    "GET /officials/review": OFFICIAL_PAGE,
    "POST /officials/review/start": OFFICIAL_PAGE,
    "POST /officials/review/{run_id}/{action}": OFFICIAL_PAGE,
    "POST /officials/ratings/{rating_id}/{action}": OFFICIAL_PAGE,
    "GET /officials/spot-checks": OFFICIAL_PAGE,
    "POST /officials/spot-checks/{check_id}/result": OFFICIAL_PAGE,
    "POST /officials/suspensions/{suspension_id}/lift": OFFICIAL_PAGE,
    "POST /officials/suspensions/{suspension_id}/confirm-lift": OFFICIAL_PAGE,
    "GET /officials/policy": OFFICIAL_PAGE,
    "POST /officials/policy": OFFICIAL_PAGE,
    "POST /officials/policy/{version}/{action}": OFFICIAL_PAGE,
    "GET /officials/models": OFFICIAL_PAGE,
    "POST /officials/models/train": OFFICIAL_PAGE,
    "POST /officials/models/{version}/promote": OFFICIAL_PAGE,
    "GET /officials/appeals": OFFICIAL_PAGE,
    "POST /officials/appeals/{appeal_id}/decide": OFFICIAL_PAGE,
    "POST /officials/appeals/{appeal_id}/confirm": OFFICIAL_PAGE,
    "GET /incubator": INCUBATOR_PAGE,
    "POST /incubator/indicators": INCUBATOR_PAGE,
    "POST /incubator/indicators/upload": _rule(INCUBATORS, too_large=True),
    "POST /incubator/recommendations": INCUBATOR_PAGE,
    "POST /incubator/recommendations/{rec_id}/revoke": _rule(INCUBATOR_ONLY),
    "POST /incubator/appeals": INCUBATOR_PAGE,
    "GET /incubator/export/{name}.csv": INCUBATOR_PAGE,
}


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
