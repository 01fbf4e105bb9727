"""A demo service (`servicedesk serve --demo`) on a free port, for the tests that drive
a real server: the browser tests and Schemathesis."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited early:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(base + "/api/v1/service-points", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail(f"server did not start:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def demo_server(prefix: str, database_url: Callable[[Path], str], **env: str) -> Iterator[str]:
    """The server's base URL while the block runs; ``env`` adds settings. The server's
    log is in its temporary folder, shown when it does not start."""
    tmp = Path(tempfile.mkdtemp(prefix=f"servicedesk-{prefix}-"))
    port = free_port()
    environment = {
        **os.environ,
        "SERVICEDESK_DATABASE_URL": database_url(tmp),
        "SERVICEDESK_ENVIRONMENT": "development",
        "PYTHONPATH": str(ROOT),  # this checkout's code, whatever the virtualenv points at
        **env,
    }
    log = (tmp / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "servicedesk.cli", "serve", "--demo", "--port", str(port)],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, proc, tmp / "server.log")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)
