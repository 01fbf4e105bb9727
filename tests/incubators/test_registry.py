"""The incubation registry through the API: register, CSV all-or-nothing, graduate,
leave, corrections with a reason, violations and false reports."""

from __future__ import annotations

import httpx

from servicedesk.audit.models import AuditEntry
from servicedesk.incubators.models import Incubation
from tests.admin.park import API, set_up_park
from tests.factories import make_uscc


async def test_register_graduate_leave_and_correct(client: httpx.AsyncClient) -> None:
    park = await set_up_park(client)
    op, official = park.headers["op-new"], park.headers["off-1"]
    firms = (await client.get(f"{API}/incubators/INC-NEW/firms", headers=op)).json()
    assert {f["status"] for f in firms} == {"incubated"}
    bad = await client.post(
        f"{API}/incubators/INC-NEW/firms",
        json={"uscc": "91110108MA00000000", "name": "x", "joined_on": "2025-01-01"},
        headers=op,
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "uscc"
    again = await client.post(
        f"{API}/incubators/INC-NEW/firms",
        json={"uscc": park.firms[0], "name": "x", "joined_on": "2025-01-01"},
        headers=op,
    )
    assert again.status_code == 409
    r = await client.post(
        f"{API}/incubators/INC-NEW/firms/{park.firms[0]}/graduate",
        json={"on": "2025-09-30"},
        headers=op,
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "graduated"
    r = await client.post(
        f"{API}/incubators/INC-NEW/firms/{park.firms[1]}/leave",
        json={"on": "2025-10-01"},
        headers=op,
    )
    assert r.json()["status"] == "left"
    # Only officials correct, and only with a reason.
    body = {"graduated_on": "2025-08-31", "reason": "graduation certificate dated 31 August"}
    denied = await client.patch(
        f"{API}/incubators/INC-NEW/firms/{park.firms[0]}", json=body, headers=op
    )
    assert denied.status_code == 403
    r = await client.patch(
        f"{API}/incubators/INC-NEW/firms/{park.firms[0]}", json=body, headers=official
    )
    assert r.status_code == 200, r.text
    assert r.json()["graduated_on"] == "2025-08-31"
    entry = await AuditEntry.filter(action="incubation.correct").first()
    assert entry is not None
    assert entry.before is not None
    assert entry.before["graduated_on"] == "2025-09-30"
    assert entry.after is not None
    assert entry.after["reason"] == body["reason"]


async def test_csv_with_one_bad_row_registers_nothing_and_names_it(
    client: httpx.AsyncClient,
) -> None:
    park = await set_up_park(client)
    op = park.headers["op-new"]
    before = await Incubation.all().count()
    text = (
        "uscc,name,joined_on\n"
        f"{make_uscc(501)},甲公司,2025-02-01\n"
        f"{make_uscc(502)[:-1]}0,乙公司,2025-02-01\n"
        f"{make_uscc(503)},丙公司,2025-13-01\n"
    )
    r = await client.post(f"{API}/incubators/INC-NEW/firms.csv", content=text.encode(), headers=op)
    assert r.status_code == 422
    assert [row["row"] for row in r.json()["rows"]] == [3, 4]
    assert await Incubation.all().count() == before
    good = text.splitlines()[:2]
    r = await client.post(
        f"{API}/incubators/INC-NEW/firms.csv", content="\n".join(good).encode(), headers=op
    )
    assert r.status_code == 201, r.text
    assert await Incubation.all().count() == before + 1


async def test_records_are_for_officials_and_count_as_derived(client: httpx.AsyncClient) -> None:
    park = await set_up_park(client)
    op, official = park.headers["op-new"], park.headers["off-1"]
    record = {"kind": "violation", "date": "2025-06-10", "note": "fire exit blocked, photo #12"}
    assert (
        await client.post(f"{API}/incubators/INC-NEW/records", json=record, headers=op)
    ).status_code == 403
    r = await client.post(f"{API}/incubators/INC-NEW/records", json=record, headers=official)
    assert r.status_code == 201, r.text
    r = await client.get(
        f"{API}/incubators/INC-NEW/indicators", params={"period": "2025-Q3"}, headers=op
    )
    assert r.status_code == 200, r.text
    items = {i["name"]: i for i in r.json()["indicators"]}
    assert items["violations"] == {
        "name": "violations",
        "value": 1.0,
        "source": "derived",
        "detail": items["violations"]["detail"],
    }
    assert items["window_satisfaction"]["value"] is None
    assert items["window_satisfaction"]["source"] == "derived"
    assert items["mentors_per_100_firms"]["source"] == "reported"
    assert "window_satisfaction" in r.json()["missing"]
    upload = await client.post(
        f"{API}/incubators/INC-NEW/indicators",
        json={"rows": [{"period": "2025-Q3", "violations": 0}]},
        headers=op,
    )
    assert upload.status_code == 422
    assert "derived" in upload.json()["detail"]
