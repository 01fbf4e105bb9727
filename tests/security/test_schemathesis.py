"""Property-based tests over the OpenAPI schema, as every role: Schemathesis generates
requests from the schema the server publishes, valid and invalid, and every answer must be
no 5xx, a status the schema declares for the operation, and a body that matches it (error
bodies included).

The server is a real ``servicedesk serve --demo`` on SQLite, so the generated requests
meet the demo's points, cases, ratings and accounts. Example counts are bounded to keep
the run to a few minutes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from servicedesk.accounts.kiosks import demo_kiosk_token
from servicedesk.app import create_app
from servicedesk.seed.demo import DEMO_PASSWORD
from servicedesk.settings import DEV_SECRET, Settings
from tests.conftest import is_postgres
from tests.demo_server import demo_server as serve_demo

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(is_postgres(), reason="runs against a SQLite demo server"),
]
EXAMPLES = int(os.environ.get("SERVICEDESK_SCHEMATHESIS_EXAMPLES", "6"))
ROLES = (
    "anonymous",
    "kiosk",
    "clerk-hd",
    "supervisor-hd",
    "official-li",
    "incubator-hd",
    "admin",
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture(scope="session")
def demo_server() -> Iterator[str]:
    # Generated requests must reach the code, not the limiters (tested on their own).
    unlimited = dict.fromkeys(
        (
            "SERVICEDESK_PUBLIC_QUERIES_PER_MINUTE",
            "SERVICEDESK_BOOKINGS_PER_HOUR",
            "SERVICEDESK_LOGIN_FREE_ATTEMPTS",
            "SERVICEDESK_LOGIN_LOCK_AFTER",
        ),
        "1000000",
    )
    sqlite = lambda tmp: f"sqlite://{tmp / 'demo.sqlite3'}"  # noqa: E731
    with serve_demo("schemathesis", sqlite, **unlimited) as base:
        yield base


@pytest.fixture(scope="session")
def tokens(demo_server: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {"anonymous": {}}
    out["kiosk"] = {"Authorization": f"Bearer {demo_kiosk_token('HD-AI', DEV_SECRET)}"}
    for role in ROLES[2:]:
        r = httpx.post(
            f"{demo_server}/api/v1/auth/token",
            json={"username": role, "password": DEMO_PASSWORD},
            timeout=30,
        )
        assert r.status_code == 200, r.text
        out[role] = {"Authorization": f"Bearer {r.json()['access_token']}"}
    return out


# The schema the server publishes, built from the same code in this process (the server
# under test is another process of it, started by ``demo_server``).
schema = schemathesis.openapi.from_dict(
    create_app(Settings(environment="test"), init_db=False).openapi()
).exclude(
    # An event stream never ends; it is called in the authorization test instead. Revoking
    # the caller's own token would log the role out for the rest of the run.
    path_regex=r"(/events$|/auth/revoke$)"
)


def _as(role: str) -> object:
    """The schema test for one role's token (one pytest test per role)."""

    @schema.parametrize()
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def test(case: schemathesis.Case, demo_server: str, tokens: dict[str, dict[str, str]]) -> None:
        case.call_and_validate(
            base_url=demo_server, headers=tokens[role], checks=CHECKS, timeout=30
        )

    return test


test_as_anonymous = _as("anonymous")
test_as_kiosk = _as("kiosk")
test_as_clerk = _as("clerk-hd")
test_as_supervisor = _as("supervisor-hd")
test_as_official = _as("official-li")
test_as_incubator = _as("incubator-hd")
test_as_admin = _as("admin")
