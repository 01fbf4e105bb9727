"""The administration pages: a park set up from an empty database by forms alone."""

from __future__ import annotations

import httpx

from servicedesk.accounts import service as accounts
from servicedesk.accounts.models import Role
from servicedesk.audit.models import AuditEntry
from servicedesk.catalogue.models import Matter
from tests.factories import PASSWORD, make_catalogue
from tests.kiosk_ui.pages import page_session

HTML = {"accept": "text/html"}
MATTER_FORM = {
    "code": "NEW-M",
    "name": "新园事项",
    "name_en": "New park matter",
    "promised_days": "5",
    "statutory_days": "20",
    "legal_basis": "《新园办法》",
    "inspection_applies": "on",
    "inspection_waivable": "on",
    "industries": "ai, it",
    "pinyin": "",
    "m_code": ["form", "licence", ""],
    "m_name": ["申请表", "营业执照", ""],
    "m_name_en": ["Form", "Licence", ""],
    "m_core": ["core", "optional", "core"],
}


async def _admin(client: httpx.AsyncClient) -> str:
    await accounts.create_user("chief", password=PASSWORD, role=Role.ADMIN)
    return await page_session(client, "chief")


async def _post(
    client: httpx.AsyncClient, path: str, data: dict[str, object], *, status: int = 303
) -> httpx.Response:
    r = await client.post(path, data=data, headers=HTML)
    assert r.status_code == status, f"{path}: {r.status_code} {r.text[-1500:]}"
    return r


