"""The world the authorization test calls every route in: real ids of HD-AI and
INC-HD-001 (a case, a ticket, a rating, a follow-up, a message …) and a valid body for
each route, so that what decides the answer is who calls, not what is sent.

Administration routes act on things no other route needs (YZ-IM, RENT-SUBSIDY,
INC-YZ-001, the user ``spare``, a spare kiosk), so that an admin's change cannot lock the
other audiences out of the routes called after it.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

import httpx

from servicedesk.accounts import service as accounts
from servicedesk.accounts.models import User
from servicedesk.catalogue import service as catalogue
from servicedesk.exemptions import spotchecks
from servicedesk.incubators.models import Suspension
from servicedesk.notifications.models import Channel, Message, MessageStatus
from servicedesk.queue.models import Ticket
from servicedesk.ratings.models import ScoringModel
from servicedesk.settings import Settings
from servicedesk.timeutil import now
from tests.conftest import TEST_DATABASE_URL
from tests.factories import (
    PASSWORD,
    World,
    case_body,
    make_incubator,
    make_uscc,
    make_user,
    make_world,
    submit_case,
)

SETTINGS = Settings(
    environment="test", database_url=TEST_DATABASE_URL, public_queries_per_minute=10_000
)
USERS = {
    "clerk": "clerk1",
    "clerk_other": "clerk-dx",
    "supervisor": "sup-hd",
    "supervisor_other": "sup-dx",
    "official": "li",
    "incubator": "inc-hd",
    "incubator_other": "inc-dx",
    "admin": "root",
}


@dataclass
class Caller:
    headers: dict[str, str]
    cookies: dict[str, str]
    csrf: str


@dataclass
class Ids:
    values: dict[str, str]
    bodies: dict[str, Any]
    forms: dict[str, dict[str, str]]


def csrf(secret: str, label: bytes, value: str) -> str:
    return hmac.new(secret.encode(), label + value.encode(), hashlib.sha256).hexdigest()[:40]


async def staff(username: str) -> Caller:
    user = await User.get(username=username)
    token = await accounts.issue_token(user, kind="session", ttl_hours=1)
    return Caller(
        {"Authorization": f"Bearer {token}"},
        {"sd_session": token},
        csrf(SETTINGS.secret_key, b"csrf:", token),
    )


async def kiosk() -> Caller:
    _, token = await accounts.create_kiosk(await catalogue.get_point("HD-AI"))
    return Caller(
        {"Authorization": f"Bearer {token}"},
        {"sd_kiosk": token},
        csrf(SETTINGS.secret_key, b"kiosk-csrf:", token),
    )


async def _people() -> None:
    await make_incubator(code="INC-DX-001")
    await make_user(username="clerk-dx", service_point="DX-BIO")
    await make_user(username="sup-hd", role="supervisor")
    await make_user(username="sup-dx", role="supervisor", service_point="DX-BIO")
    await make_user(username="inc-dx", role="incubator", incubator="INC-DX-001")
    await make_user(username="root", role="admin")
    await make_user(username="spare", service_point="YZ-IM")


async def _ticket(client: httpx.AsyncClient, device: Caller) -> dict[str, Any]:
    r = await client.post(
        "/api/v1/service-points/HD-AI/tickets",
        json={"matter_code": "HTE-CERT"},
        headers=device.headers,
    )
    assert r.status_code == 201, r.text
    ticket: dict[str, Any] = r.json()
    return ticket


async def _bad_rating(client: httpx.AsyncClient, world: World, device: Caller) -> dict[str, str]:
    """A ticket served at HD-AI-W1 and rated 1: its receipt code and the follow-up."""
    ticket = await _ticket(client, device)
    called = await client.post("/api/v1/windows/HD-AI-W1/call-next", headers=world.clerk)
    assert called.json()["id"] == ticket["id"], called.text
    done = await client.post(f"/api/v1/tickets/{ticket['id']}/complete", headers=world.clerk)
    assert done.status_code == 200, done.text
    rated = await client.post(
        "/api/v1/evaluations", json={"ticket_receipt_code": ticket["receipt_code"], "level": 1}
    )
    assert rated.status_code == 201, rated.text
    return {"receipt": ticket["receipt_code"], "follow_up_id": str(rated.json()["follow_up_id"])}


async def _message(case_no: str) -> str:
    point = await catalogue.get_point("HD-AI")
    message = await Message.create(
        dedup_key=f"authz:{case_no}",
        holder=f"case:{case_no}",
        case_no=case_no,
        service_point_id=point.id,
        channel=Channel.EMAIL,
        template="case_accepted",
        lang="zh",
        recipient="firm@example.com",
        title="t",
        body="b",
        status=MessageStatus.DEAD,
        next_attempt_at=now(),
        created_at=now(),
    )
    return str(message.id)


async def _slot_and_booking(client: httpx.AsyncClient, world: World) -> tuple[int, dict[str, Any]]:
    slot = await client.post(
        "/api/v1/service-points/HD-AI/appointment-slots",
        json={
            "queue": "B",
            "starts_at": "2099-01-05T09:00:00+08:00",
            "ends_at": "2099-01-05T09:30:00+08:00",
            "capacity": 50,
        },
        headers=world.clerk,
    )
    assert slot.status_code == 201, slot.text
    booking = await client.post(
        "/api/v1/appointments",
        json={"slot_id": slot.json()["id"], "firm": {"uscc": world.firm_uscc, "name": "北京"}},
    )
    assert booking.status_code == 201, booking.text
    return int(slot.json()["id"]), booking.json()


async def _ratings(client: httpx.AsyncClient, world: World) -> dict[str, str]:
    appeal = await client.post("/api/v1/appeals", headers=world.incubator, json={"reason": "r"})
    run = (await client.get("/api/v1/rating-runs", headers=world.li)).json()[0]
    detail = await client.get(f"/api/v1/rating-runs/{run['id']}", headers=world.li)
    model = await ScoringModel.all().first()
    proposal = await client.post("/api/v1/policy", headers=world.li, json=POLICY)
    return {
        "run_id": str(run["id"]),
        "rating_id": str(detail.json()["ratings"][0]["id"]),
        "appeal_id": str(appeal.json()["id"]),
        "model": model.version if model else "none",
        "proposal": str(proposal.json()["version"]),
    }


async def _waivers(world: World, case_no: str) -> dict[str, str]:
    check = await spotchecks.create(
        case_no=case_no,
        incubator=world.incubator_model,
        grade="A",
        rate=1.0,
        value=0.0,
        policy_version=1,
    )
    suspension = await Suspension.create(
        incubator=world.incubator_model, reason="test", started_at=now(), started_by="test"
    )
    return {"check_id": str(check.id), "suspension_id": str(suspension.id)}


async def build(client: httpx.AsyncClient) -> tuple[Ids, Caller]:
    world = await make_world(client)
    device = await kiosk()
    await world.publish()
    await _people()
    rec_id = await world.recommend()
    case = await submit_case(client, world.clerk, materials=["license"])
    rated = await _bad_rating(client, world, device)
    ticket = await _ticket(client, device)
    slot_id, booking = await _slot_and_booking(client, world)
    spare_kiosk, _ = await accounts.create_kiosk(await catalogue.get_point("YZ-IM"))
    values = {
        "sp": "HD-AI",
        "case_no": case["case_no"],
        "query_code": case["query_code"],
        "matter_code": "HTE-CERT",
        "ticket_id": str(ticket["id"]),
        "window": "HD-AI-W1",
        "rec_id": str(rec_id),
        "username": "spare",
        "ticket_code": (await Ticket.get(id=ticket["id"])).code,
        "receipt": rated["receipt"],
        "follow_up_id": rated["follow_up_id"],
        "message_id": await _message(case["case_no"]),
        "slot_id": str(slot_id),
        "kiosk_id": str(spare_kiosk.id),
        "booking": booking.get("code", "NONE"),
        "cancel_token": booking.get("cancel_token", "NONE"),
        "incubator": "INC-HD-001",
        "uscc": world.firm_uscc,
        **await _ratings(client, world),
        **await _waivers(world, case["case_no"]),
    }
    return Ids(values, bodies(values, slot_id=slot_id), forms(values)), device


POLICY = {
    "waiver_grades": ["A"],
    "spot_check_rates": {"A": 0.1},
    "quota_per_period": 5,
    "waivable_matters": ["HTE-CERT"],
}


def bodies(v: dict[str, str], *, slot_id: int) -> dict[str, Any]:
    """A valid body for each route that takes one (keyed without the /api/v1 prefix)."""
    return {**_case_bodies(v), **_other_bodies(v, slot_id=slot_id), **_admin_bodies()}


def forms(v: dict[str, str]) -> dict[str, dict[str, str]]:
    """The fields a page's own form posts, beside its CSRF token, where the route needs them."""
    return {
        "POST /follow-ups/{follow_up_id}/reply": {"kind": "rectified", "text": "apologised"},
        "POST /follow-ups/{follow_up_id}/send-back": {"reason": "not convincing"},
        "POST /rate/{window}": {"ticket_id": v["ticket_id"], "level": "5"},
    }


