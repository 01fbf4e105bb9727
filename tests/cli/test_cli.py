"""The console script of DESIGN §6, run as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import is_postgres, server_database_url

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], url: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SERVICEDESK_DATABASE_URL": url}
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


@pytest.mark.skipif(is_postgres(), reason="model/migration drift is dialect-independent")
def test_committed_migrations_match_the_models(tmp_path: Path) -> None:
    """`makemigrations` finds nothing to do: every model change has its migration."""
    env = {**os.environ, "SERVICEDESK_DATABASE_URL": f"sqlite://{tmp_path / 'm.sqlite3'}"}
    before = sorted(p.name for p in (ROOT / "servicedesk" / "migrations").glob("0*.py"))
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "tortoise"),
            "-c",
            "servicedesk.tortoise_conf.TORTOISE_ORM",
            "makemigrations",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    after = sorted(p.name for p in (ROOT / "servicedesk" / "migrations").glob("0*.py"))
    for extra in set(after) - set(before):  # never leave a generated file behind
        (ROOT / "servicedesk" / "migrations" / extra).unlink()
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout, result.stdout