async def test_a_park_is_set_up_through_the_pages(client: httpx.AsyncClient) -> None:
    csrf = await _admin(client)
    home = await client.get("/admin")
    assert home.status_code == 200
    assert 'data-testid="setup-steps"' in home.text
    await _post(
        client,
        "/admin/incubators",
        {"csrf_token": csrf, "editing": "0", "code": "INC-P", "name": "新园孵化器",
         "level": "municipal", "kind": "incubator", "district": "昌平区", "focus_industries": "ai"},
    )  # fmt: skip
    r = await _post(
        client,
        "/admin/points",
        {"csrf_token": csrf, "code": "NP", "name": "新园服务站", "district": "昌平区",
         "focus_industries": "ai, it", "incubator_code": "INC-P"},
    )  # fmt: skip
    assert r.headers["location"] == "/admin/points/NP?done=1"
    for letter, name in (("a", "综合受理"), ("B", "科技认定")):
        await _post(
            client, "/admin/points/NP/queues", {"csrf_token": csrf, "code": letter, "name": name}
        )
    await _post(
        client,
        "/admin/points/NP/windows",
        {"csrf_token": csrf, "code": "NP-1", "name": "", "queues": ["A", "B"]},
    )
    await _post(client, "/admin/matters", {"csrf_token": csrf, **MATTER_FORM})
    await _post(client, "/admin/points/NP/offering", {"csrf_token": csrf, "queue-NEW-M": "B"})

    point = (await client.get("/api/v1/service-points/NP")).json()
    assert point["incubator_code"] == "INC-P"
    edit = {"csrf_token": csrf, "name": "新园服务站（一期）", "incubator_code": ""}
    await _post(client, "/admin/points/NP", {**edit, "focus_industries": "ai"})
    edited = (await client.get("/api/v1/service-points/NP")).json()
    assert (edited["name"], edited["incubator_code"]) == ("新园服务站（一期）", None)
    assert point["windows"] == [{"code": "NP-1", "name": "1号窗口", "queues": ["A", "B"]}]
    offered = (await client.get("/api/v1/service-points/NP/matters")).json()
    assert [(m["code"], m["queue"]) for m in offered] == [("NEW-M", "B")]
    assert [(x["code"], x["core"]) for x in offered[0]["materials"]] == [
        ("form", True),
        ("licence", False),
    ]
    matter = await Matter.get(code="NEW-M")
    assert matter.pinyin_initials == "xysx"
    assert matter.inspection_waivable

    await _post(
        client,
        "/admin/users",
        {"csrf_token": csrf, "username": "clerk-np", "password": "long-enough-1",
         "role": "clerk", "service_point": "NP", "incubator": "", "display_name": "新窗口"},
    )  # fmt: skip
    enrolled = await _post(
        client, "/admin/kiosks", {"csrf_token": csrf, "service_point": "NP"}, status=200
    )
    assert "/kiosk/NP/enrol" in enrolled.text
    assert "?device=" not in enrolled.text  # no token in any address
    code = enrolled.text.split('data-testid="enrol-code">')[1].split("<")[0]
    assert len(code.replace("-", "")) == 8
    token = enrolled.text.split('data-testid="api-token">')[1].split("<")[0]
    ticket = await client.post(
        "/api/v1/service-points/NP/tickets",
        json={"matter_code": "NEW-M"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert ticket.status_code == 201, ticket.text
    assert ticket.json()["ticket_no"].startswith("B")
    kiosks = await client.get("/admin/kiosks")
    assert "从未使用" not in kiosks.text  # the last use is shown once it issued a ticket
    actions = {e.action for e in await AuditEntry.all()}
    assert {"admin.point.create", "admin.matter.create", "admin.offering.set"} <= actions


async def test_refusals_show_the_form_again_and_write_nothing(client: httpx.AsyncClient) -> None:
    csrf = await _admin(client)
    bad = {**MATTER_FORM, "promised_days": "30"}
    r = await _post(client, "/admin/matters", {"csrf_token": csrf, **bad}, status=422)
    assert "may not exceed statutory_days" in r.text
    assert 'value="新园事项"' in r.text  # what was typed is kept
    assert not await Matter.exists(code="NEW-M")
    no_materials = {**MATTER_FORM, "m_code": [""], "m_name": [""], "m_name_en": [""]}
    r = await _post(client, "/admin/matters", {"csrf_token": csrf, **no_materials}, status=422)
    assert "materials" in r.text
    r = await _post(
        client,
        "/admin/points",
        {"csrf_token": csrf, "code": "NP", "name": "x", "incubator_code": "NOPE"},
        status=422,
    )
    assert "incubator &#39;NOPE&#39; does not exist" in r.text
    await _post(client, "/admin/points", {"csrf_token": csrf, "code": "NP", "name": "x"})
    again = await _post(
        client, "/admin/points", {"csrf_token": csrf, "code": "NP", "name": "y"}, status=409
    )
    assert "already exists" in again.text
    r = await _post(
        client,
        "/admin/points/NP/queues",
        {"csrf_token": csrf, "code": "AB", "name": "x"},
        status=422,
    )
    assert "code" in r.text
    forged = await client.post("/admin/points", data={"code": "X2", "name": "x"}, headers=HTML)
    assert forged.status_code == 403
    audit = [e.action for e in await AuditEntry.all() if e.action.startswith("admin.")]
    assert audit == ["admin.point.create"]


async def test_users_are_deactivated_and_given_new_passwords(client: httpx.AsyncClient) -> None:
    csrf = await _admin(client)
    await _post(
        client,
        "/admin/users",
        {"csrf_token": csrf, "username": "li", "password": "first-pass-1", "role": "official",
         "service_point": "", "incubator": "", "display_name": ""},
    )  # fmt: skip
    await _post(client, "/admin/users/li/password", {"csrf_token": csrf, "password": "second-p-2"})
    old = await client.post(
        "/api/v1/auth/token", json={"username": "li", "password": "first-pass-1"}
    )
    assert old.status_code == 401
    ok = await client.post("/api/v1/auth/token", json={"username": "li", "password": "second-p-2"})
    assert ok.status_code == 200
    bearer = {"Authorization": f"Bearer {ok.json()['access_token']}"}
    assert (await client.get("/api/v1/auth/me", headers=bearer)).status_code == 200
    await _post(client, "/admin/users/li/deactivate", {"csrf_token": csrf})
    assert (await client.get("/api/v1/auth/me", headers=bearer)).status_code == 401
    clerk_without_point = await _post(
        client,
        "/admin/users/li",
        {"csrf_token": csrf, "role": "clerk", "service_point": "", "incubator": ""},
        status=422,
    )
    assert "a clerk belongs to a service point" in clerk_without_point.text
    own = await _post(client, "/admin/users/chief/deactivate", {"csrf_token": csrf}, status=409)
    assert "your own account" in own.text


async def test_only_an_administrator_sees_the_pages(client: httpx.AsyncClient) -> None:
    await accounts.create_user("li", password=PASSWORD, role=Role.OFFICIAL)
    anonymous = await client.get("/admin/points", headers=HTML)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login")
    csrf = await page_session(client, "li")
    assert (await client.get("/admin", headers=HTML)).status_code == 403
    r = await client.post("/admin/points", data={"csrf_token": csrf, "code": "X", "name": "x"})
    assert r.status_code == 403


async def test_a_catalogue_file_is_checked_shown_and_applied_on_confirmation(
    client: httpx.AsyncClient,
) -> None:
    await make_catalogue()
    csrf = await _admin(client)
    exported = await client.get("/admin/catalogue/export")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    good = exported.text.replace(
        'name = "高新技术企业认定"', 'name = "高新技术企业认定（2026版）"', 1
    )
    bad = good.replace("promised_days = 20\n", "promised_days = 99\n", 1)

    async def upload(text: str, status: int) -> httpx.Response:
        r = await client.post(
            "/admin/catalogue/check",
            data={"csrf_token": csrf},
            files={"file": ("catalogue.toml", text.encode(), "application/toml")},
            headers=HTML,
        )
        assert r.status_code == status, r.text[-1500:]
        return r

    refused = await upload(bad, 422)
    assert "promised_days (99) may not exceed statutory_days" in refused.text
    assert 'data-testid="catalogue-apply"' not in refused.text
    shown = await upload(good, 200)
    assert "~ matter HTE-CERT: name" in shown.text
    assert (await Matter.get(code="HTE-CERT")).name == "高新技术企业认定"  # not yet
    applied = await _post(
        client, "/admin/catalogue/apply", {"csrf_token": csrf, "text": good}, status=200
    )
    assert 'data-testid="catalogue-applied"' in applied.text
    assert (await Matter.get(code="HTE-CERT")).name == "高新技术企业认定（2026版）"
    not_utf8 = await client.post(
        "/admin/catalogue/check",
        data={"csrf_token": csrf},
        files={"file": ("c.toml", "名称".encode("gbk"), "application/toml")},
        headers=HTML,
    )
    assert not_utf8.status_code == 422
    assert "UTF-8" in not_utf8.text
    before = (await client.get("/admin/catalogue/export")).text
    tampered = await _post(
        client, "/admin/catalogue/apply", {"csrf_token": csrf, "text": bad}, status=422
    )
    assert "promised_days (99)" in tampered.text
    assert (await client.get("/admin/catalogue/export")).text == before


async def test_every_page_shows_in_both_languages(client: httpx.AsyncClient) -> None:
    await make_catalogue()
    await _admin(client)
    for lang in ("zh", "en"):
        for path in (
            "/admin",
            "/admin/points",
            "/admin/points/HD-AI",
            "/admin/matters",
            "/admin/matters/HTE-CERT",
            "/admin/incubators",
            "/admin/users",
            "/admin/kiosks",
            "/admin/workdays",
            "/admin/catalogue",
        ):
            r = await client.get(path, params={"lang": lang})
            assert r.status_code == 200, f"{path}: {r.text[-800:]}"
            assert ("Service points" in r.text) is (lang == "en"), path
