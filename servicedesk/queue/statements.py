"""The hot paths' SQL, and how it runs: one statement on PostgreSQL, one hand-off on SQLite.

Taking a number, calling the next ticket and completing one are what a hall does
all day. On PostgreSQL each is one statement: data-modifying CTEs number, insert,
log, audit and tally together, and ``pg_notify`` in the same statement tells every
worker (delivered on commit). SQLite cannot change two tables in one statement, and
aiosqlite runs every statement on its own thread, one hand-off each (a hand-off
costs more than SQLite's own work here), so an action's statements run together on
that thread in one hand-off, inside one transaction (a savepoint when the caller
already holds one). Actions arriving together share that transaction and its commit
(:class:`GroupCommit`).

Placeholders are written ``{name}`` or ``{name:type}`` (the PostgreSQL type of the
parameter); :func:`compile_sql` numbers them for the dialect.
"""

from __future__ import annotations

import asyncio
import functools
import re
import sqlite3
import weakref
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.exceptions import IntegrityError, OperationalError

R = TypeVar("R")
_MARK = re.compile(r"\{(\w+)(?::(\w+(?:\[\])?))?\}")


@functools.lru_cache(maxsize=64)
def compile_sql(sql: str, dialect: str) -> tuple[str, tuple[str, ...]]:
    """``{name:type}`` -> ``$n::type`` (PostgreSQL) or ``?n`` (SQLite), each name one
    number however often it occurs; returns the SQL and the names in number order."""
    names: list[str] = []

    def mark(match: re.Match[str]) -> str:
        name, kind = match.group(1), match.group(2)
        if name not in names:
            names.append(name)
        number = names.index(name) + 1
        if dialect != "postgres":
            return f"?{number}"
        return f"${number}::{kind}" if kind else f"${number}"

    return _MARK.sub(mark, sql), tuple(names)


def bind(names: tuple[str, ...], values: Mapping[str, Any]) -> list[Any]:
    return [values[name] for name in names]


