"""Reading the outbox for staff, its delivery rates, and retrying a dead message."""

from __future__ import annotations

from collections.abc import Iterable

from tortoise.functions import Count

from servicedesk.accounts.service import Principal
from servicedesk.audit import service as audit
from servicedesk.errors import Conflict, Forbidden, InvalidInput, NotFound
from servicedesk.notifications import ports
from servicedesk.notifications.channels import channel_on
from servicedesk.notifications.contacts import mask
from servicedesk.notifications.models import Channel, Message, MessageStatus
from servicedesk.notifications.schemas import ChannelStats, MessageRead
from servicedesk.settings import Settings
from servicedesk.timeutil import now

M = MessageStatus
STATUSES = tuple(s.value for s in MessageStatus)
OVERSEERS = {"official", "admin"}


def read(message: Message) -> MessageRead:
    return MessageRead(
        id=message.id,
        case_no=message.case_no,
        channel=message.channel.value,
        template=message.template,
        status=message.status.value,
        recipient=mask(message.recipient),
        attempts=message.attempts,
        last_error=message.last_error,
        created_at=message.created_at,
        sent_at=message.sent_at,
    )


def _statuses(statuses: Iterable[str] | None) -> list[str]:
    chosen = list(statuses or [])
    unknown = sorted(set(chosen) - set(STATUSES))
    if unknown:
        raise InvalidInput(
            f"unknown status {', '.join(unknown)}; one of {', '.join(STATUSES)}",
            extra={"field": "status"},
        )
    return chosen


async def for_case(case_no: str) -> list[Message]:
    """The messages of one case, oldest first (the caller checked who may see them)."""
    return await Message.filter(case_no=case_no).order_by("created_at", "id")


async def listing(
    principal: Principal,
    *,
    case_no: str | None = None,
    statuses: Iterable[str] | None = None,
    limit: int = 200,
) -> list[Message]:
    """Messages a clerk (own service point) or an official may see, newest first."""
    chosen = _statuses(statuses)
    query = Message.all()
    if case_no is not None:
        point = await ports.case_point(case_no)
        if principal.role not in OVERSEERS and principal.service_point_id != point:
            raise Forbidden("this case is not at your service point")
        query = query.filter(case_no=case_no)
    elif principal.role not in OVERSEERS:
        if principal.service_point_id is None:
            raise Forbidden("you are not bound to a service point")
        query = query.filter(service_point_id=principal.service_point_id)
    if chosen:
        query = query.filter(status__in=chosen)
    return await query.order_by("-created_at", "-id").limit(min(max(limit, 1), 1000))


async def summary(settings: Settings) -> list[ChannelStats]:
    """Per channel: whether it is configured, messages per status, and the share of
    settled messages that were delivered (sent / (sent + dead))."""
    rows = (
        await Message.annotate(n=Count("id"))
        .group_by("channel", "status")
        .values("channel", "status", "n")
    )
    stats = []
    for channel in Channel:
        counts = dict.fromkeys(STATUSES, 0)
        for row in rows:
            if str(row["channel"]) == channel.value:
                counts[str(row["status"])] = int(row["n"])
        settled = counts[M.SENT] + counts[M.DEAD]
        stats.append(
            ChannelStats(
                channel=channel.value,
                configured=channel_on(settings, channel),
                counts=counts,
                delivery_rate=counts[M.SENT] / settled if settled else None,
            )
        )
    return stats


async def retry(message_id: int, *, actor: str) -> Message:
    """Queue a dead (or channel-off) message again, with a fresh count of attempts."""
    message = await Message.get_or_none(id=message_id)
    if message is None:
        raise NotFound(f"message {message_id} does not exist")
    if message.status not in (M.DEAD, M.CHANNEL_OFF):
        raise Conflict(
            f"only a dead or channel-off message can be retried; this one is "
            f"{message.status.value}",
            extra={"status": message.status.value},
        )
    if not message.recipient:
        raise Conflict("the firm withdrew its consent: this message may not be sent")
    moved = await Message.filter(id=message.id, status=message.status).update(
        status=M.QUEUED, attempts=0, next_attempt_at=now()
    )
    if not moved:
        raise Conflict("this message was changed meanwhile; reload")
    await audit.record(
        "message.retry",
        actor=actor,
        entity="message",
        entity_id=message.id,
        before={"status": message.status.value, "last_error": message.last_error},
        after={"status": M.QUEUED.value},
    )
    return await Message.get(id=message.id)
