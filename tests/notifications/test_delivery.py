"""Delivery to a real SMTP server and a local SMS gateway: retries, backoff, dead letters."""

from __future__ import annotations

from datetime import timedelta

from tortoise.context import TortoiseContext

from servicedesk.notifications import contacts, outbox
from servicedesk.notifications.channels import Senders, message_id
from servicedesk.notifications.delivery import deliver_due
from servicedesk.notifications.models import Message, MessageStatus
from servicedesk.notifications.schemas import ContactIn
from servicedesk.settings import Settings
from servicedesk.timeutil import beijing, frozen
from tests.notifications.conftest import worker_settings
from tests.notifications.receivers import Gateway, SmtpReceiver

HOLDER = "firm:91110108MA0000001X"
PARAMS = {
    "case_no": "HD-AI-20261102-0001",
    "firm": "北京测试科技有限公司",
    "matter": {"zh": "高新技术企业认定", "en": "High-tech enterprise certification"},
    "point": {"zh": "海淀人工智能服务站", "en": "Haidian AI service point"},
}
T0 = beijing(2026, 11, 2, 10)


async def queue(contact: dict[str, object], *, key: str = "case-event:1") -> list[Message]:
    await contacts.remember(HOLDER, ContactIn(consent=True, **contact), actor="test")
    await outbox.enqueue(HOLDER, template="approved", event_key=key, params=PARAMS)
    return await Message.all().order_by("id")


async def test_email_reaches_a_real_smtp_server(
    db: TortoiseContext,  # noqa: ARG001
    smtp: SmtpReceiver,
    senders: Senders,
    delivery: Settings,
) -> None:
    (message,) = await queue({"email": "finance@example.com"})
    assert await deliver_due(senders, settings=delivery) == 1
    (mail,) = smtp.mails
    assert mail.to == ["finance@example.com"]
    assert mail.subject == "【海淀人工智能服务站】办件 HD-AI-20261102-0001 审核通过"
    assert "您的「高新技术企业认定」申请（办件号 HD-AI-20261102-0001）已审核通过" in mail.body
    assert mail.message_id == f"<{message_id(message.dedup_key)}@localhost>"
    stored = await Message.get(id=message.id)
    assert stored.status is MessageStatus.SENT
    assert stored.sent_at is not None
    assert stored.attempts == 1
    assert await deliver_due(senders, settings=delivery) == 0  # nothing sent twice
    assert len(smtp.mails) == 1


async def test_sms_reaches_the_gateway_with_its_template_and_credentials(
    db: TortoiseContext,  # noqa: ARG001
    gateway: Gateway,
    senders: Senders,
    delivery: Settings,
) -> None:
    (message,) = await queue({"mobile": "13812345678", "lang": "en"})
    assert await deliver_due(senders, settings=delivery) == 1
    assert gateway.delivered == [
        {"to": "13812345678", "text": message.body, "id": message_id(message.dedup_key)}
    ]
    assert "was approved" in message.body
    assert gateway.headers[0]["authorization"] == "Bearer gw-secret"
    assert (await Message.get(id=message.id)).status is MessageStatus.SENT


async def test_gateway_failing_three_times_then_succeeding_delivers_once_after_backoff(
    db: TortoiseContext,  # noqa: ARG001
    gateway: Gateway,
    senders: Senders,
    delivery: Settings,
) -> None:
    gateway.fail_first = 3
    with frozen(T0):
        (message,) = await queue({"mobile": "13812345678"})
    waits = [0, 30, 60, 120]  # seconds after the previous attempt: 30 × 2^(n−1)
    moment = T0
    for attempt, wait in enumerate(waits, start=1):
        with frozen(moment + timedelta(seconds=wait - 1)):
            if wait:  # not due a second early
                assert await deliver_due(senders, settings=delivery) == 0
        moment += timedelta(seconds=wait)
        with frozen(moment):
            assert await deliver_due(senders, settings=delivery) == 1
        stored = await Message.get(id=message.id)
        assert stored.attempts == attempt
    assert stored.status is MessageStatus.SENT
    assert len(gateway.requests) == 4
    assert len(gateway.delivered) == 1
    with frozen(moment + timedelta(days=1)):
        assert await deliver_due(senders, settings=delivery) == 0


async def test_failing_every_attempt_leaves_a_dead_message_with_its_error(
    db: TortoiseContext,  # noqa: ARG001
    gateway: Gateway,
    senders: Senders,
    delivery: Settings,
) -> None:
    gateway.fail_always = True
    with frozen(T0):
        (message,) = await queue({"mobile": "13812345678"})
    for day in range(delivery.notify_max_attempts):
        with frozen(T0 + timedelta(days=day)):
            assert await deliver_due(senders, settings=delivery) == 1
    stored = await Message.get(id=message.id)
    assert stored.status is MessageStatus.DEAD
    assert stored.attempts == delivery.notify_max_attempts == 5
    assert stored.last_error.startswith("gateway answered HTTP 503")
    with frozen(T0 + timedelta(days=30)):
        assert await deliver_due(senders, settings=delivery) == 0
    assert len(gateway.requests) == 5


async def test_smtp_server_away_counts_as_a_failed_attempt(
    db: TortoiseContext,  # noqa: ARG001
    settings: Settings,
) -> None:
    from tests.notifications.receivers import free_port

    away = worker_settings(settings, smtp_host="127.0.0.1", smtp_port=free_port(), smtp_tls="none")
    with frozen(T0):
        (message,) = await queue({"email": "finance@example.com"})
        async with Senders(away) as senders:
            assert await deliver_due(senders, settings=away) == 1
    stored = await Message.get(id=message.id)
    assert stored.status is MessageStatus.FAILED
    assert stored.last_error
    assert stored.next_attempt_at == T0 + timedelta(seconds=30)


async def test_unconfigured_channels_keep_messages_as_channel_off(
    db: TortoiseContext,  # noqa: ARG001
    settings: Settings,
) -> None:
    await queue({"mobile": "13812345678", "email": "finance@example.com"})
    async with Senders(settings) as senders:
        assert await deliver_due(senders, settings=settings) == 2
        assert await deliver_due(senders, settings=settings) == 0
    for message in await Message.all():
        assert message.status is MessageStatus.CHANNEL_OFF
        assert message.last_error == "channel off: not configured"
        assert message.sent_at is None


async def test_same_event_twice_is_one_message(db: TortoiseContext) -> None:  # noqa: ARG001
    await queue({"mobile": "13812345678"}, key="case-event:7")
    rows = await queue({"mobile": "13812345678"}, key="case-event:7")
    assert len(rows) == 1
