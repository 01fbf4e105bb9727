"""`servicedesk serve` runs as production unless told otherwise, and production refuses to
start with a default or short secret, cookies over plain HTTP, or demo leftovers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from servicedesk.app import create_app
from servicedesk.settings import DEV_SECRET, Settings
from tests.cli.test_cli import run
from tests.conftest import server_database_url

GOOD_KEY = "k" * 48


def serve(url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`servicedesk serve` as an operator starts it: no SERVICEDESK_ENVIRONMENT unless given."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("SERVICEDESK_")}
    return subprocess.run(
        [sys.executable, "-m", "servicedesk.cli", "serve", "--port", "1", *args],
        capture_output=True,
        text=True,
        env={**base, "SERVICEDESK_DATABASE_URL": url, **env},
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "SERVICEDESK_SECRET_KEY"),
        ({"SERVICEDESK_SECRET_KEY": DEV_SECRET}, "SERVICEDESK_SECRET_KEY"),
        ({"SERVICEDESK_SECRET_KEY": "short-key"}, "SERVICEDESK_SECRET_KEY"),
        ({"SERVICEDESK_SECRET_KEY": GOOD_KEY}, "SERVICEDESK_COOKIE_SECURE"),
    ],
)
def test_production_refuses_unsafe_settings(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    result = serve(f"sqlite://{tmp_path / 'p.sqlite3'}", **env)
    assert result.returncode != 0
    assert named in result.stderr
    assert "production" in result.stderr
    assert not (tmp_path / "p.sqlite3").exists()  # refused before touching the database


def test_demo_is_not_for_production(tmp_path: Path) -> None:
    result = serve(
        f"sqlite://{tmp_path / 'p.sqlite3'}",
        "--demo",
        SERVICEDESK_ENVIRONMENT="production",
        SERVICEDESK_SECRET_KEY=GOOD_KEY,
        SERVICEDESK_COOKIE_SECURE="true",
    )
    assert result.returncode != 0
    assert "--demo" in result.stderr


def test_production_refuses_demo_accounts_and_kiosks(tmp_path: Path) -> None:
    url = server_database_url(tmp_path, prefix="prod")
    assert run(["seed", "--demo"], url).returncode == 0  # a development database, reused
    result = serve(url, SERVICEDESK_SECRET_KEY=GOOD_KEY, SERVICEDESK_COOKIE_SECURE="true")
    assert result.returncode != 0
    assert "demo account 'admin'" in result.stderr
    assert "servicedesk kiosk revoke" in result.stderr


def test_production_with_safe_settings_starts(tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SERVICEDESK_")}
    env = {
        **base,
        "SERVICEDESK_DATABASE_URL": server_database_url(tmp_path, prefix="ok"),
        "SERVICEDESK_SECRET_KEY": GOOD_KEY,
        "SERVICEDESK_PLAIN_HTTP": "true",
    }
    with subprocess.Popen(
        [sys.executable, "-m", "servicedesk.cli", "serve", "--port", "0"],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    ) as server:
        try:
            deadline, seen = time.monotonic() + 60, ""
            assert server.stderr is not None
            while "startup complete" not in seen and time.monotonic() < deadline:
                seen += server.stderr.readline()
            assert "startup complete" in seen, seen
        finally:
            server.terminate()


def test_the_app_itself_refuses_the_default_key() -> None:
    with pytest.raises(RuntimeError, match="SERVICEDESK_SECRET_KEY"):
        create_app(Settings(environment="production"), init_db=False)
    create_app(Settings(environment="development"), init_db=False)  # development is fine