async def fetch(
    client: BaseDBAsyncClient, sql: str, values: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Run one templated statement; its rows as dicts."""
    text, names = compile_sql(sql, client.capabilities.dialect)
    return await client.execute_query_dict(text, bind(names, values))


def is_postgres(client: BaseDBAsyncClient) -> bool:
    return bool(client.capabilities.dialect == "postgres")


# ---------------------------------------------------------------- SQLite: one hand-off


class Batch:
    """The SQLite connection as seen on its own thread, with templated statements."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def one(self, sql: str, values: Mapping[str, Any]) -> dict[str, Any] | None:
        text, names = compile_sql(sql, "sqlite")
        row = self.conn.execute(text, bind(names, values)).fetchone()
        return dict(row) if row is not None else None

    def run(self, sql: str, values: Mapping[str, Any]) -> None:
        text, names = compile_sql(sql, "sqlite")
        self.conn.execute(text, bind(names, values))


def _atomically(conn: sqlite3.Connection, work: Callable[[Batch], R]) -> R:
    """On the connection's thread: ``work`` inside a transaction, or a savepoint of the
    caller's."""
    if conn.in_transaction:
        return _in_savepoint(conn, work)
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = work(Batch(conn))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # SQLite may have rolled back by itself (disk full, I/O)
            conn.execute("ROLLBACK")
        raise
    return result


def _in_savepoint(conn: sqlite3.Connection, work: Callable[[Batch], R]) -> R:
    conn.execute("SAVEPOINT hot")
    try:
        result = work(Batch(conn))
    except BaseException:
        if conn.in_transaction:  # else SQLite rolled the whole transaction back itself
            conn.execute("ROLLBACK TO hot")
            conn.execute("RELEASE hot")
        raise
    conn.execute("RELEASE hot")
    return result


Outcome = tuple[bool, Any]  # (True, result) or (False, the exception it raised)
GROUP_LIMIT = 64  # works per group at most: a failed commit fails no more than these


def _together(conn: sqlite3.Connection, works: list[Callable[[Batch], Any]]) -> list[Outcome]:
    """On the connection's thread: every work in one transaction, each in a savepoint of
    its own, so one that fails leaves nothing behind and the others still commit. When
    SQLite gives up the whole transaction (disk full, an I/O error), the group fails."""
    if len(works) == 1:  # nothing to share: no savepoint
        try:
            return [(True, _atomically(conn, works[0]))]
        except Exception as exc:
            return [(False, exc)]
    outcomes: list[Outcome] = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        for work in works:
            try:
                outcomes.append((True, _in_savepoint(conn, work)))
            except Exception as exc:
                if not conn.in_transaction:  # the earlier works' writes went with it
                    raise
                outcomes.append((False, exc))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return outcomes


def _failure(exc: BaseException, *, shared: bool = False) -> BaseException:
    """What a caller is raised: SQLite's errors as Tortoise's, as Tortoise's own
    statements raise them; a new exception for each caller of a group that failed
    (``shared``); a work's own exception as it is."""
    if isinstance(exc, sqlite3.IntegrityError):
        failure: BaseException = IntegrityError(exc)
    elif shared or isinstance(exc, sqlite3.OperationalError | StopIteration):
        failure = OperationalError(exc)
    else:
        return exc
    failure.__cause__ = exc
    return failure


class GroupCommit:
    """Hot-path work waiting for one SQLite connection, committed together.

    SQLite writes every page a transaction changed to the log at its commit: a take
    changes a dozen (the ticket, its seven indexes, the tallies), and so does the next
    one, mostly the same pages. While one group runs on the connection's thread, the
    work that arrives meanwhile waits and then runs as the next group (up to
    :data:`GROUP_LIMIT`), in one transaction, each in a savepoint of its own: under
    load the shared pages are written once per group, not once per request, and the
    thread is woken once. Each caller hears of its own result only after its group has
    committed; alone, a work runs at once, as before. The groups run one after
    another, in arrival order, so each work sees everything committed or queued before
    it, as one at a time would."""

    def __init__(self) -> None:
        self.waiting: list[tuple[Callable[[Batch], Any], asyncio.Future[Any]]] = []
        self.draining: asyncio.Task[None] | None = None
        self.groups = 0  # how many groups ran, and with how many works in all
        self.works = 0

    # The client comes with each work rather than being kept here: the groups are
    # looked up by client in a weak mapping, which a reference back would pin forever.
    def submit(self, client: BaseDBAsyncClient, work: Callable[[Batch], R]) -> asyncio.Future[R]:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self.waiting.append((work, future))
        if self.draining is None or self.draining.done():  # (done: cancelled unstarted)
            self.draining = asyncio.get_running_loop().create_task(self._drain(client))
        return future

    async def _drain(self, client: BaseDBAsyncClient) -> None:
        group: list[tuple[Callable[[Batch], Any], asyncio.Future[Any]]] = []
        try:
            while self.waiting:
                # A work whose caller has gone (cancelled) is dropped: nobody would
                # hear of it, and a number taken for nobody would be called in vain.
                live = [(work, future) for work, future in self.waiting if not future.done()]
                group, self.waiting = live[:GROUP_LIMIT], live[GROUP_LIMIT:]
                if group:
                    self.groups, self.works = self.groups + 1, self.works + len(group)
                    _settle(group, *await self._run(client, [work for work, _ in group]))
        except BaseException:  # cancelled (the loop is closing): nobody will hear
            for _, future in group + self.waiting:
                future.cancel()
            self.waiting = []
            raise
        finally:
            if self.draining is asyncio.current_task():
                self.draining = None

    @staticmethod
    async def _run(
        client: BaseDBAsyncClient, works: list[Callable[[Batch], Any]]
    ) -> tuple[list[Outcome], bool]:
        """Each work's outcome, and whether the group failed as a whole."""
        try:
            async with client.acquire_connection() as connection:
                outcomes: list[Outcome] = await connection._execute(
                    _together, connection._conn, works
                )
                return outcomes, False
        except Exception as exc:  # the group's transaction failed: so did every work
            return [(False, exc)] * len(works), True


def _settle(
    group: list[tuple[Any, asyncio.Future[Any]]], outcomes: list[Outcome], shared: bool
) -> None:
    for (_, future), (done, value) in zip(group, outcomes, strict=True):
        if future.done():  # its caller went away meanwhile
            continue
        if done:
            future.set_result(value)
        else:
            future.set_exception(_failure(value, shared=shared))


_groups: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, weakref.WeakKeyDictionary[BaseDBAsyncClient, GroupCommit]
] = weakref.WeakKeyDictionary()


