"""The rating pages, server side: the window's tablet, the receipt's status page, the
progress query and the supervisor's follow-ups; every string in English too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from servicedesk.accounts import kiosks
from servicedesk.accounts import service as accounts
from servicedesk.catalogue import service as catalogue
from servicedesk.errors import Conflict
from servicedesk.evaluations import holder
from tests.evaluations.conftest import API, Hall
from tests.evaluations.test_rating import _decided_case
from tests.kiosk_ui.pages import page_session

TEMPLATES = Path(__file__).resolve().parents[2] / "kiosk_ui" / "templates"


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, name
    return match.group(1)


async def _enrol_tablet(hall: Hall, *, point: str = "HD-AI", window: str = "HD-AI-W1") -> None:
    """The tablet is enrolled like a kiosk of its point, by a one-time code."""
    device, _ = await accounts.create_kiosk(await catalogue.get_point(point))
    code = await kiosks.new_enrol_code(device.id, actor="test")
    page = await hall.client.get(f"/kiosk/{point}/enrol")
    r = await hall.client.post(
        f"/kiosk/{point}/enrol", data={"csrf_token": hidden(page.text, "csrf_token"), "code": code}
    )
    assert r.status_code == 303, r.text
    assert (await hall.client.get(f"/rate/{window}")).status_code == 200


async def test_the_tablet_rates_the_ticket_just_finished_at_its_window(hall: Hall) -> None:
    await _enrol_tablet(hall)
    idle = await hall.client.get("/rate/HD-AI-W1")
    assert 'data-testid="tablet-idle"' in idle.text
    ticket = await hall.served_ticket()
    offer = await hall.client.get("/rate/HD-AI-W1")
    assert 'data-testid="tablet-ticket">B001<' in offer.text
    step = await hall.client.get("/rate/HD-AI-W1?level=1")
    assert 'value="long_wait"' in step.text
    form = {
        "csrf_token": hidden(step.text, "csrf_token"),
        "ticket_id": str(ticket["id"]),
        "level": "1",
        "tags": ["long_wait", "poor_attitude"],
        "comment": "窗口人员离岗",
    }
    done = await hall.client.post("/rate/HD-AI-W1", data=form)
    assert done.status_code == 303
    assert 'data-testid="thanks"' in (await hall.client.get(done.headers["location"])).text
    assert 'data-testid="tablet-idle"' in (await hall.client.get("/rate/HD-AI-W1")).text
    again = await hall.client.post("/rate/HD-AI-W1", data=form, headers={"accept": "text/html"})
    assert again.status_code == 409
    listed = await hall.client.get(f"{API}/follow-ups", headers=hall.official)
    assert [(f["level"], f["tags"]) for f in listed.json()] == [(1, ["long_wait", "poor_attitude"])]


async def test_a_tablet_rates_only_what_its_own_window_offers(hall: Hall) -> None:
    ticket = await hall.served_ticket(window="HD-AI-W1")
    await _enrol_tablet(hall, window="HD-AI-W2")
    page = await hall.client.get("/rate/HD-AI-W2")
    assert 'data-testid="tablet-idle"' in page.text
    with pytest.raises(Conflict):
        await holder.rate_at_window(
            "HD-AI-W2", ticket_id=ticket["id"], level=5, tags=[], comment=""
        )
    await _enrol_tablet(hall, point="DX-BIO", window="DX-BIO-W1")
    foreign = await hall.client.get("/rate/HD-AI-W1", headers={"accept": "text/html"})
    assert foreign.status_code == 403


async def test_the_receipt_page_rates_and_shows_the_reply(hall: Hall) -> None:
    ticket = await hall.served_ticket()
    code = ticket["receipt_code"]
    page = await hall.client.get(f"/ticket/{code}")
    assert 'data-testid="level-2"' in page.text
    r = await hall.client.post(f"/ticket/{code}/rate", data={"level": "2", "tags": "long_wait"})
    assert r.status_code == 303
    pending = await hall.client.get(f"/ticket/{code}")
    assert 'data-testid="reply-pending"' in pending.text
    assert 'data-testid="level-2"' not in pending.text

    csrf = await page_session(hall.client, "boss")
    worklist = await hall.client.get("/follow-ups")
    assert "等候时间过长" in worklist.text
    fid = re.search(r'data-testid="follow-up-(\d+)"', worklist.text)
    assert fid
    sent = await hall.client.post(
        f"/follow-ups/{fid.group(1)}/reply",
        data={"csrf_token": csrf, "kind": "rectified", "text": "已增设叫号提醒"},
    )
    assert sent.status_code == 303
    answered = await hall.client.get(f"/ticket/{code}")
    assert 'data-testid="reply"' in answered.text
    assert "已增设叫号提醒" in answered.text


async def test_the_progress_query_rates_a_decided_case(hall: Hall) -> None:
    case = await _decided_case(hall)
    params = {"case_no": case["case_no"], "query_code": case["query_code"]}
    page = await hall.client.get("/query", params=params)
    assert page.status_code == 200
    assert 'data-testid="level-5"' in page.text
    by_uscc = await hall.client.get(
        "/query", params={"case_no": case["case_no"], "uscc": case["firm"]["uscc"]}
    )
    assert 'data-testid="level-5"' not in by_uscc.text  # rating needs the query code
    r = await hall.client.post("/query/rate", data={**params, "level": "5", "tags": "one_visit"})
    assert r.status_code == 303
    rated = await hall.client.get("/query", params=params)
    assert 'data-testid="rated"' in rated.text
    assert "一次办成" in rated.text
    wrong = await hall.client.post(
        "/query/rate",
        data={**params, "query_code": "WRONG123", "level": "5"},
        headers={"accept": "text/html"},
    )
    assert wrong.status_code == 404


async def test_clerks_do_not_see_follow_ups(hall: Hall) -> None:
    await page_session(hall.client, "clerk1")
    r = await hall.client.get("/follow-ups", headers={"accept": "text/html"})
    assert r.status_code == 403


def test_every_rating_page_string_has_an_english_translation() -> None:
    from kiosk_ui.web import _catalog

    english = _catalog("en")
    pages = (
        "_rating.html",
        "rate_tablet.html",
        "follow_ups.html",
        "ticket_status.html",
        "statistics.html",
        "query.html",
    )
    missing = []
    for name in pages:
        for text in re.findall(r'_\("([^"]+)"\)', (TEMPLATES / name).read_text()):
            if re.search(r"[\u4e00-\u9fff]", text) and text not in english:
                missing.append((name, text))
    assert missing == []
