"""Local stand-ins for the outside world: an SMTP server (aiosmtpd) and an SMS gateway
(a small HTTP/1.1 server), both on 127.0.0.1, recording what they receive."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


MESSAGE_ID = re.compile(rb"^Message-ID: *(\S+)", re.MULTILINE | re.IGNORECASE)


@dataclass
class Mail:
    """One delivery as received; parsed on demand (parsing costs more than receiving)."""

    raw: bytes
    to: list[str]

    @property
    def message_id(self) -> str:
        match = MESSAGE_ID.search(self.raw)
        return match.group(1).decode() if match else ""

    def _parsed(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def subject(self) -> str:
        return str(self._parsed()["Subject"])

    @property
    def body(self) -> str:
        part = self._parsed().get_body(preferencelist=("plain",))
        return str(part.get_content()) if part is not None else ""


class _SmtpHandler:
    def __init__(self, box: SmtpReceiver) -> None:
        self.box = box

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        with self.box.lock:
            self.box.mails.append(Mail(raw=bytes(envelope.content), to=list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SmtpReceiver:
    """A real SMTP server (aiosmtpd) in its own thread."""

    def __init__(self) -> None:
        self.mails: list[Mail] = []
        self.lock = threading.Lock()
        self.port = free_port()
        self._controller = Controller(_SmtpHandler(self), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpReceiver:
        self._controller.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._controller.stop()

    def ids(self) -> Counter[str]:
        with self.lock:
            return Counter(m.message_id for m in self.mails)


@dataclass
class Gateway:
    """An SMS gateway stand-in: answers 503 to the first ``fail_first`` requests (or
    always, with ``fail_always``), 200 afterwards, and records every JSON body."""

    fail_first: int = 0
    fail_always: bool = False
    requests: list[dict[str, Any]] = field(default_factory=list)
    delivered: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/send"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                headers = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (line.partition(":") for line in lines[1:] if line)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                status = self._record(json.loads(body or b"{}"), headers)
                reason = b"OK" if status == 200 else b"Service Unavailable"
                payload = b'{"ok": true}' if status == 200 else b'{"error": "busy"}'
                writer.write(
                    b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (status, reason, len(payload), payload)
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def _record(self, data: dict[str, Any], headers: dict[str, str]) -> int:
        with self.lock:
            self.requests.append(data)
            self.headers.append(headers)
            if self.fail_always or len(self.requests) <= self.fail_first:
                return 503
            self.delivered.append(data)
            return 200

    def ids(self) -> Counter[str]:
        with self.lock:
            return Counter(str(d.get("id")) for d in self.delivered)

    async def serve(self) -> asyncio.Server:
        return await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    def start_in_thread(self) -> threading.Thread:
        """Serve from a thread with its own event loop (for other processes to reach)."""
        started = threading.Event()

        def main() -> None:
            loop = asyncio.new_event_loop()
            loop.run_until_complete(self.serve())
            started.set()
            loop.run_forever()

        thread = threading.Thread(target=main, daemon=True)
        thread.start()
        started.wait(10)
        return thread


# ---------------------------------------------------------------- in a process of their own
# Worker processes under test and bench deliver thousands of messages a second; a
# receiver sharing the test's interpreter (and its GIL) would be the bottleneck.


async def _serve_both(smtp_port: int, http_port: int, log: Path) -> None:
    from aiosmtpd.smtp import SMTP as SMTPServer

    lines: list[str] = []

    class Handler:
        async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
            match = MESSAGE_ID.search(bytes(envelope.content))
            lines.append("email " + (match.group(1).decode() if match else "?"))
            return "250 Message accepted for delivery"

    class Recording(Gateway):
        def _record(self, data: dict[str, Any], headers: dict[str, str]) -> int:  # noqa: ARG002
            lines.append(f"sms {data.get('id')}")
            return 200

    loop = asyncio.get_running_loop()
    smtp = await loop.create_server(lambda: SMTPServer(Handler()), "127.0.0.1", smtp_port)
    http = await Recording(port=http_port).serve()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    with log.open("a") as out:
        out.write("ready\n")
        out.flush()
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.2)
            taken, lines[:] = lines[:], []
            out.writelines(line + "\n" for line in taken)
            out.flush()
    smtp.close()
    http.close()


class ReceiverProcess:
    """An SMTP server and an SMS gateway in a child process; every delivery is a line
    ``email <Message-ID>`` or ``sms <message_id>`` of its log, flushed every 0.2 s."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.smtp_port = free_port()
        self.http_port = free_port()
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/send"

    def __enter__(self) -> ReceiverProcess:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.notifications.receivers"]
            + [str(self.smtp_port), str(self.http_port), str(self.log)],
            cwd=Path(__file__).resolve().parents[2],
        )
        deadline = time.monotonic() + 30
        while not (self.log.exists() and self.log.read_text().startswith("ready")):
            assert self._proc.poll() is None, "the receivers did not start"
            assert time.monotonic() < deadline, "the receivers did not start in 30 s"
            time.sleep(0.05)
        return self

    def __exit__(self, *_exc: object) -> None:
        assert self._proc is not None
        self._proc.terminate()
        self._proc.wait(timeout=30)

    def received(self) -> Counter[str]:
        """``channel id`` -> how many times it arrived, up to the last flush."""
        return Counter(self.log.read_text().splitlines()[1:])


if __name__ == "__main__":
    asyncio.run(_serve_both(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])))