def _case_bodies(v: dict[str, str]) -> dict[str, Any]:
    code = {"query_code": v["query_code"]}
    return {
        "POST /auth/token": {"username": "clerk1", "password": PASSWORD},
        "POST /cases": case_body(),
        "POST /cases/{case_no}/reject": {"reason": "r"},
        "POST /cases/{case_no}/deny": {"reason": "r"},
        "POST /cases/{case_no}/return": {"items": []},
        "POST /cases/{case_no}/resubmit": {"materials": ["license"], **code},
        "POST /cases/{case_no}/supplement": {"materials": ["license"], **code},
        "POST /cases/{case_no}/withdraw": code,
        "POST /cases/{case_no}/contact/withdraw": code,
        "POST /cases/{case_no}/extend-supplement": {"supplement_due": "2099-01-10"},
        "POST /evaluations": {"ticket_receipt_code": v["receipt"], "level": 5},
    }


def _other_bodies(v: dict[str, str], *, slot_id: int) -> dict[str, Any]:
    uscc = v["uscc"]
    return {
        "POST /service-points/{sp}/tickets": {"matter_code": "HTE-CERT"},
        "POST /tickets/{ticket_id}/transfer": {"queue": "A"},
        "POST /service-points/{sp}/appointment-slots": {
            "queue": "B",
            "starts_at": "2099-02-05T09:00:00+08:00",
            "ends_at": "2099-02-05T09:30:00+08:00",
            "capacity": 2,
        },
        "POST /appointments": {"slot_id": slot_id, "firm": {"uscc": uscc, "name": "x"}},
        "PATCH /service-points/{sp}/matters/{matter_code}": {"pinned": True},
        "POST /incubators/{code}/indicators": {
            "rows": [{"period": "2026-Q2", "firms_incubated": 10}]
        },
        "POST /incubators/{code}/firms": {
            "uscc": make_uscc(91),
            "name": "北京新孵科技有限公司",
            "joined_on": "2026-01-05",
        },
        "POST /incubators/{code}/firms/{uscc}/graduate": {"on": "2026-06-01"},
        "POST /incubators/{code}/firms/{uscc}/leave": {"on": "2026-06-01"},
        "PATCH /incubators/{code}/firms/{uscc}": {"joined_on": "2024-03-02", "reason": "typo"},
        "POST /incubators/{code}/records": {"kind": "violation", "date": "2026-05-01", "note": "n"},
        "POST /rating-runs": {"period": "2026-Q4"},
        "POST /ratings/{rating_id}/review": {"decision": "approve"},
        "POST /appeals": {"reason": "again"},
        "POST /appeals/{appeal_id}/decide": {"outcome": "dismissed", "note": "n"},
        "POST /policy": POLICY,
        "POST /recommendations": {"firm_uscc": uscc, "matter_code": "POLICY-MUNI"},
        "POST /suspensions/{suspension_id}/lift": {"reason": "reviewed"},
        "POST /spot-checks/{check_id}/result": {"outcome": "pass", "notes": ""},
        "POST /models/train": {},
        "POST /follow-ups/{follow_up_id}/reply": {"kind": "explained", "text": "queue was fair"},
        "POST /follow-ups/{follow_up_id}/send-back": {"reason": "not convincing"},
    }


