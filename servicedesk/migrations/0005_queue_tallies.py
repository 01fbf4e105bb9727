"""Per-queue waiting tallies, so taking a number reads its place instead of counting;
an index in calling order, so call-next stops at the first ticket of its queues."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# Every queue starts with the tickets waiting in it now, by rank.
BACKFILL = (
    "INSERT INTO queue_tallies (queue_id, priority_waiting, normal_waiting) "
    "SELECT q.id, "
    "(SELECT COUNT(*) FROM tickets t WHERE t.queue_id = q.id AND t.status = 'waiting' AND t.rank = 0), "
    "(SELECT COUNT(*) FROM tickets t WHERE t.queue_id = q.id AND t.status = 'waiting' AND t.rank <> 0) "
    "FROM queues q"
)

class Migration(migrations.Migration):
    dependencies = [('models', '0004_notifications')]

    initial = False

    operations = [
        ops.CreateModel(
            name='QueueTally',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('queue', fields.OneToOneField('models.Queue', source_field='queue_id', db_constraint=True, to_field='id', related_name='tally', on_delete=OnDelete.CASCADE)),
                ('priority_waiting', fields.IntField(default=0)),
                ('normal_waiting', fields.IntField(default=0)),
            ],
            options={'table': 'queue_tallies', 'app': 'models', 'pk_attr': 'id', 'table_description': 'How many tickets wait in a queue, kept as tickets move (in the same statement or'},
            bases=['Model'],
        ),
        ops.RunSQL(BACKFILL, reverse_sql="DELETE FROM queue_tallies"),
        ops.AddIndex(
            model_name='Ticket',
            index=Index(fields=['status', 'rank', 'taken_at', 'id']),
        ),
    ]
