"""Delivery channels: e-mail over SMTP (aiosmtplib) and SMS through an HTTP gateway.

A channel without its host or URL is off. Each message carries a stable id (the
e-mail's Message-ID, the gateway request's ``{message_id}``) derived from its
deduplication key, so a receiver can tell a repeated delivery from a new message.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import aiosmtplib
import httpx

from servicedesk.notifications.models import Channel, Message
from servicedesk.settings import Settings
from servicedesk.timeutil import now

CHANNEL_OFF = "channel off: not configured"


def channel_on(settings: Settings, channel: Channel | str) -> bool:
    if Channel(channel) is Channel.EMAIL:
        return bool(settings.smtp_host)
    return bool(settings.sms_gateway_url)


def message_id(dedup_key: str) -> str:
    return hashlib.sha256(dedup_key.encode()).hexdigest()[:32]


def email_message(settings: Settings, message: Message) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = settings.mail_from
    mail["To"] = message.recipient
    mail["Subject"] = message.title
    mail["Date"] = format_datetime(now())
    domain = settings.mail_from.rpartition("@")[2] or "servicedesk"
    mail["Message-ID"] = f"<{message_id(message.dedup_key)}@{domain}>"
    mail.set_content(message.body)
    return mail


def sms_request(settings: Settings, message: Message) -> Any:
    """The gateway's JSON body: the template with its placeholders filled in."""
    values = {
        "{mobile}": message.recipient,
        "{text}": message.body,
        "{message_id}": message_id(message.dedup_key),
    }

    def fill(node: Any) -> Any:
        if isinstance(node, str):
            for mark, value in values.items():
                node = node.replace(mark, value)
            return node
        if isinstance(node, dict):
            return {k: fill(v) for k, v in node.items()}
        if isinstance(node, list):
            return [fill(v) for v in node]
        return node

    return fill(json.loads(settings.sms_gateway_template))


def _error(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:500]


class Senders:
    """The channels of one worker: an HTTP client kept open, an SMTP connection per batch."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        auth = None
        if settings.sms_gateway_user:
            auth = httpx.BasicAuth(settings.sms_gateway_user, settings.sms_gateway_password)
        headers = {}
        if settings.sms_gateway_token:
            headers["Authorization"] = f"Bearer {settings.sms_gateway_token}"
        self._http = httpx.AsyncClient(
            timeout=settings.notify_timeout_seconds, auth=auth, headers=headers
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Senders:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def send(self, messages: list[Message]) -> dict[int, str | None]:
        """Deliver ``messages``; per message id, None when delivered or the error."""
        mails = [m for m in messages if m.channel is Channel.EMAIL]
        texts = [m for m in messages if m.channel is Channel.SMS]
        results: dict[int, str | None] = {}
        sms_results = await asyncio.gather(
            self._send_mails(mails, results), *(self._send_sms(m) for m in texts)
        )
        results.update(zip((m.id for m in texts), sms_results[1:], strict=True))
        return results

    async def _send_sms(self, message: Message) -> str | None:
        if not channel_on(self.settings, Channel.SMS):
            return CHANNEL_OFF
        try:
            body = sms_request(self.settings, message)
        except ValueError as exc:
            return f"SERVICEDESK_SMS_GATEWAY_TEMPLATE is not JSON: {exc}"
        try:
            response = await self._http.post(self.settings.sms_gateway_url, json=body)
        except httpx.HTTPError as exc:
            return _error(exc)
        if response.is_success:
            return None
        return f"gateway answered HTTP {response.status_code}: {response.text[:300]}"

    async def _send_mails(self, mails: list[Message], results: dict[int, str | None]) -> None:
        """One SMTP connection for the batch; a broken one is opened again."""
        if not mails:
            return
        if not channel_on(self.settings, Channel.EMAIL):
            results.update((m.id, CHANNEL_OFF) for m in mails)
            return
        client: aiosmtplib.SMTP | None = None
        try:
            for mail in mails:
                try:
                    if client is None or not client.is_connected:
                        client = self._smtp()
                        await client.connect()
                    await client.send_message(email_message(self.settings, mail))
                    results[mail.id] = None
                except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                    results[mail.id] = _error(exc)
                    client = None if client is None or not client.is_connected else client
        finally:
            if client is not None and client.is_connected:
                try:
                    await client.quit()
                except (aiosmtplib.SMTPException, OSError, TimeoutError):
                    client.close()

    def _smtp(self) -> aiosmtplib.SMTP:
        s = self.settings
        return aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_user or None,
            password=s.smtp_password or None,
            use_tls=s.smtp_tls == "tls",
            start_tls=s.smtp_tls == "starttls",
            timeout=s.notify_timeout_seconds,
        )
