"""Keyword-only async factories with defaults."""

from __future__ import annotations

from typing import Any

import httpx
from stdnum.cn import uscc as uscc_std

from servicedesk.accounts import service as accounts
from servicedesk.accounts.models import Role, User
from servicedesk.catalogue import service as catalogue
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
    """A valid 18-character USCC whose body ends with ``serial``."""
    body = f"{prefix}{serial:07d}"[:17]
    return body + str(uscc_std.calc_check_digit(body))


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
    if role is not Role.CLERK:
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
