"""A park set up from an empty database through the administration API alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from servicedesk.accounts import service as accounts
from servicedesk.accounts.models import Role
from tests.factories import PASSWORD, login, make_uscc

API = "/api/v1"
MATTERS: list[dict[str, Any]] = [
    {
        "code": "HTE",
        "name": "高新技术企业认定",
        "name_en": "High-tech enterprise certification",
        "promised_days": 20,
        "statutory_days": 60,
        "legal_basis": "《高新技术企业认定管理办法》",
        "inspection_waivable": True,
        "materials": [
            {"code": "application", "name": "申请表", "name_en": "Application form", "core": True},
            {"code": "license", "name": "营业执照", "name_en": "Business licence", "core": True},
            {
                "code": "roster",
                "name": "科技人员名单",
                "name_en": "S&T staff roster",
                "core": False,
            },
        ],
    },
    {
        "code": "REG",
        "name": "企业登记事项变更",
        "name_en": "Change of registration",
        "promised_days": 3,
        "statutory_days": 15,
        "legal_basis": "《市场主体登记管理条例》",
        "inspection_waivable": False,
        "materials": [
            {"code": "change_form", "name": "变更申请书", "name_en": "Change form", "core": True},
            {"code": "license", "name": "营业执照", "name_en": "Business licence", "core": True},
        ],
    },
    {
        "code": "TALENT",
        "name": "工作居住证办理",
        "name_en": "Work-residence permit",
        "promised_days": 10,
        "statutory_days": 20,
        "legal_basis": "《北京市工作居住证管理办法》",
        "inspection_waivable": False,
        "materials": [
            {
                "code": "personal_form",
                "name": "个人申请表",
                "name_en": "Personal form",
                "core": True,
            },
            {"code": "contract", "name": "劳动合同", "name_en": "Labour contract", "core": True},
        ],
    },
]


@dataclass
class Park:
    client: httpx.AsyncClient
    admin: dict[str, str]
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    kiosk: dict[str, str] = field(default_factory=dict)
    firms: list[str] = field(default_factory=list)

    async def relogin(self, *who: str) -> None:
        """Fresh tokens (a test that moves the clock outlives the 12-hour ones)."""
        for username in who:
            if username == "admin":
                self.admin = await login(self.client, "root")
            else:
                self.headers[username] = await login(self.client, username)

    async def post(self, path: str, body: Any, *, who: str = "admin", status: int = 201) -> Any:
        headers = self.admin if who == "admin" else self.headers.get(who, self.kiosk)
        r = await self.client.post(API + path, json=body, headers=headers)
        assert r.status_code == status, f"{path}: {r.status_code} {r.text}"
        return r.json() if r.content else None


async def bootstrap_admin(client: httpx.AsyncClient) -> dict[str, str]:
    """What `servicedesk user create root --role admin` does on a new install."""
    await accounts.create_user("root", password=PASSWORD, role=Role.ADMIN)
    return await login(client, "root")


async def set_up_park(client: httpx.AsyncClient) -> Park:
    """A point with two windows serving overlapping queues, three matters, an
    incubator with its operator, firms, staff and a kiosk: all through the API."""
    park = Park(client=client, admin=await bootstrap_admin(client))
    await park.post(
        "/admin/incubators",
        {
            "code": "INC-NEW",
            "name": "新园孵化器",
            "level": "municipal",
            "district": "昌平区",
            "kind": "incubator",
            "focus_industries": ["ai"],
        },
    )
    await park.post(
        "/admin/service-points",
        {
            "code": "NEW",
            "name": "新园服务站",
            "district": "昌平区",
            "focus_industries": ["ai"],
            "incubator_code": "INC-NEW",
        },
    )
    await park.post("/admin/service-points/NEW/queues", {"code": "A", "name": "综合受理"})
    await park.post("/admin/service-points/NEW/queues", {"code": "B", "name": "科技认定"})
    await park.post("/admin/service-points/NEW/windows", {"code": "NEW-1", "queues": ["A", "B"]})
    await park.post(
        "/admin/service-points/NEW/windows", {"code": "NEW-2", "name": "人才窗口", "queues": ["B"]}
    )
    for matter in MATTERS:
        await park.post("/admin/matters", matter)
    offering = {
        "matters": [
            {"matter_code": "HTE", "queue": "B"},
            {"matter_code": "REG", "queue": "A"},
            {"matter_code": "TALENT", "queue": "A"},
        ]
    }
    r = await client.put(
        f"{API}/admin/service-points/NEW/offering", json=offering, headers=park.admin
    )
    assert r.status_code == 200, r.text
    for username, role, extra in (
        ("clerk-new", "clerk", {"service_point": "NEW"}),
        ("op-new", "incubator", {"incubator": "INC-NEW"}),
        ("off-1", "official", {}),
        ("off-2", "official", {}),
    ):
        await park.post(
            "/admin/users", {"username": username, "role": role, "password": PASSWORD, **extra}
        )
        park.headers[username] = await login(client, username)
    kiosk = await park.post("/admin/kiosks", {"service_point": "NEW"})
    park.kiosk = {"Authorization": f"Bearer {kiosk['token']}"}
    for serial in range(1, 4):
        uscc = make_uscc(900 + serial)
        park.firms.append(uscc)
        await park.post(
            "/incubators/INC-NEW/firms",
            {"uscc": uscc, "name": f"新园企业{serial}号", "joined_on": "2025-03-01"},
            who="op-new",
        )
    return park
