"""Every page speaks its reader's language: words, never codes (issue 16).

Pages are rendered through the app as a browser gets them; only the text a person
reads is checked (tags and attributes, where codes legitimately live, are dropped).
The codes come from the service's own definitions — the case statuses, roles,
inspection decisions, spot-check outcomes and every material code of the catalogue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import httpx
import pytest

from kiosk_ui.web import templates, translator
from servicedesk.accounts.models import User
from servicedesk.cases.models import Case
from servicedesk.catalogue.models import MaterialRequirement
from servicedesk.firms.models import Firm
from servicedesk.incubators.models import Incubator
from servicedesk.timeutil import today
from tests.factories import HTE_CORE, World, case_body, make_user, make_world
from tests.kiosk_ui.pages import page_session
from tests.kiosk_ui.words import CJK, SEED, codes, leaked, visible, without_names
from tests.queue.test_kiosk_pages import enrol


@dataclass
class Site:
    client: httpx.AsyncClient
    world: World
    case_no: str
    query_code: str
    waived_no: str
    waived_code: str
    due: date


async def _deficient_case(world: World, rec_id: int) -> tuple[str, str, date]:
    """A waived case accepted with deficiency: the incubator's letter is still owed."""
    body = case_body(uscc=world.firm_uscc, recommendation_id=rec_id, materials=HTE_CORE)
    r = await world.client.post("/api/v1/cases", json=body, headers=world.clerk)
    assert r.status_code == 201, r.text
    case_no, query_code = r.json()["case_no"], r.json()["query_code"]
    due = today() + timedelta(days=5)
    r = await world.client.post(
        f"/api/v1/cases/{case_no}/accept",
        headers=world.clerk,
        json={"with_deficiency": True, "supplement_due": due.isoformat()},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "accepted_with_deficiency"
    return str(case_no), str(query_code), due


@pytest.fixture
async def site(client: httpx.AsyncClient) -> Site:
    world = await make_world(client)
    await world.publish()
    await make_user(username="admin1", role="admin")
    await User.filter(username="li").update(display_name="李处长")
    await User.filter(username="clerk1").update(display_name="王小明")
    case_no, query_code, due = await _deficient_case(world, await world.recommend())
    waived = await world.submit_and_accept(await world.recommend(matter="HTE-CERT"))
    return Site(
        client, world, case_no, query_code, str(waived["case_no"]), str(waived["query_code"]), due
    )


async def _codes() -> dict[str, set[str]]:
    return codes(await MaterialRequirement.all().values_list("code", flat=True))


async def _names() -> list[str]:
    """Person, firm and incubator names: proper names stay as their owners write them."""
    people = await User.all().values_list("display_name", flat=True)
    firms = await Firm.all().values_list("name", flat=True)
    incubators = await Incubator.all().values_list("name", flat=True)
    return sorted({str(n) for n in [*people, *firms, *incubators] if n}, key=len, reverse=True)


CLERK_PAGES = [
    "/clerk/cases",
    "/clerk/cases/{case}",
    "/clerk/cases/{waived}",
    "/clerk/intake?matter=HTE-CERT",
    "/clerk?window=HD-AI-W1",
    "/clerk/slots",
]
OFFICIAL_PAGES = [
    "/officials",
    "/officials/review",
    "/officials/spot-checks",
    "/officials/policy",
    "/officials/appeals",
    "/officials/overdue",
    "/officials/incubators/INC-HD-001",
    "/officials/models",
    "/officials/messages",
    "/officials/catalogue",
    "/statistics",
    "/follow-ups",
]
ADMIN_PAGES = [
    "/admin",
    "/admin/points",
    "/admin/points/HD-AI",
    "/admin/matters",
    "/admin/matters/HTE-CERT",
    "/admin/users",
    "/admin/incubators",
    "/admin/kiosks",
]
INCUBATOR_PAGES = ["/incubator"]


async def _page(site: Site, path: str, lang: str) -> str:
    url = path.format(case=site.case_no, waived=site.waived_no)
    r = await site.client.get(url, params={"lang": lang})
    assert r.status_code == 200, (url, r.status_code)
    return visible(r.text)


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_staff_pages_show_words_not_codes(site: Site, lang: str) -> None:
    codes = await _codes()
    names = await _names()
    problems: dict[str, list[str]] = {}
    audiences = (("clerk1", CLERK_PAGES), ("li", OFFICIAL_PAGES), ("inc-hd", INCUBATOR_PAGES))
    audiences += (("admin1", ADMIN_PAGES),)
    for user, paths in audiences:
        await page_session(site.client, user)
        for path in paths:
            text = await _page(site, path, lang)
            bad = leaked(text, codes, lang=lang)
            if lang == "en":
                bad += sorted(set(CJK.findall(without_names(text, names))))
            if bad:
                problems[path] = bad
    assert problems == {}, "\n".join(f"{k}: {' '.join(v)}" for k, v in problems.items())


async def test_staff_are_named_by_name_and_role(site: Site) -> None:
    await page_session(site.client, "clerk1")
    zh = await _page(site, "/clerk/cases/{case}", "zh")
    assert "王小明 · 窗口工作人员" in zh
    en = await _page(site, "/clerk/cases/{case}", "en")
    assert "王小明 · Clerk" in en
    assert "clerk:clerk1" not in zh + en
    assert "Submitted → Submitted" not in en  # one step, said once
    assert "Submitted" in en


async def _owed(case_no: str) -> tuple[list[str], list[str]]:
    """The names (Chinese, English) of the materials the case still owes."""
    case = await Case.get(case_no=case_no)
    assert case.owed_materials, "the fixture's case owes nothing"
    rows = {
        m.code: m
        for m in await MaterialRequirement.filter(
            matter__code="HTE-CERT", code__in=case.owed_materials
        )
    }
    return [rows[c].name for c in case.owed_materials], [
        rows[c].name_en for c in case.owed_materials
    ]


@pytest.mark.parametrize(
    ("lang", "owed"),
    [("zh", "请于 {zh} 前补交：{m}"), ("en", "Please hand in by {en}: {m}")],
)
async def test_public_query_says_what_is_owed_and_by_when(site: Site, lang: str, owed: str) -> None:
    zh_names, en_names = await _owed(site.case_no)
    due_en = f"{site.due.day} {site.due.strftime('%b')} {site.due.year}"
    names = "、".join(zh_names) if lang == "zh" else ", ".join(en_names)
    expected = owed.format(zh=site.due.isoformat(), en=due_en, m=names)
    site.client.cookies.clear()
    r = await site.client.get(
        "/query", params={"case_no": site.case_no, "query_code": site.query_code, "lang": lang}
    )
    text = visible(r.text)
    assert expected in text
    waived = "本事项免于实地核查：推荐孵化器信用等级 A" if lang == "zh" else "rated A"
    assert waived in text
    codes = await _codes()
    assert leaked(text, codes, lang=lang) == []
    assert "INC-HD-001" not in text  # no incubator codes, draw values or quota positions
    assert not re.search(r"0\.\d{4}", text)
    if lang == "en":
        assert CJK.findall(without_names(text, await _names())) == []


async def test_kiosk_query_says_what_is_owed(site: Site) -> None:
    zh_names, _ = await _owed(site.case_no)
    site.client.cookies.clear()
    await enrol(site.client)
    form = await site.client.get("/kiosk/HD-AI/query")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf
    data = {"csrf_token": csrf.group(1), "case_no": site.case_no, "uscc": site.world.firm_uscc}
    text = visible((await site.client.post("/kiosk/HD-AI/query", data=data)).text)
    assert f"请于 {site.due.isoformat()} 前补交：{'、'.join(zh_names)}" in text
    assert "本事项免于实地核查：推荐孵化器信用等级 A" in text
    assert "INC-HD-001" not in text
    _, en_names = await _owed(site.case_no)
    english = await site.client.post("/kiosk/HD-AI/query?lang=en", data=data)
    text = visible(english.text)
    due = f"{site.due.day} {site.due.strftime('%b')} {site.due.year}"
    assert f"Please hand in by {due}: {', '.join(en_names)}" in text
    assert CJK.findall(without_names(text, await _names())) == []


async def test_the_waiver_reason_names_the_score_not_a_row_id(site: Site) -> None:
    r = await site.client.get(
        f"/api/v1/cases/{site.waived_no}", params={"query_code": site.waived_code}
    )
    rating = next(x for x in r.json()["inspection_reasons"] if x["rule"] == "rating")
    assert re.search(r"得分 \d+(\.\d)?", rating["detail_zh"])
    assert re.search(r"score \d+(\.\d)?", rating["detail"])
    assert "评级 " + "1，" not in rating["detail_zh"]


async def test_spot_check_page_shows_no_seed(site: Site) -> None:
    await page_session(site.client, "li")
    r = await site.client.get("/officials/spot-checks")
    assert not SEED.search(visible(r.text))
    assert "种子" not in visible(r.text)


async def test_the_kiosk_gives_the_legal_basis_in_english(site: Site) -> None:
    site.client.cookies.clear()
    await enrol(site.client)
    page = await site.client.get("/kiosk/HD-AI/matters/HTE-CERT", params={"lang": "en"})
    text = visible(page.text)
    assert "Administrative Measures for the Recognition of High-Tech Enterprises" in text
    assert "高新技术企业认定管理办法" not in text


async def test_the_notice_on_the_public_query_names_materials(site: Site) -> None:
    body = case_body(uscc=site.world.firm_uscc, materials=["application"])
    r = await site.client.post("/api/v1/cases", json=body, headers=site.world.clerk)
    case_no, query_code = r.json()["case_no"], r.json()["query_code"]
    r = await site.client.post(f"/api/v1/cases/{case_no}/return", headers=site.world.clerk, json={})
    assert r.status_code == 200, r.text
    site.client.cookies.clear()
    for lang in ("zh", "en"):
        page = await site.client.get(
            "/query", params={"case_no": case_no, "query_code": query_code, "lang": lang}
        )
        text = visible(page.text)
        license_ = await MaterialRequirement.get(matter__code="HTE-CERT", code="license")
        assert (license_.name if lang == "zh" else license_.name_en) in text
        assert leaked(text, await _codes(), lang=lang) == []


@pytest.mark.parametrize(
    ("lang", "text", "shown"),
    [
        ("en", "已核实处理 <b>", '<span lang="zh-CN">已核实处理 &lt;b&gt;</span>'),
        ("en", "Fixed the queue", "Fixed the queue"),
        ("zh", "已核实处理", "已核实处理"),
    ],
)
def test_a_persons_own_words_are_marked_as_chinese_on_english_pages(
    lang: str, text: str, shown: str
) -> None:
    page = templates.env.from_string("{{ reply|said }}")
    assert page.render(reply=text, lang=lang, _=translator(lang)) == shown
