"""SQLite's hot paths commit together: work that arrives while a group runs joins the
next group, in one transaction, each work in a savepoint of its own.

PostgreSQL runs each hot path as one statement on its own pooled connection, so these
tests are SQLite's only.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from tortoise import connections
from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.transactions import in_transaction

from servicedesk.queue import statements
from servicedesk.queue.models import QueueTally, Ticket
from servicedesk.sequences.models import DailySequence
from tests.conftest import is_postgres
from tests.factories import make_catalogue
from tests.queue.hall import make_big_hall, take_at_once

pytestmark = pytest.mark.skipif(is_postgres(), reason="SQLite's group commit")
DAY = date(2026, 12, 7)
INSERT = "INSERT INTO daily_sequences (scope, day, value) VALUES ({scope}, {day}, {value})"


def insert(scope: str, *, then: BaseException | None = None) -> Any:
    """A work inserting one counter row, then raising ``then`` if given."""

    def work(db: statements.Batch) -> str:
        db.run(INSERT, {"scope": scope, "day": DAY.isoformat(), "value": 1})
        if then is not None:
            raise then
        return scope

    return work


async def scopes() -> set[str]:
    return {str(scope) for scope in await DailySequence.all().values_list("scope", flat=True)}


@pytest.mark.usefixtures("db")
async def test_works_arriving_together_commit_as_one_group() -> None:
    client = connections.get("default")
    group = statements.group_commit(client)
    before = (group.groups, group.works)
    done = await asyncio.gather(
        *[statements.on_sqlite_thread(client, insert(f"s{i}")) for i in range(20)]
    )
    assert done == [f"s{i}" for i in range(20)]  # each caller gets its own result
    assert (group.groups - before[0], group.works - before[1]) == (1, 20)
    assert await scopes() == {f"s{i}" for i in range(20)}
    # Alone, a work runs in a group of its own.
    assert await statements.on_sqlite_thread(client, insert("alone")) == "alone"
    assert (group.groups - before[0], group.works - before[1]) == (2, 21)


@pytest.mark.usefixtures("db")
async def test_a_failing_work_leaves_nothing_and_the_others_commit() -> None:
    client = connections.get("default")
    group = statements.group_commit(client)
    groups_before = group.groups
    await statements.on_sqlite_thread(client, insert("taken"))
    outcomes = await asyncio.gather(
        statements.on_sqlite_thread(client, insert("a")),
        statements.on_sqlite_thread(client, insert("b", then=ValueError("printer jammed"))),
        statements.on_sqlite_thread(client, insert("taken")),  # the unique key refuses it
        statements.on_sqlite_thread(client, insert("c")),
        return_exceptions=True,
    )
    assert outcomes[0] == "a"
    assert outcomes[3] == "c"
    assert isinstance(outcomes[1], ValueError)
    assert isinstance(outcomes[2], IntegrityError)  # as Tortoise's own statements raise it
    assert await scopes() == {"taken", "a", "c"}  # b's row went with its savepoint
    assert group.groups - groups_before == 2  # "taken" alone, then the four together


@pytest.mark.usefixtures("db")
async def test_when_sqlite_gives_the_transaction_up_every_caller_hears_of_it() -> None:
    """Disk full or an I/O error: SQLite rolls the whole transaction back by itself, the
    writes of the works before went with it, so no caller may hear "done"."""
    client = connections.get("default")

    def gives_up(db: statements.Batch) -> None:
        db.run(INSERT, {"scope": "full", "day": DAY.isoformat(), "value": 1})
        db.conn.execute("ROLLBACK")  # what SQLite does on SQLITE_FULL or SQLITE_IOERR
        raise sqlite3.OperationalError("database or disk is full")

    outcomes = await asyncio.gather(
        statements.on_sqlite_thread(client, insert("a")),
        statements.on_sqlite_thread(client, gives_up),
        statements.on_sqlite_thread(client, insert("c")),
        return_exceptions=True,
    )
    assert all(isinstance(o, OperationalError) for o in outcomes), outcomes
    assert len({id(o) for o in outcomes}) == 3  # each caller its own exception
    assert await scopes() == set()
    assert await statements.on_sqlite_thread(client, insert("after")) == "after"
    assert await scopes() == {"after"}  # no transaction was left open


def test_a_full_disk_fails_the_group_and_leaves_no_transaction(tmp_path: Path) -> None:
    """The same with SQLite itself refusing to grow the file, on a WAL database."""
    conn = sqlite3.connect(tmp_path / "full.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE daily_sequences (scope TEXT PRIMARY KEY, day TEXT, value INT)")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count={pages + 3}")
    works = [insert("a"), insert("x" * 200_000), insert("c")]
    with pytest.raises(sqlite3.OperationalError, match="full"):
        statements._together(conn, works)
    assert not conn.in_transaction
    assert conn.execute("SELECT COUNT(*) FROM daily_sequences").fetchone()[0] == 0
    assert statements._together(conn, [insert("c")]) == [(True, "c")]
    conn.close()


@pytest.mark.usefixtures("db")
async def test_a_caller_gone_before_its_group_runs_has_its_work_dropped() -> None:
    client = connections.get("default")
    kept = asyncio.ensure_future(statements.on_sqlite_thread(client, insert("kept")))
    gone = asyncio.ensure_future(statements.on_sqlite_thread(client, insert("gone")))
    await asyncio.sleep(0)  # both submitted, the group not yet run
    gone.cancel()
    assert await kept == "kept"
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert await scopes() == {"kept"}


@pytest.mark.usefixtures("db")
async def test_inside_a_transaction_a_work_joins_it_not_a_group() -> None:
    client = connections.get("default")
    group = statements.group_commit(client)
    before = group.works
    seen: list[bool] = []

    async def fails_after_the_work() -> None:
        async with in_transaction() as tx:
            assert await statements.on_sqlite_thread(tx, insert("inner")) == "inner"
            seen.append(await DailySequence.filter(scope="inner").using_db(tx).exists())
            raise RuntimeError("the caller's transaction fails")

    with pytest.raises(RuntimeError):
        await fails_after_the_work()
    assert seen == [True]  # the work's row was there inside the transaction
    assert await scopes() == set()  # rolled back with the caller's transaction
    assert group.works == before


@pytest.mark.usefixtures("db")
async def test_concurrent_takes_share_commits_and_keep_numbers_and_tallies() -> None:
    await make_catalogue()
    await make_big_hall()
    group = statements.group_commit(connections.get("default"))
    before = (group.groups, group.works)
    views = await take_at_once(48)
    groups, works = group.groups - before[0], group.works - before[1]
    assert works == 48
    assert groups < works
    numbers: dict[str, list[int]] = {}
    for view in views:  # per queue 1, 2, 3 … without gaps, as one at a time would give
        numbers.setdefault(view.queue, []).append(int(view.ticket.ticket_no[1:]))
    for got in numbers.values():
        assert sorted(got) == list(range(1, len(got) + 1))
    tallies = {t.queue_id: t.normal_waiting for t in await QueueTally.all()}
    waiting = await Ticket.filter(status="waiting").count()
    assert sum(tallies.values()) == waiting == 48