def group_commit(client: BaseDBAsyncClient) -> GroupCommit:
    """The client's group commit on the running event loop."""
    loop = asyncio.get_running_loop()
    per_client = _groups.get(loop)
    if per_client is None:
        per_client = _groups[loop] = weakref.WeakKeyDictionary()
    group = per_client.get(client)
    if group is None:
        group = per_client[client] = GroupCommit()
    return group


async def on_sqlite_thread(client: BaseDBAsyncClient, work: Callable[[Batch], R]) -> R:
    """Run ``work`` atomically on the SQLite connection's thread in one hand-off.

    Inside a caller's transaction it runs in a savepoint of that transaction, holding
    the client's lock like any statement, so nothing else of this process runs on the
    connection meanwhile (``_execute`` is aiosqlite's own way of queueing a call on
    that thread; every statement of aiosqlite goes through it). Otherwise it joins the
    connection's :class:`GroupCommit`."""
    if not isinstance(client, TransactionalDBClient):
        return await group_commit(client).submit(client, work)
    async with client.acquire_connection() as connection:
        try:
            result: R = await connection._execute(_atomically, connection._conn, work)
            return result
        except (sqlite3.IntegrityError, sqlite3.OperationalError) as exc:
            raise _failure(exc) from exc


# ---------------------------------------------------------------- waiting tallies

# A ticket joins (+1) or leaves (-1) the waiting tickets of its queue. The row is made
# with the first ticket of a queue (migration 0003 made those of existing queues).
TALLY = (
    "INSERT INTO queue_tallies (queue_id, priority_waiting, normal_waiting)"
    " VALUES ({queue:integer}, CASE WHEN {rank:integer} = 0 THEN {delta:integer} ELSE 0 END,"
    " CASE WHEN {rank} = 0 THEN 0 ELSE {delta} END)"
    " ON CONFLICT (queue_id) DO UPDATE SET"
    " priority_waiting = queue_tallies.priority_waiting + excluded.priority_waiting,"
    " normal_waiting = queue_tallies.normal_waiting + excluded.normal_waiting"
)

# Every queue's tally from its tickets (after a bulk change such as closing a day).
# PostgreSQL locks the rows in one order first, so two workers recounting at once (or
# a recount beside numbers being taken) wait for each other instead of deadlocking.
RECOUNT = (
    "{lock}UPDATE queue_tallies SET"
    " priority_waiting = (SELECT COUNT(*) FROM tickets t WHERE t.queue_id = queue_tallies.queue_id"
    " AND t.status = 'waiting' AND t.rank = 0),"
    " normal_waiting = (SELECT COUNT(*) FROM tickets t WHERE t.queue_id = queue_tallies.queue_id"
    " AND t.status = 'waiting' AND t.rank <> 0){where}"
)


def recount_sql(dialect: str) -> str:
    if dialect != "postgres":
        return RECOUNT.replace("{lock}", "").replace("{where}", "")
    lock = "WITH l AS (SELECT queue_id FROM queue_tallies ORDER BY queue_id FOR UPDATE) "
    return RECOUNT.replace("{lock}", lock).replace(
        "{where}", " WHERE queue_id IN (SELECT queue_id FROM l)"
    )


# What a new ticket of queue {q} and rank {rank} finds: the tickets waiting ahead of
# it in the other queues its windows serve (their priority tickets; every waiting
# ticket unless the new one is a priority ticket, rank 0), read from their tallies in
# one pass, and how many of those windows hold a ticket. Bounded by the hall's layout,
# whatever the length of the queue.
SURROUNDINGS = (
    "(SELECT COALESCE(SUM(x.priority_waiting"
    " + CASE WHEN {rank} = 0 THEN 0 ELSE x.normal_waiting END), 0) FROM queue_tallies x"
    " WHERE x.queue_id <> {q} AND x.queue_id IN ({served})) AS others,"
    " (SELECT COUNT(*) FROM tickets h WHERE h.holding_window IN"
    " (SELECT wq.windows_id FROM window_queues wq WHERE wq.queue_id = {q})) AS busy"
)
# window_queues is Window.queues' table: (windows_id, queue_id).
SERVED = (
    "SELECT b.queue_id FROM window_queues a JOIN window_queues b ON b.windows_id = a.windows_id"
    " WHERE a.queue_id = {q}"
)


def surroundings(queue_ref: str) -> str:
    return SURROUNDINGS.replace("{served}", SERVED).replace("{q}", queue_ref)
