"""The audit log keeps who did what, when, and the state before and after."""

from __future__ import annotations

from datetime import timedelta

from tortoise.context import TortoiseContext
from tortoise.transactions import in_transaction

from servicedesk.audit import service as audit
from servicedesk.audit.models import AuditEntry
from servicedesk.timeutil import now


async def test_record_keeps_actor_action_before_and_after(db: TortoiseContext) -> None:  # noqa: ARG001
    started = now()
    await audit.record(
        "case.accept",
        actor="clerk:clerk-hd",
        entity="case",
        entity_id=42,
        before={"status": "submitted"},
        after={"status": "accepted"},
    )
    (entry,) = await audit.entries_for("case", "42")
    assert (entry.actor, entry.action, entry.entity, entry.entity_id) == (
        "clerk:clerk-hd",
        "case.accept",
        "case",
        "42",
    )
    assert entry.before == {"status": "submitted"}
    assert entry.after == {"status": "accepted"}
    assert started - timedelta(seconds=1) <= entry.at <= now() + timedelta(seconds=1)


async def test_entries_are_per_entity_and_in_order(db: TortoiseContext) -> None:  # noqa: ARG001
    for action in ("a.first", "a.second", "a.third"):
        await audit.record(action, actor="system", entity="case", entity_id="SP-1")
    await audit.record("other", actor="system", entity="ticket", entity_id="SP-1")
    await audit.record("other", actor="system", entity="case", entity_id="SP-2")

    entries = await audit.entries_for("case", "SP-1")
    assert [e.action for e in entries] == ["a.first", "a.second", "a.third"]
    assert await audit.entries_for("case", "SP-3") == []


async def test_an_entry_rolls_back_with_its_transaction(db: TortoiseContext) -> None:  # noqa: ARG001
    class Boom(Exception):
        pass

    try:
        async with in_transaction() as conn:
            await audit.record(
                "case.accept", actor="system", entity="case", entity_id=1, connection=conn
            )
            raise Boom
    except Boom:
        pass
    assert await AuditEntry.all().count() == 0
