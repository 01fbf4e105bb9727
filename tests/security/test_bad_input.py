"""Bad input of every kind gets a 4xx ``{error, detail}`` and writes nothing, on SQLite and
PostgreSQL alike: values longer than their column, unknown grades, impossible periods and
codes, NUL and other control characters, huge lists, numbers out of range."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from servicedesk.audit.models import AuditEntry
from servicedesk.cases.models import Case
from tests.factories import World, case_body, kiosk_headers, make_uscc, make_world, submit_case

API = "/api/v1"
LONG = "X" * 33
NUL = "A\x00B"


@pytest.fixture
async def world(client: httpx.AsyncClient) -> World:
    return await make_world(client)


def _rows(**row: Any) -> dict[str, Any]:
    return {"rows": [{"period": "2026-Q2", "firms_incubated": 10, **row}]}


# (who, method, path, body); ``{case}`` is a case of HD-AI.
BAD: list[tuple[str, str, str, Any]] = [
    ("anonymous", "GET", "/cases/{case}?query_code=" + "9" * 19, None),
    ("anonymous", "GET", "/cases/{case}?query_code=A%00B", None),
    ("anonymous", "GET", "/cases/{case}?uscc=" + make_uscc(1) + "0", None),
    ("anonymous", "GET", "/cases/" + "X" * 120 + "?query_code=ABCDEFGH", None),
    ("anonymous", "GET", "/service-points/" + LONG, None),
    ("anonymous", "GET", "/service-points/A%00B/matters", None),
    ("anonymous", "GET", "/service-points/HD-AI/board?x=%0a", None),
    ("anonymous", "GET", "/incubators?level=" + "n" * 17, None),
    ("anonymous", "GET", "/incubators/" + LONG + "/rating", None),
    ("anonymous", "GET", "/tickets/status/" + "c" * 30, None),
    ("anonymous", "GET", "/service-points/HD-AI/appointment-slots?queue=" + LONG, None),
    ("anonymous", "GET", "/service-points/HD-AI/appointment-slots?day=yesterday", None),
    ("anonymous", "POST", "/appointments", {"slot_id": 2**40, "firm": {"uscc": "x", "name": "y"}}),
    ("anonymous", "POST", "/appointments", {"slot_id": 1, "firm": {"uscc": NUL, "name": "y"}}),
    ("anonymous", "POST", "/auth/token", {"username": NUL, "password": "x"}),
    ("anonymous", "POST", "/auth/token", {"username": "u" * 65, "password": "x"}),
    ("anonymous", "POST", "/auth/token", {"username": "u", "password": "p" * 257}),
    ("clerk", "POST", "/windows/" + "W" * 40 + "/call-next", None),
    ("clerk", "POST", "/cases", case_body(materials=["license"] * 80_000)),
    ("clerk", "POST", "/cases", case_body(service_point=LONG)),
    ("clerk", "POST", "/cases", case_body(matter_code=LONG)),
    ("clerk", "POST", "/cases", case_body(name="北京\x00科技")),
    ("clerk", "POST", "/cases", case_body(uscc="000000000000000000")),
    ("clerk", "POST", "/cases", case_body(recommendation_id=2**70)),
    ("clerk", "POST", "/cases", case_body(recommendation_id=0)),
    ("clerk", "POST", "/cases", {**case_body(), "extra": 1}),
    ("clerk", "POST", "/cases/{case}/return", {"items": [{"material_code": "license"}] * 101}),
    ("clerk", "POST", "/cases/{case}/return", {"items": [{"material_code": LONG}]}),
    (
        "clerk",
        "POST",
        "/cases/{case}/return",
        {"items": [{"material_code": "license", "problem": "p" * 501}]},
    ),
    ("clerk", "POST", "/cases/{case}/reject", {"reason": "bad\x00reason"}),
    ("clerk", "POST", "/cases/{case}/reject", {"reason": "r" * 2001}),
    ("clerk", "POST", "/cases/{case}/resubmit", {"materials": ["license"] * 101}),
    ("clerk", "POST", "/tickets/" + str(2**40) + "/recall", None),
    ("clerk", "POST", "/tickets/1/transfer", {"queue": "ABCDE"}),
    ("clerk", "GET", "/cases?status=" + "s" * 101, None),
    ("official", "POST", "/policy", {"waiver_grades": ["Z"]}),
    (
        "official",
        "POST",
        "/policy",
        {
            "waiver_grades": [""],
            "spot_check_rates": {},
            "quota_per_period": 1,
            "waivable_matters": [],
        },
    ),
    (
        "official",
        "POST",
        "/policy",
        {
            "waiver_grades": ["A"],
            "spot_check_rates": {"Z": 0.5},
            "quota_per_period": 1,
            "waivable_matters": [],
        },
    ),
    (
        "official",
        "POST",
        "/policy",
        {
            "waiver_grades": ["A"],
            "spot_check_rates": {"A": 2},
            "quota_per_period": 10**9,
            "waivable_matters": [LONG],
        },
    ),
    ("official", "POST", "/rating-runs", {"period": "0000"}),
    ("official", "POST", "/rating-runs", {"period": "2026-Q5"}),
    ("official", "POST", "/rating-runs", {"period": "9999"}),
    ("official", "POST", "/rating-runs", {"period": "2026", "model_version": "v" * 49}),
    ("official", "POST", "/spot-checks/1/result", {"outcome": "maybe"}),
    ("official", "POST", "/spot-checks/1/result", {"outcome": "fail", "notes": "\x07"}),
    ("official", "PATCH", "/service-points/HD-AI/matters/" + LONG, {"pinned": True}),
    ("official", "POST", "/models/train", {"C": 1e308}),
    ("official", "POST", "/models/" + "v" * 60 + "/promote", None),
    (
        "incubator",
        "POST",
        "/recommendations",
        {"firm_uscc": "000000000000000000", "matter_code": "X"},
    ),
    ("incubator", "POST", "/recommendations", {"firm_uscc": "1", "matter_code": LONG}),
    ("incubator", "POST", "/incubators/INC-HD-001/indicators", _rows(period="0000")),
    ("incubator", "POST", "/incubators/INC-HD-001/indicators", _rows(**{"bad\x00key": 1})),
    ("incubator", "POST", "/incubators/INC-HD-001/indicators", _rows(note="n" * 65)),
    ("incubator", "POST", "/appeals", {"reason": "r", "rating_id": 2**40}),
    ("kiosk", "POST", "/service-points/HD-AI/tickets", {"matter_code": LONG}),
    ("kiosk", "POST", "/service-points/HD-AI/appointments/" + "C" * 40 + "/check-in", None),
    ("kiosk", "POST", "/cases/{case}/withdraw", {"uscc": "u" * 25}),
]


@pytest.mark.parametrize(("who", "method", "path", "body"), BAD)
async def test_bad_input_is_a_4xx_and_writes_nothing(
    world: World, who: str, method: str, path: str, body: Any
) -> None:
    client = world.client
    headers = {
        "anonymous": {},
        "clerk": world.clerk,
        "official": world.li,
        "incubator": world.incubator,
    }.get(who) or await kiosk_headers()
    case = await submit_case(client, world.clerk, materials=["license"])
    before = (await AuditEntry.all().count(), await Case.all().count())
    response = await client.request(
        method, API + path.replace("{case}", case["case_no"]), json=body, headers=headers
    )
    assert 400 <= response.status_code < 500, response.text
    answer = response.json()
    assert isinstance(answer["error"], str)
    assert isinstance(answer["detail"], str)
    assert (await AuditEntry.all().count(), await Case.all().count()) == before


async def test_a_duplicate_slot_in_another_offset_is_a_conflict(world: World) -> None:
    """The same instant written with +08:00 and Z is one slot: 201, then 409 (not a 500)."""
    slots = f"{API}/service-points/HD-AI/appointment-slots"
    first = {
        "queue": "A",
        "starts_at": "2099-01-05T09:00:00+08:00",
        "ends_at": "2099-01-05T09:30:00+08:00",
        "capacity": 2,
    }
    again = {**first, "starts_at": "2099-01-05T01:00:00Z", "ends_at": "2099-01-05T01:30:00Z"}
    assert (await world.client.post(slots, json=first, headers=world.clerk)).status_code == 201
    response = await world.client.post(slots, json=again, headers=world.clerk)
    assert response.status_code == 409, response.text
    assert response.json()["error"] == "Conflict"


async def test_bad_page_form_values_are_a_4xx_alike(world: World) -> None:
    """The kiosk's and the console's forms: non-numbers, NUL bytes, huge values."""
    from tests.queue.test_kiosk_pages import enrol, hidden

    client = world.client
    await enrol(client)
    page = await client.get("/kiosk/HD-AI/matters/TECH-SME/apply")
    form = {"csrf_token": hidden(page.text, "csrf_token"), "form_key": "k1"}
    before = await Case.all().count()
    for bad in (
        {"ticket_id": "abc"},
        {"ticket_id": str(2**40)},
    ):
        response = await client.post("/kiosk/HD-AI/void", data={**form, **bad})
        assert 400 <= response.status_code < 500, bad
    for bad in (
        {"firm_name": "北京\x00科技", "uscc": make_uscc(1)},
        {"firm_name": "x" * 5000, "uscc": make_uscc(1)},
        {"firm_name": "x", "uscc": make_uscc(1), "materials": ["license"] * 101},
    ):
        response = await client.post(
            "/kiosk/HD-AI/cases", data={**form, "matter_code": "TECH-SME", **bad}
        )
        assert 400 <= response.status_code < 500, bad
    assert await Case.all().count() == before


async def test_a_body_that_is_not_utf8_is_a_422(world: World) -> None:
    response = await world.client.post(
        f"{API}/policy",
        content=b"\x1f\x8b%\xff\xfeo",
        headers={**world.li, "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"] == "ValidationError"
