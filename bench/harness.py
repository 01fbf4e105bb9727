"""What the benches share: servers in child processes, wrk runs, fresh databases.

A server is ``uvicorn.run`` with the options ``servicedesk serve`` uses
(``servicedesk.serving.uvicorn_options``: uvloop, httptools, the production log
settings), run in a child process by ``python bench/harness.py serve APP PORT
WORKERS``; the load comes from wrk (Debian's package) with the Lua scripts in
``bench/wrk/``, each printing its summary as one ``BENCH {json}`` line.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
LUA = HERE / "wrk"
# Child processes import this checkout's code, whatever the environment has installed.
ROOT = str(HERE.parent)
if ROOT not in sys.path:
    sys.path.insert(1, ROOT)
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH", "")) if p)
# Production settings, as a hall runs them (no per-request log by default).
SERVER_ENV = {
    "SERVICEDESK_ENVIRONMENT": "production",
    "SERVICEDESK_SECRET_KEY": "bench-secret-key-not-for-production-use",
    # Plain HTTP on the loopback: production refuses to start over HTTP unless told so.
    "SERVICEDESK_PLAIN_HTTP": "true",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def cpu_seconds(pid: int) -> float:
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def database_cpu_seconds() -> float:
    """CPU seconds of every PostgreSQL server process on this machine (0 without one):
    a figure's database work, as the server's backends for its pool stay up."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/comm"):
        with contextlib.suppress(OSError):
            if stat.read_text().strip() == "postgres":
                total += cpu_seconds(int(stat.parent.name))
    return total


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@dataclass
class Server:
    """uvicorn serving ``app`` (``module:factory``) with ``workers`` processes."""

    app: str
    env: dict[str, str]
    workers: int = 1
    ready_path: str = "/api/v1/service-points"
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    log: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        command = [sys.executable, str(HERE / "harness.py"), "serve", self.app, str(self.port)]
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [*command, str(self.workers)],
            env={**os.environ, **SERVER_ENV, **self.env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 90
        while True:
            if self.proc.poll() is not None:
                self.log.seek(0)
                output = self.log.read().decode(errors="replace")[-3000:]
                raise RuntimeError(f"the server {self.app} exited:\n{output}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(self.url + self.ready_path, timeout=2) as answer:
                    if answer.status == 200 and len(self.worker_pids()) >= self.workers:
                        break
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server {self.app} did not start")
            time.sleep(0.2)
        time.sleep(0.5)  # every worker has started listening
        return self

    def __exit__(self, *_: object) -> None:
        assert self.proc is not None
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()

    def worker_pids(self) -> list[int]:
        assert self.proc is not None
        if self.workers == 1:
            return [self.proc.pid]
        # uvicorn's supervisor spawns the workers (and multiprocessing a resource tracker).
        return [p for p in _children(self.proc.pid) if "spawn_main" in _cmdline(p)]

    def rss_kib(self) -> int:
        return sum(rss_kib(p) for p in self.worker_pids())

    def cpu_seconds(self) -> float:
        """CPU time the server's workers have used so far (user + system)."""
        return sum(cpu_seconds(p) for p in self.worker_pids())


def _cmdline(pid: int) -> str:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    return ""


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is not installed: `make bench` installs it (apt-get install wrk)")
    return found


def wrk(
    url: str,
    script: str,
    *,
    env: dict[str, str],
    connections: int,
    seconds: float,
    threads: int | None = None,
    server: Server | None = None,
) -> dict[str, Any]:
    """Run wrk against ``url`` with ``bench/wrk/<script>``; rates and latencies, the
    CPU milliseconds per request of wrk itself and of PostgreSQL, and of the server when
    ``server`` is given."""
    cpu = server.cpu_seconds() if server else 0.0
    db_cpu = database_cpu_seconds()
    load_cpu = _children_cpu_seconds()
    threads = threads or min(connections, 2)
    command = [ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s"]
    command += ["--timeout", "10s", "-s", str(LUA / script), url]
    done = subprocess.run(
        command,
        env={**os.environ, "BENCH_LUA": str(LUA), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("BENCH ")]
    if not lines:
        raise RuntimeError(f"wrk printed no summary:\n{done.stdout}\n{done.stderr}")
    raw = json.loads(lines[-1].removeprefix("BENCH "))
    seconds_run = raw["duration_us"] / 1e6
    errors = sum(raw[k] for k in ("connect", "read", "write", "timeout", "status"))
    used = (server.cpu_seconds() - cpu) if server else 0.0
    db_used = database_cpu_seconds() - db_cpu
    load_used = _children_cpu_seconds() - load_cpu  # wrk, the only child reaped meanwhile
    return {
        **raw,
        "cpu_ms": used * 1000 / max(raw["requests"], 1) if server else None,
        "db_cpu_ms": db_used * 1000 / max(raw["requests"], 1),
        "load_cpu_ms": load_used * 1000 / max(raw["requests"], 1),
        "rps": raw["requests"] / seconds_run,
        "p50": raw["p50_us"] / 1000,
        "p99": raw["p99_us"] / 1000,
        "errors": errors,
        "seconds": seconds_run,
    }


# ---------------------------------------------------------------- databases


@dataclass(frozen=True)
class Database:
    """A fresh database for one round: a SQLite file or a PostgreSQL database."""

    kind: str  # "sqlite" | "postgres"
    url: str

    @property
    def label(self) -> str:
        return "SQLite" if self.kind == "sqlite" else "PostgreSQL"


@contextlib.contextmanager
def fresh_database(kind: str, *, tmp: Path, server: str) -> Iterator[Database]:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    if kind == "sqlite":
        path = tmp / f"{name}.sqlite3"
        yield Database(kind, f"sqlite://{path}?synchronous=NORMAL")
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{path}{suffix}").unlink()
        return
    asyncio.run(_pg(server, f'CREATE DATABASE "{name}"'))
    try:
        yield Database(kind, f"{server}/{name}")
    finally:
        asyncio.run(_pg(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _pg(server: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(server.replace("postgres://", "postgresql://", 1) + "/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def reset_waiting(db: Database, waiting: int) -> int:
    """Leave at most the ``waiting`` oldest tickets waiting (the newer ones are cancelled
    directly in the database, the queues' tallies counted afresh); how many wait."""
    from servicedesk.queue.statements import recount_sql

    cancel = (
        "UPDATE tickets SET status = 'cancelled' WHERE status = 'waiting' AND id NOT IN"
        f" (SELECT id FROM tickets WHERE status = 'waiting' ORDER BY id LIMIT {int(waiting)})"
    )
    count = "SELECT COUNT(*) FROM tickets WHERE status = 'waiting'"
    if db.kind == "sqlite":
        import sqlite3

        path = db.url.removeprefix("sqlite://").partition("?")[0]
        with contextlib.closing(sqlite3.connect(path, timeout=30)) as conn:
            with conn:
                conn.execute(cancel)
                conn.execute(recount_sql("sqlite"))
            # The bench's own bulk change leaves the WAL, so the next figure does not
            # pay for copying it back (as PostgreSQL's VACUUM below).
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return int(conn.execute(count).fetchone()[0])
    return int(asyncio.run(_pg_reset(db.url, [cancel, recount_sql("postgres")], count)))


async def _pg_reset(url: str, sql: list[str], count: str) -> int:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        async with conn.transaction():
            for statement in sql:
                await conn.execute(statement)
        # What autovacuum does in a running hall: the cancelled rows' dead versions go.
        await conn.execute("VACUUM ANALYZE tickets, queue_tallies, daily_sequences")
        return int(await conn.fetchval(count))
    finally:
        await conn.close()


def settle(db: Database) -> None:
    """After a database is filled: VACUUM ANALYZE (PostgreSQL) or ANALYZE and a WAL
    checkpoint (SQLite), as autovacuum or a maintenance job would have done on a hall's
    database."""
    if db.kind == "sqlite":
        import sqlite3

        path = db.url.removeprefix("sqlite://").partition("?")[0]
        with contextlib.closing(sqlite3.connect(path, timeout=30)) as conn:
            conn.execute("ANALYZE")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the load leaves the WAL
        return

    async def vacuum() -> None:
        import asyncpg

        conn = await asyncpg.connect(db.url.replace("postgres://", "postgresql://", 1))
        try:
            await conn.execute("VACUUM ANALYZE")
        finally:
            await conn.close()

    asyncio.run(vacuum())


def postgres_up(server: str) -> bool:
    try:
        asyncio.run(_pg(server, "SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means: skip PostgreSQL
        return False
    return True


def spin(seconds: float) -> int:
    """Child process: count rounds of pure-Python arithmetic for ``seconds``."""
    deadline = time.perf_counter() + seconds
    rounds = total = 0
    while time.perf_counter() < deadline:
        for i in range(2_000):
            total += i * i % 7
        rounds += 1
    return rounds


def two_process_gain(seconds: float = 2.0, rounds: int = 3) -> float:
    """How much more CPU-bound work two processes do side by side than one alone on
    this machine, now (pure Python, no database, network or I/O): what two cores give a
    program that keeps both busy. One and two alternate, ``rounds`` times; the median
    of the ratios is returned."""
    command = [sys.executable, __file__, "spin", str(seconds)]

    def together(n: int) -> int:
        children = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(n)]
        return sum(int(child.communicate()[0]) for child in children)

    ratios = sorted(together(2) / together(1) for _ in range(rounds))
    return ratios[len(ratios) // 2]


def serve(app: str, port: int, workers: int) -> None:
    """Child process: serve ``app`` as ``servicedesk serve`` serves the real one."""
    import uvicorn

    from servicedesk.serving import uvicorn_options
    from servicedesk.settings import get_settings

    options = uvicorn_options(get_settings(), workers=workers)
    uvicorn.run(app, host="127.0.0.1", port=port, app_dir=str(HERE), **options)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif len(sys.argv) == 3 and sys.argv[1] == "spin":
        print(spin(float(sys.argv[2])))
    else:
        raise SystemExit("usage: harness.py serve MODULE:FACTORY PORT WORKERS | spin SECONDS")
