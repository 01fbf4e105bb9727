"""The outbox: messages written in the transaction of the event that causes them.

Each row's ``dedup_key`` is the event's key plus the channel, unique in the database,
so an event retried, replayed or swept twice never queues a second message.
"""

from __future__ import annotations

from typing import Any

from servicedesk.notifications import contacts
from servicedesk.notifications.models import Channel, Contact, Message, MessageStatus
from servicedesk.notifications.templates import render
from servicedesk.timeutil import now


def _addresses(contact: Contact) -> list[tuple[Channel, str]]:
    found = [(Channel.EMAIL, contact.email), (Channel.SMS, contact.mobile)]
    return [(channel, address) for channel, address in found if address]


async def enqueue(
    holder: str,
    *,
    template: str,
    event_key: str,
    params: dict[str, Any],
    case_no: str | None = None,
    service_point_id: int | None = None,
) -> int:
    """Queue ``template`` for ``holder`` on each channel it consented to; how many rows
    it tried to write (0 without consent). Runs in the caller's transaction.

    Whether a channel is configured is the worker's to find out: a message for a
    channel that is off is marked so when the worker comes to it."""
    contact = await contacts.active(holder)
    if contact is None:
        return 0
    moment = now()
    text = render(template, contact.lang, params)
    rows = []
    for channel, address in _addresses(contact):
        rows.append(
            Message(
                dedup_key=f"{event_key}:{channel.value}",
                holder=holder,
                case_no=case_no,
                service_point_id=service_point_id,
                channel=channel,
                template=template,
                lang=contact.lang,
                recipient=address,
                title=text.title,
                body=text.body,
                status=MessageStatus.QUEUED,
                next_attempt_at=moment,
                created_at=moment,
            )
        )
    await Message.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


async def wants(holder: str) -> bool:
    """Whether ``holder`` would get a message at all (to skip building its parameters)."""
    return await contacts.active(holder) is not None
