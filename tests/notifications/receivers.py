"""Local stand-ins for the outside world: an SMTP server (aiosmtpd) and an SMS gateway
(a small HTTP/1.1 server), both on 127.0.0.1, recording what they receive."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Mail:
    message_id: str
    to: list[str]
    subject: str
    body: str


class _SmtpHandler:
    def __init__(self, box: SmtpReceiver) -> None:
        self.box = box

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        body = parsed.get_body(preferencelist=("plain",))
        with self.box.lock:
            self.box.mails.append(
                Mail(
                    message_id=str(parsed["Message-ID"]),
                    to=list(envelope.rcpt_tos),
                    subject=str(parsed["Subject"]),
                    body=body.get_content() if body is not None else "",
                )
            )
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
