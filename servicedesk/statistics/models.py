"""Tallies of waiting and service times, kept by the database as tickets move.

One row per Beijing day, service point, window (or clerk) and kind (``wait``: taken →
call, ``service``: call → done): how many, their seconds in all, and a histogram of
whole minutes (``b00`` … ``b89``, and ``b90`` for 90 minutes or more). A month of a
city's statistics reads a few thousand of these rows instead of every ticket.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

# Whole minutes with a bucket each; longer times share the last bucket (the overflow).
CAP_MINUTES = 90
BUCKETS = [f"b{m:02d}" for m in range(CAP_MINUTES + 1)]


class TicketTimeTally(Model):
    """Counts, sums and a per-minute histogram of ticket times for one day and key."""

    id = fields.BigIntField(primary_key=True)
    day = fields.DateField()
    service_point_id = fields.IntField()
    # per ``window``: key_id is the window; ``clerk``: the clerk who called. 0 for none.
    per = fields.CharField(max_length=8)
    key_id = fields.IntField()
    kind = fields.CharField(max_length=8)
    n = fields.IntField(default=0)
    seconds = fields.BigIntField(default=0)
    locals().update({name: fields.IntField(default=0) for name in BUCKETS})

    class Meta:
        table = "ticket_time_tallies"
        table_description = "Ticket times per day, point and window or clerk, kept by triggers"
        unique_together = (("day", "service_point_id", "per", "key_id", "kind"),)


class TicketVolumeTally(Model):
    """Numbers, calls, no-shows and finished services for one day, point and matter (or
    hour of day), kept by triggers on tickets (``statistics.volumes``)."""

    id = fields.BigIntField(primary_key=True)
    day = fields.DateField()
    service_point_id = fields.IntField()
    # per ``matter``: key_id is the matter (0 for none); ``hour``: the Beijing hour taken.
    per = fields.CharField(max_length=8)
    key_id = fields.IntField()
    # Concurrent writers add to different rows of a key (``volumes.SHARDS``); read sums.
    shard = fields.SmallIntField(default=0, db_default=0)
    entries = fields.IntField(default=0)  # ticket rows, whatever they count
    tickets = fields.IntField(default=0)
    called = fields.IntField(default=0)
    no_shows = fields.IntField(default=0)
    done = fields.IntField(default=0)

    class Meta:
        table = "ticket_volume_tallies"
        table_description = "Ticket volumes per day, point and matter or hour, kept by triggers"
        unique_together = (("day", "service_point_id", "per", "key_id", "shard"),)
