from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class MessageStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"  # will be tried again after its backoff
    DEAD = "dead"  # gave up after the last attempt, or consent was withdrawn
    CHANNEL_OFF = "channel_off"  # the channel is not configured: not sent


class Contact(Model):
    """A firm's (or a ticket holder's) mobile and e-mail, kept only with consent.

    ``holder`` is ``firm:<USCC>`` or ``ticket:<id>``. Withdrawing consent erases the
    addresses and keeps the row as the record of the withdrawal.
    """

    id = fields.IntField(primary_key=True)
    holder = fields.CharField(max_length=64, unique=True)
    mobile = fields.CharField(max_length=20, null=True)
    email = fields.CharField(max_length=254, null=True)
    lang = fields.CharField(max_length=2, default="zh")
    consent_at = fields.DatetimeField(null=True)
    withdrawn_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "contacts"


class Message(Model):
    """One message of the outbox, on one channel, rendered when its event happened."""

    id = fields.BigIntField(primary_key=True)
    # The event and channel: the database refuses a second row for the same event.
    dedup_key = fields.CharField(max_length=160, unique=True)
    holder = fields.CharField(max_length=64, db_index=True)
    case_no = fields.CharField(max_length=48, null=True, db_index=True)
    service_point_id = fields.IntField(null=True)
    channel = fields.CharEnumField(Channel, max_length=8)
    template = fields.CharField(max_length=32)
    lang = fields.CharField(max_length=2)
    recipient = fields.CharField(max_length=254)
    title = fields.CharField(max_length=200)
    body = fields.TextField()
    status = fields.CharEnumField(MessageStatus, max_length=16, default=MessageStatus.QUEUED)
    attempts = fields.SmallIntField(default=0)
    next_attempt_at = fields.DatetimeField()
    last_error = fields.TextField(default="")
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "messages"
        indexes = (("status", "next_attempt_at"),)
