"""Take-a-number latency while someone guesses a password, against the same without.

    .venv/bin/python bench/login_attack.py [--tickets 400] [--kiosks 8] [--guesses 200]

One ``servicedesk serve --demo`` worker on a fresh SQLite file, with production's
Argon2 cost (64 MiB, t=3). Kiosk clients take numbers at HD-AI, each waiting for its
answer before sending the next, first alone (the baseline), then while an attacker
sends ``--guesses`` wrong passwords for ``admin`` from 8 connections at once. It prints
p50 and p99 of take-a-number in both runs and their ratio (the target: p99 within 2x
of the baseline), how the guesses were answered, and whether the right password was
then refused (the account locked) while another account still logged in.

Before the throttle, every guess ran Argon2 on the event loop (~0.1 s of a core each),
so the kiosks waited behind them; now the account locks after 20 failures, refused
attempts cost one database upsert, and Argon2 runs in at most 2 worker threads.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from servicedesk.accounts.kiosks import demo_kiosk_token  # noqa: E402
from servicedesk.seed.demo import DEMO_PASSWORD  # noqa: E402
from servicedesk.settings import DEV_SECRET  # noqa: E402


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {
        **os.environ,
        "SERVICEDESK_DATABASE_URL": f"sqlite://{tmp / 'bench.sqlite3'}",
        "SERVICEDESK_ENVIRONMENT": "development",
        "SERVICEDESK_ARGON2_TIME_COST": "3",
        "SERVICEDESK_ARGON2_MEMORY_KIB": "65536",
        "PYTHONPATH": str(ROOT),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "servicedesk.cli", "serve", "--demo", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tmp,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/v1/service-points", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("the demo server did not start")


async def take_numbers(base: str, *, tickets: int, kiosks: int) -> list[float]:
    headers = {"Authorization": f"Bearer {demo_kiosk_token('HD-AI', DEV_SECRET)}"}
    latencies: list[float] = []
    per_kiosk = tickets // kiosks

    async def kiosk() -> None:
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:
            for _ in range(per_kiosk):
                started = time.perf_counter()
                r = await http.post(
                    "/api/v1/service-points/HD-AI/tickets", json={"matter_code": "HTE-CERT"}
                )
                latencies.append(time.perf_counter() - started)
                assert r.status_code == 201, r.text

    await asyncio.gather(*[kiosk() for _ in range(kiosks)])
    return latencies


async def attack(base: str, *, guesses: int, connections: int = 8) -> Counter[int]:
    answers: Counter[int] = Counter()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(guesses):
        queue.put_nowait(i)

    async def attacker() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            while not queue.empty():
                i = queue.get_nowait()
                r = await http.post(
                    "/api/v1/auth/token", json={"username": "admin", "password": f"guess-{i}"}
                )
                answers[r.status_code] += 1

    await asyncio.gather(*[attacker() for _ in range(connections)])
    return answers


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def run(args: argparse.Namespace) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="servicedesk-login-bench-"))
    server, base = start_server(tmp)
    try:
        await take_numbers(base, tickets=args.kiosks * 4, kiosks=args.kiosks)  # warm up
        quiet = await take_numbers(base, tickets=args.tickets, kiosks=args.kiosks)
        numbers = asyncio.create_task(take_numbers(base, tickets=args.tickets, kiosks=args.kiosks))
        answers = await attack(base, guesses=args.guesses)
        busy = await numbers
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            right = await http.post(
                "/api/v1/auth/token", json={"username": "admin", "password": DEMO_PASSWORD}
            )
            other = await http.post(
                "/api/v1/auth/token",
                json={"username": "official-li", "password": DEMO_PASSWORD},
            )
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"take a number, {args.kiosks} kiosks, {args.tickets} tickets per run")
    print(f"  without attack  p50 {p(quiet, 0.5):6.1f} ms   p99 {p(quiet, 0.99):6.1f} ms")
    print(f"  during attack   p50 {p(busy, 0.5):6.1f} ms   p99 {p(busy, 0.99):6.1f} ms")
    print(f"  p99 ratio       {p(busy, 0.99) / p(quiet, 0.99):.2f} (target: at most 2)")
    print(f"  mean ratio      {statistics.mean(busy) / statistics.mean(quiet):.2f}")
    print(f"{args.guesses} wrong passwords for admin answered: {dict(sorted(answers.items()))}")
    print(f"the right password afterwards: {right.status_code} (429 = locked)")
    print(f"another account afterwards: {other.status_code}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=400)
    parser.add_argument("--kiosks", type=int, default=8)
    parser.add_argument("--guesses", type=int, default=200)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
