"""Ticket volumes per day, point and matter or hour of day, kept by triggers on tickets
(filled from the tickets here), in place of the index that covered the volume counts;
the time tallies' insert trigger now fires only for a ticket that arrives called."""

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

from servicedesk.statistics import tallies, volumes


async def fill(_apps: Any, schema_editor: Any) -> None:
    await tallies.install(schema_editor.client)
    # The table as this migration creates it, before 0017 added the shard.
    await volumes.install(schema_editor.client, sharded=False)
    await volumes.rebuild(schema_editor.client, sharded=False)


async def empty(_apps: Any, schema_editor: Any) -> None:
    await volumes.uninstall(schema_editor.client)


class Migration(migrations.Migration):
    dependencies = [('models', '0015_statistics_tallies')]

    initial = False

    operations = [
        ops.CreateModel(
            name='TicketVolumeTally',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.DateField()),
                ('service_point_id', fields.IntField()),
                ('per', fields.CharField(max_length=8)),
                ('key_id', fields.IntField()),
                ('entries', fields.IntField(default=0)),
                ('tickets', fields.IntField(default=0)),
                ('called', fields.IntField(default=0)),
                ('no_shows', fields.IntField(default=0)),
                ('done', fields.IntField(default=0)),
            ],
            options={'table': 'ticket_volume_tallies', 'app': 'models', 'unique_together': (('day', 'service_point_id', 'per', 'key_id'),), 'pk_attr': 'id', 'table_description': 'Ticket volumes per day, point and matter or hour, kept by triggers'},
            bases=['Model'],
        ),
        ops.RunPython(fill, reverse_code=empty),
        ops.RemoveIndex(
            model_name='Ticket',
            name=None,
            fields=['day', 'service_point_id', 'matter_id', 'status', 'transferred_from_id', 'called_at', 'taken_at'],
        ),
    ]
