"""Audiences, the rule of a route, and the rules several routes share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

ANONYMOUS, KIOSK, CLERK, CLERK_OTHER = "anonymous", "kiosk", "clerk", "clerk_other"
SUPERVISOR, SUPERVISOR_OTHER = "supervisor", "supervisor_other"
OFFICIAL, INCUBATOR, INCUBATOR_OTHER, ADMIN = "official", "incubator", "incubator_other", "admin"
AUDIENCES = (
    ANONYMOUS,
    KIOSK,
    CLERK,
    CLERK_OTHER,
    SUPERVISOR,
    SUPERVISOR_OTHER,
    OFFICIAL,
    INCUBATOR,
    INCUBATOR_OTHER,
    ADMIN,
)
# Audiences acting at a point other than the one the request is about.
OTHER_POINT = frozenset({CLERK_OTHER, SUPERVISOR_OTHER})
ANYONE = frozenset(AUDIENCES)
STAFF = frozenset(AUDIENCES) - {ANONYMOUS, KIOSK}
OFFICIALS = frozenset({OFFICIAL, ADMIN})
# A clerk or supervisor of the point; an admin may act anywhere. A supervisor may do all
# a clerk of that point may (DESIGN §6.1).
CLERKS = frozenset({CLERK, SUPERVISOR, ADMIN})
CLERKS_ANYWHERE = frozenset({CLERK, CLERK_OTHER, SUPERVISOR, SUPERVISOR_OTHER})
KIOSK_OR_CLERK = frozenset({KIOSK}) | CLERKS
INCUBATOR_ONLY = frozenset({INCUBATOR})  # the operator of the incubator in the path
INCUBATORS = frozenset({INCUBATOR, INCUBATOR_OTHER})  # each acting on its own incubator
OWN_INCUBATOR = frozenset({INCUBATOR, OFFICIAL, ADMIN})
# The point's supervisor and officials: follow-ups of bad ratings, statistics.
SUPERVISED = frozenset({SUPERVISOR}) | OFFICIALS
SUPERVISORS_ANYWHERE = frozenset({SUPERVISOR, SUPERVISOR_OTHER}) | OFFICIALS


@dataclass(frozen=True)
class Rule:
    """Who may call a route, and what else it may answer.

    ``hidden``: a refused caller of another point gets 404 as for a missing thing, so that
    existence cannot be probed. ``limited``: a per-client or per-account limit may answer
    429. ``reads_token``: the route looks at a bearer token even though anyone may call it.
    ``credentials``: the route checks a password or code and answers 401 when it is wrong.
    ``finds``: a query parameter names a thing (a point, a case, a code), 404 when none is.
    """

    allowed: frozenset[str]
    hidden: bool = False
    limited: bool = False
    reads_token: bool = False
    credentials: bool = False
    too_large: bool = False
    finds: bool = False

    @property
    def public(self) -> bool:
        return ANONYMOUS in self.allowed


def _rule(allowed: Iterable[str], **flags: Any) -> Rule:
    return Rule(frozenset(allowed), **flags)


PUBLIC = _rule(ANYONE)
# Whoever holds a case's query code or a ticket's receipt code, rather than an account.
HOLDER = _rule(ANYONE, limited=True, finds=True)
CASE_STEP = _rule(CLERKS, hidden=True)
FIRM_STEP = _rule(KIOSK_OR_CLERK, hidden=True)
TICKET_STEP = _rule(CLERKS)
OFFICIAL_ONLY = _rule(OFFICIALS)
ADMIN_ONLY = _rule({ADMIN})
OWN_INCUBATOR_ONLY = _rule(OWN_INCUBATOR)
FOLLOW_UPS = _rule(SUPERVISORS_ANYWHERE)  # each sees their own point's
FOLLOW_UP = _rule(SUPERVISED)
STATISTICS = _rule(SUPERVISED, finds=True)  # asked about the point in the path or query

# Pages: a staff page sends a visitor who is not logged in to /login; a kiosk page needs
# an enrolled kiosk browser of its point.
KIOSK_PAGE = _rule({KIOSK})
CLERK_PAGE = _rule(CLERKS_ANYWHERE)  # each at their own point (an admin has none)
OFFICIAL_PAGE = OFFICIAL_ONLY
INCUBATOR_PAGE = _rule(INCUBATORS)
