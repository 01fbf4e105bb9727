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
from functools import lru_cache
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

    return fill(_template(settings.sms_gateway_template))


@lru_cache(maxsize=4)
def _template(text: str) -> Any:
    return json.loads(text)


def _error(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:500]


class Senders:
    """The channels of one worker: an HTTP client and an SMTP connection, kept open."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        auth = None
        if settings.sms_gateway_user:
            auth = httpx.BasicAuth(settings.sms_gateway_user, settings.sms_gateway_password)
        headers = {}
        if settings.sms_gateway_token:
            headers["Authorization"] = f"Bearer {settings.sms_gateway_token}"
        self._smtp_client: aiosmtplib.SMTP | None = None
        self._http = httpx.AsyncClient(
            timeout=settings.notify_timeout_seconds, auth=auth, headers=headers
        )

    async def aclose(self) -> None:
        await self._close_smtp()
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
        """E-mails one after another over the worker's SMTP connection."""
        if mails and not channel_on(self.settings, Channel.EMAIL):
            results.update((m.id, CHANNEL_OFF) for m in mails)
            return
        for mail in mails:
            try:
                await self._send_mail(mail)
                results[mail.id] = None
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                results[mail.id] = _error(exc)

    async def _send_mail(self, mail: Message) -> None:
        """Over the open connection; one that the server closed meanwhile (idle
        timeout) is opened again once, before anything was handed over."""
        message = email_message(self.settings, mail)
        if self._smtp_client is not None and self._smtp_client.is_connected:
            try:
                await self._smtp_client.send_message(message)
                return
            except aiosmtplib.SMTPServerDisconnected:
                pass
        self._smtp_client = self._smtp()
        await self._smtp_client.connect()
        await self._smtp_client.send_message(message)

    async def _close_smtp(self) -> None:
        client, self._smtp_client = self._smtp_client, None
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
