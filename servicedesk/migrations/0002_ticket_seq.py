"""Tickets keep their number within the issuing queue and day as an integer, unique
per queue and day, so a number is issued by one statement on SQLite too."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import UniqueConstraint

# A005 -> 5 for every ticket issued in its own queue. Onward rows of transfers keep
# the number of another queue and stay NULL.
BACKFILL = (
    "UPDATE tickets SET seq = CAST(substr(ticket_no, "
    "(SELECT length(q.code) FROM queues q WHERE q.id = tickets.queue_id) + 1) AS INTEGER) "
    "WHERE transferred_from_id IS NULL"
)


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Ticket",
            name="seq",
            field=fields.IntField(null=True),
        ),
        ops.RunSQL(BACKFILL, reverse_sql="UPDATE tickets SET seq = NULL"),
        ops.AddConstraint(
            model_name="Ticket",
            constraint=UniqueConstraint(fields=("queue", "day", "seq"), name=None),
        ),
    ]