def _admin_bodies() -> dict[str, Any]:
    material = {"code": "form", "name": "申请表", "core": True}
    return {
        "POST /admin/service-points": {"code": "NEW-PT", "name": "新服务点", "district": "海淀区"},
        "PATCH /admin/service-points/{sp}": {"name": "亦庄服务点"},
        "POST /admin/service-points/{sp}/queues": {"code": "Q", "name": "新队列"},
        "PATCH /admin/service-points/{sp}/queues/{code}": {"name": "综合"},
        "POST /admin/service-points/{sp}/windows": {"code": "YZ-IM-W9", "queues": ["A"]},
        "PATCH /admin/service-points/{sp}/windows/{code}": {"name": "1号窗口"},
        "PUT /admin/service-points/{sp}/offering": {"matters": []},
        "POST /admin/matters": {
            "code": "NEW-MATTER",
            "name": "新事项",
            "promised_days": 5,
            "statutory_days": 10,
            "materials": [material],
        },
        "PATCH /admin/matters/{code}": {"name_en": "Rent subsidy"},
        "POST /admin/incubators": {
            "code": "INC-NEW-001",
            "name": "新孵化器",
            "level": "district",
            "district": "海淀区",
        },
        "PUT /admin/incubators/{code}": {
            "code": "INC-YZ-001",
            "name": "亦庄孵化器",
            "level": "municipal",
            "district": "大兴区",
        },
        "POST /admin/users": {"username": "newbie", "role": "clerk", "password": "long enough pw"},
        "PATCH /admin/users/{username}": {"display_name": "备用"},
        "POST /admin/users/{username}/password": {"password": "another long pw"},
        "POST /admin/kiosks": {"service_point": "YZ-IM"},
        "PUT /admin/workdays/{day}": {"is_working": True, "note": "调休"},
    }
