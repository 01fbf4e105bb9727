"""The audit log is a hash chain: `audit verify` finds an edited, removed or inserted row;
the database refuses UPDATE and DELETE on it; command-line actions name the OS user."""

from __future__ import annotations

import asyncio
import getpass
from pathlib import Path

import pytest
from tortoise import connections
from tortoise.context import TortoiseContext

from servicedesk.audit import service as audit
from servicedesk.audit.models import AuditEntry
from tests.cli.test_cli import _sql, run
from tests.conftest import server_database_url


async def _entries(n: int) -> None:
    for i in range(n):
        await audit.record(
            "test.step",
            actor="official:li",
            entity="thing",
            entity_id=i,
            before={"n": i, "rate": 0.05},
            after={"n": i + 1, "rate": 1.0, "names": ["甲", "乙"]},
        )


async def test_a_whole_chain_verifies(db: TortoiseContext) -> None:  # noqa: ARG001
    await _entries(5)
    verdict = await audit.verify()
    assert verdict.whole
    assert verdict.checked == 5
    rows = await AuditEntry.all().order_by("id")
    assert rows[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.row_hash for a, b in zip(rows, rows[1:], strict=False))
    assert verdict.head == rows[-1].row_hash


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE audit_log SET actor = 'official:wang' WHERE id = {id}",
        "UPDATE audit_log SET after = '{{\"n\": 99}}' WHERE id = {id}",
        "DELETE FROM audit_log WHERE id = {id}",
    ],
)
async def test_verify_names_the_first_broken_row(
    db: TortoiseContext,  # noqa: ARG001
    tamper: str,
) -> None:
    await _entries(6)
    third = (await AuditEntry.all().order_by("id"))[2]
    await connections.get("default").execute_script(tamper.format(id=third.id))
    verdict = await audit.verify()
    assert not verdict.whole
    expected = third.id + 1 if tamper.startswith("DELETE") else third.id
    assert verdict.broken_id == expected


async def test_concurrent_writers_keep_one_chain(db: TortoiseContext) -> None:  # noqa: ARG001
    await asyncio.gather(*[_entries(3) for _ in range(10)])
    verdict = await audit.verify()
    assert verdict.whole
    assert verdict.checked == 30


def test_the_cli_verifies_and_the_database_refuses_edits(tmp_path: Path) -> None:
    url = server_database_url(tmp_path, prefix="audit")
    assert run(["seed", "--demo"], url).returncode == 0
    created = run(
        ["user", "create", "zhang", "--role", "official", "--password-stdin"],
        url,
        stdin="a-long-password\n",
    )
    assert created.returncode == 0, created.stderr
    whole = run(["audit", "verify"], url)
    assert whole.returncode == 0, whole.stderr
    assert "audit chain whole" in whole.stdout
    rows = asyncio.run(
        _sql(url, ("SELECT id, actor FROM audit_log WHERE action = 'user.create' ORDER BY id",))
    )
    assert rows[-1]["actor"] == f"cli:{getpass.getuser()}"  # the operator, not "system"
    victim = rows[0]["id"]
    for statement in (
        f"UPDATE audit_log SET actor = 'nobody' WHERE id = {victim}",
        f"DELETE FROM audit_log WHERE id = {victim}",
    ):
        with pytest.raises(Exception, match="append-only"):
            asyncio.run(_sql(url, (statement, "SELECT 1")))
    # Someone with the database owner's rights drops the triggers and edits a row:
    drop = (
        "DROP TRIGGER audit_log_no_change ON audit_log"
        if url.startswith("postgres")
        else "DROP TRIGGER audit_log_no_update"
    )
    edit = f"UPDATE audit_log SET actor = 'nobody' WHERE id = {victim}"
    asyncio.run(_sql(url, (drop, edit, "SELECT 1")))
    broken = run(["audit", "verify"], url)
    assert broken.returncode != 0
    assert f"row {victim}" in broken.stderr


HOT_PATH_ROW = (
    "INSERT INTO audit_log (at, actor, action, entity, entity_id, after) VALUES"
    " ('2026-12-07 01:00:00+00:00', 'clerk:clerk-hd', 'ticket.call', 'ticket', '7',"
    ' \'{"ticket_no": "B007"}\')'
)


async def test_rows_the_hot_paths_write_are_sealed_into_the_chain(
    db: TortoiseContext,  # noqa: ARG001
) -> None:
    """Call-next and complete insert their audit row in their one statement, without
    hashes; sealing chains them in arrival order, and an edit afterwards is found."""
    await _entries(2)
    await connections.get("default").execute_script(HOT_PATH_ROW)
    await _entries(1)  # a later row chains on the sealed head, not past the hot row
    assert await audit.seal() == 1
    assert await audit.seal() == 0
    verdict = await audit.verify()
    assert verdict.whole
    assert verdict.checked == 4
    hot = await AuditEntry.get(action="ticket.call")
    assert hot.chain_seq == 4  # sealed after the row recorded meanwhile
    await connections.get("default").execute_script(
        f"UPDATE audit_log SET actor = 'clerk:other' WHERE id = {hot.id}"
    )
    broken = await audit.verify()
    assert broken.broken_id == hot.id


async def test_a_backlog_of_hot_rows_is_sealed_in_batches_in_arrival_order(
    db: TortoiseContext,  # noqa: ARG001
) -> None:
    """A busy hall leaves hundreds of rows to seal: each batch chains its rows in id
    order in one round of updates, the next batch continues from its head."""
    await _entries(1)
    for _ in range(25):
        await connections.get("default").execute_script(HOT_PATH_ROW)
    assert await audit.seal(limit=10) == 10
    assert await audit.seal(limit=10) == 10
    assert await audit.seal(limit=10) == 5
    assert await audit.seal() == 0
    verdict = await audit.verify()
    assert verdict.whole
    assert verdict.checked == 26
    hot = await AuditEntry.filter(action="ticket.call").order_by("id")
    assert [row.chain_seq for row in hot] == list(range(2, 27))
    assert all(b.prev_hash == a.row_hash for a, b in zip(hot, hot[1:], strict=False))
