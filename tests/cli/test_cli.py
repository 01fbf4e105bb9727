"""The console script of DESIGN §6, run as a user runs it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tortoise import Tortoise, connections

from servicedesk.db import tortoise_config
from tests.conftest import is_postgres, server_database_url

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], url: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {"SERVICEDESK_ENVIRONMENT": "development", **os.environ, "SERVICEDESK_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "servicedesk.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_migrate_seed_user_and_kiosk(tmp_path: Path) -> None:
    url = server_database_url(tmp_path, prefix="cli")
    assert run(["migrate"], url).returncode == 0
    again = run(["migrate"], url)
    assert again.returncode == 0
    assert "up to date" in again.stdout
    seeded = run(["seed", "--demo"], url)
    assert seeded.returncode == 0
    assert "seeded" in seeded.stdout
    assert "already holds data" in run(["seed", "--demo"], url).stdout
    created = run(
        [
            "user",
            "create",
            "zhang",
            "--role",
            "clerk",
            "--service-point",
            "HD-AI",
            "--password-stdin",
        ],
        url,
        stdin="a-long-password\n",
    )
    assert created.returncode == 0, created.stderr
    duplicate = run(
        [
            "user",
            "create",
            "zhang",
            "--role",
            "clerk",
            "--service-point",
            "HD-AI",
            "--password-stdin",
        ],
        url,
        stdin="a-long-password\n",
    )
    assert duplicate.returncode == 2
    assert "already exists" in duplicate.stderr
    kiosk = run(["kiosk", "create", "--service-point", "HD-AI"], url)
    assert kiosk.returncode == 0
    token = kiosk.stdout.strip()
    assert token.startswith("kiosk_")
    assert len(token) > 30
    assert "\n" not in token
    nowhere = run(["kiosk", "create", "--service-point", "NOWHERE"], url)
    assert nowhere.returncode == 2
    assert "NOWHERE" in nowhere.stderr


def tortoise_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Tortoise's own command line on the project's configuration."""
    return subprocess.run(
        [
            str(Path(sys.executable).parent / "tortoise"),
            "-c",
            "servicedesk.tortoise_conf.TORTOISE_ORM",
            *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


# Tickets as 0001_initial stored them: A001, A002 (transferred on to queue BB, where
# its onward row keeps "A002"), BB001, and a thousandth number the next day.
BEFORE_SEQ = (
    "INSERT INTO service_points (id, code, name, name_en, district, address, focus_industries)"
    " VALUES (1, 'P', 'p', 'p', '', '', '[]')",
    "INSERT INTO queues (id, service_point_id, code, name, name_en)"
    " VALUES (1, 1, 'A', 'a', 'a'), (2, 1, 'BB', 'b', 'b')",
    "INSERT INTO tickets (id, service_point_id, queue_id, day, ticket_no, priority, rank, status,"
    " taken_at, recalls, code, transferred_from_id) VALUES"
    " (1, 1, 1, '2026-11-27', 'A001', 'normal', 1, 'done', '2026-11-27 01:00:00+00:00', 0,"
    " 'c1', NULL),"
    " (2, 1, 1, '2026-11-27', 'A002', 'normal', 1, 'transferred', '2026-11-27 01:01:00+00:00',"
    " 0, 'c2', NULL),"
    " (3, 1, 2, '2026-11-27', 'A002', 'normal', 1, 'waiting', '2026-11-27 01:01:00+00:00', 0,"
    " 'c3', 2),"
    " (4, 1, 2, '2026-11-27', 'BB001', 'normal', 1, 'waiting', '2026-11-27 01:02:00+00:00', 0,"
    " 'c4', NULL),"
    " (5, 1, 1, '2026-11-28', 'A1000', 'normal', 1, 'waiting', '2026-11-28 01:00:00+00:00', 0,"
    " 'c5', NULL)",
)


async def _sql(url: str, statements: tuple[str, ...]) -> list[dict[str, object]]:
    """Run ``statements`` on ``url``; the rows of the last one."""
    await Tortoise.init(config=tortoise_config(url))
    try:
        conn = connections.get("default")
        for sql in statements[:-1]:
            await conn.execute_script(sql)
        return await conn.execute_query_dict(statements[-1])
    finally:
        await Tortoise.close_connections()


def test_migration_0002_numbers_existing_tickets(tmp_path: Path) -> None:
    """Upgrading a database with tickets fills tickets.seq from their numbers."""
    url = server_database_url(tmp_path, prefix="seq")
    env = {**os.environ, "SERVICEDESK_DATABASE_URL": url}
    first = tortoise_cli(["migrate", "models", "0001_initial"], env)
    assert first.returncode == 0, first.stderr
    asyncio.run(_sql(url, (*BEFORE_SEQ, "SELECT 1")))
    assert run(["migrate"], url).returncode == 0
    rows = asyncio.run(_sql(url, ("SELECT id, seq FROM tickets ORDER BY id",)))
    assert [(r["id"], r["seq"]) for r in rows] == [(1, 1), (2, 2), (3, None), (4, 1), (5, 1000)]


@pytest.mark.skipif(is_postgres(), reason="model/migration drift is dialect-independent")
def test_committed_migrations_match_the_models(tmp_path: Path) -> None:
    """`makemigrations` finds nothing to do: every model change has its migration."""
    env = {**os.environ, "SERVICEDESK_DATABASE_URL": f"sqlite://{tmp_path / 'm.sqlite3'}"}
    before = sorted(p.name for p in (ROOT / "servicedesk" / "migrations").glob("0*.py"))
    result = tortoise_cli(["makemigrations"], env)
    after = sorted(p.name for p in (ROOT / "servicedesk" / "migrations").glob("0*.py"))
    for extra in set(after) - set(before):  # never leave a generated file behind
        (ROOT / "servicedesk" / "migrations" / extra).unlink()
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout, result.stdout


# Two tickets served before the tallies existed: waits of 5 and 20 minutes, one done after 7.
BEFORE_TALLIES = (
    "INSERT INTO service_points (id, code, name, name_en, district, address, focus_industries)"
    " VALUES (1, 'P', 'p', 'p', '', '', '[]')",
    "INSERT INTO queues (id, service_point_id, code, name, name_en) VALUES (1, 1, 'A', 'a', 'a')",
    "INSERT INTO tickets (id, service_point_id, queue_id, day, ticket_no, seq, priority, rank,"
    " status, taken_at, called_at, finished_at, recalls, code) VALUES"
    " (1, 1, 1, '2026-11-27', 'A001', 1, 'normal', 1, 'done', '2026-11-27 01:00:00+00:00',"
    " '2026-11-27 01:05:00+00:00', '2026-11-27 01:12:00+00:00', 0, 'c1'),"
    " (2, 1, 1, '2026-11-27', 'A002', 2, 'normal', 1, 'no_show', '2026-11-27 01:00:00+00:00',"
    " '2026-11-27 01:20:00+00:00', '2026-11-27 01:23:00+00:00', 0, 'c2')",
)
ONE_MORE = (
    "INSERT INTO tickets (id, service_point_id, queue_id, day, ticket_no, seq, priority, rank,"
    " status, taken_at, recalls, code) VALUES (3, 1, 1, '2026-11-27', 'A003', 3, 'normal', 1,"
    " 'waiting', '2026-11-27 01:30:00+00:00', 0, 'c3')"
)
TALLIED = (
    "SELECT per, kind, n, seconds, b05, b07, b20 FROM ticket_time_tallies"
    " WHERE n <> 0 ORDER BY per, kind"
)
# Both tickets were taken at 09:00 in Beijing, with no matter: one done, one a no-show.
VOLUMES = (
    "SELECT per, key_id, entries, tickets, called, no_shows, done"
    " FROM ticket_volume_tallies ORDER BY per"
)
COUNTED = [
    {"per": per, "key_id": key, "entries": 2, "tickets": 2, "called": 2, "no_shows": 1, "done": 1}
    for per, key in (("hour", 9), ("matter", 0))
]


def test_migrations_and_the_rebuild_command_tally_existing_tickets(tmp_path: Path) -> None:
    """Upgrading fills the ticket time (0015) and volume (0016) tallies; `statistics
    rebuild` recounts both."""
    url = server_database_url(tmp_path, prefix="tally")
    env = {**os.environ, "SERVICEDESK_DATABASE_URL": url}
    assert tortoise_cli(["migrate", "models", "0009_case_statistics"], env).returncode == 0
    asyncio.run(_sql(url, (*BEFORE_TALLIES, "SELECT 1")))
    assert run(["migrate"], url).returncode == 0
    want = [
        {"per": per, "kind": kind, "n": n, "seconds": s, "b05": b05, "b07": b07, "b20": b20}
        for per in ("clerk", "window")
        for kind, n, s, b05, b07, b20 in (("service", 1, 420, 0, 1, 0), ("wait", 2, 1500, 1, 0, 1))
    ]
    assert asyncio.run(_sql(url, (TALLIED,))) == want
    assert asyncio.run(_sql(url, (VOLUMES,))) == COUNTED
    wipe = ("DELETE FROM ticket_time_tallies", "DELETE FROM ticket_volume_tallies", "SELECT 1")
    asyncio.run(_sql(url, wipe))
    rebuilt = run(["statistics", "rebuild"], url)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "4 time tally rows and 2 volume tally rows" in rebuilt.stdout
    assert asyncio.run(_sql(url, (TALLIED,))) == want
    assert asyncio.run(_sql(url, (VOLUMES,))) == COUNTED
    # The upgraded triggers keep counting (0017 remade the table on SQLite).
    asyncio.run(_sql(url, (ONE_MORE, "SELECT 1")))
    summed = (
        "SELECT per, key_id, SUM(entries) AS entries, SUM(tickets) AS tickets"
        " FROM ticket_volume_tallies GROUP BY per, key_id ORDER BY per"
    )
    assert asyncio.run(_sql(url, (summed,))) == [
        {"per": per, "key_id": key, "entries": 3, "tickets": 3}
        for per, key in (("hour", 9), ("matter", 0))
    ]
