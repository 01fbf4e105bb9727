"""Keyword-only async factories with defaults."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx

from servicedesk.accounts import service as accounts
from servicedesk.accounts.models import Role, User
from servicedesk.catalogue import service as catalogue
from servicedesk.catalogue.models import MaterialRequirement
from servicedesk.firms import uscc
from servicedesk.incubators import indicators
from servicedesk.incubators import service as incubators
from servicedesk.incubators.models import Incubator
from servicedesk.policy import service as policy
from servicedesk.seed.demo import seed_catalogue

PASSWORD = "test-pass-123"
HTE_ALL = [
    "application",
    "license",
    "ip_certificates",
    "rd_audit",
    "hitech_income",
    "financials_3y",
    "staff_roster",
    "rd_management",
]
HTE_CORE = [
    "application",
    "license",
    "ip_certificates",
    "rd_audit",
    "hitech_income",
    "financials_3y",
]


def make_uscc(serial: int = 1, *, prefix: str = "91110108MA") -> str:
    """A valid 18-character USCC (GB 32100) whose organisation code ends with ``serial``."""
    return uscc.complete(f"{prefix}{serial:06d}"[:16])


async def make_catalogue() -> None:
    await seed_catalogue()


async def make_user(
    *,
    username: str = "clerk1",
    role: Role | str = Role.CLERK,
    service_point: str | None = "HD-AI",
    incubator: str | None = None,
    password: str = PASSWORD,
) -> User:
    role = Role(role)
    if role not in (Role.CLERK, Role.SUPERVISOR):
        service_point = None if service_point == "HD-AI" else service_point
    return await accounts.create_user(
        username,
        password=password,
        role=role,
        service_point=await catalogue.get_point(service_point) if service_point else None,
        incubator_code=incubator or ("INC-HD-001" if role is Role.INCUBATOR else None),
    )


async def login(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD
) -> dict[str, str]:
    response = await client.post(
        "/api/v1/auth/token", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def clerk_headers(
    client: httpx.AsyncClient, *, username: str = "clerk1", service_point: str = "HD-AI"
) -> dict[str, str]:
    await make_user(username=username, service_point=service_point)
    return await login(client, username)


async def kiosk_headers(*, service_point: str = "HD-AI") -> dict[str, str]:
    _, token = await accounts.create_kiosk(await catalogue.get_point(service_point))
    return {"Authorization": f"Bearer {token}"}


def case_body(
    *,
    service_point: str = "HD-AI",
    matter_code: str = "HTE-CERT",
    uscc: str | None = None,
    name: str = "北京测试科技有限公司",
    materials: list[str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "service_point": service_point,
        "matter_code": matter_code,
        "firm": {"uscc": uscc or make_uscc(1), "name": name},
        "materials": list(HTE_ALL if materials is None else materials),
        **extra,
    }


async def submit_case(
    client: httpx.AsyncClient, headers: dict[str, str], **body: Any
) -> dict[str, Any]:
    response = await client.post("/api/v1/cases", json=case_body(**body), headers=headers)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


# ---------------------------------------------------------------- incubators, ratings, waivers

GOOD = {
    "mentors_per_100_firms": 12,
    "firms_incubated": 70,
    "graduation_rate": 25,
    "high_tech_firms": 6,
    "financing_raised": 60,
    "violations": 0,
    "false_reports": 0,
    "window_satisfaction": 96,
    "report_timeliness": 100,
    "spot_check_pass_rate": 98,
}
"""Best bin of every indicator of the expert rubric v1: score 100, grade A."""
POOR = {
    "mentors_per_100_firms": 3,
    "firms_incubated": 20,
    "graduation_rate": 8,
    "high_tech_firms": 1,
    "financing_raised": 5,
    "violations": 2,
    "false_reports": 0,
    "window_satisfaction": 85,
    "report_timeliness": 80,
    "spot_check_pass_rate": 85,
}


async def make_incubator(
    *,
    code: str = "INC-HD-001",
    level: str = "national",
    district: str = "海淀区",
    values: dict[str, float] | None = None,
    period: str = "2026-Q2",
) -> Incubator:
    incubator = await incubators.create(code, name=f"孵化器 {code}", level=level, district=district)
    rows = {period: {k: float(v) for k, v in (values or GOOD).items()}}
    await indicators.record(incubator, rows, actor="test", source="derived")
    return incubator


async def set_policy(**changes: Any) -> None:
    current = await policy.current()
    fields: dict[str, Any] = {
        "waiver_grades": current.waiver_grades,
        "spot_check_rates": current.spot_check_rates,
        "quota_per_period": current.quota_per_period,
        "waivable_matters": current.waivable_matters,
        "graduate_window_days": current.graduate_window_days,
        **changes,
    }
    proposed = await policy.save(actor="official:test", **fields)
    await policy.confirm(proposed.version, actor="official:test-second")


@dataclass
class World:
    """Everything a waiver needs: officials, a clerk, an incubator account, a firm."""

    client: httpx.AsyncClient
    li: dict[str, str]
    wang: dict[str, str]
    clerk: dict[str, str]
    incubator: dict[str, str]
    firm_uscc: str
    incubator_model: Incubator

    async def publish(self, period: str = "2026-Q3") -> dict[str, Any]:
        return await publish_run(self.client, reviewer=self.li, confirmer=self.wang, period=period)

    async def recommend(self, *, uscc: str | None = None, matter: str = "HTE-CERT") -> int:
        r = await self.client.post(
            "/api/v1/recommendations",
            headers=self.incubator,
            json={"firm_uscc": uscc or self.firm_uscc, "matter_code": matter},
        )
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    async def submit_and_accept(
        self, rec_id: int | None, *, uscc: str | None = None, matter: str = "HTE-CERT"
    ) -> dict[str, Any]:
        body = case_body(uscc=uscc or self.firm_uscc, matter_code=matter, recommendation_id=rec_id)
        if matter != "HTE-CERT":
            body["materials"] = list(
                await MaterialRequirement.filter(matter__code=matter).values_list("code", flat=True)
            )
        r = await self.client.post("/api/v1/cases", json=body, headers=self.clerk)
        assert r.status_code == 201, r.text
        query_code = r.json()["query_code"]
        r = await self.client.post(
            f"/api/v1/cases/{r.json()['case_no']}/accept",
            headers=self.clerk,
            json={"with_deficiency": True},
        )
        assert r.status_code == 200, r.text
        data: dict[str, Any] = {**r.json(), "query_code": query_code}  # the receipt's
        return data


async def publish_run(
    client: httpx.AsyncClient,
    *,
    reviewer: dict[str, str],
    confirmer: dict[str, str],
    period: str = "2026-Q3",
) -> dict[str, Any]:
    """Start a run for ``period``, review and confirm every rating, publish it."""
    r = await client.post("/api/v1/rating-runs", json={"period": period}, headers=reviewer)
    assert r.status_code == 201, r.text
    run = r.json()
    for rating in run["ratings"]:
        r = await client.post(
            f"/api/v1/ratings/{rating['id']}/review", json={"decision": "approve"}, headers=reviewer
        )
        assert r.status_code == 200, r.text
        r = await client.post(f"/api/v1/ratings/{rating['id']}/confirm", headers=confirmer)
        assert r.status_code == 200, r.text
    r = await client.post(f"/api/v1/rating-runs/{run['id']}/publish", headers=reviewer)
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


async def make_world(client: httpx.AsyncClient, *, rate_a: float = 0.0) -> World:
    """A catalogue, grade-A incubator INC-HD-001 with one incubated firm, a policy."""
    await make_catalogue()
    incubator = await make_incubator()
    uscc = make_uscc(77)
    await incubators.register_firm(
        incubator, uscc=uscc, name="北京推荐科技有限公司", since=date(2024, 3, 1)
    )
    for name, role in (("li", "official"), ("wang", "official"), ("inc-hd", "incubator")):
        await make_user(username=name, role=role)
    await make_user(username="clerk1")
    await set_policy(spot_check_rates={"A": rate_a, "B": 0.2, "C": 0.6, "D": 1.0})
    return World(
        client=client,
        li=await login(client, "li"),
        wang=await login(client, "wang"),
        clerk=await login(client, "clerk1"),
        incubator=await login(client, "inc-hd"),
        firm_uscc=uscc,
        incubator_model=incubator,
    )


async def page_login(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD, **extra: str
) -> httpx.Response:
    """Log in through the login form, as a browser does (the form carries its CSRF token)."""
    import re

    form = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form.text)
    assert token, "login form without CSRF token"
    data = {"csrf_token": token.group(1), "username": username, "password": password, **extra}
    return await client.post("/login", data=data)
