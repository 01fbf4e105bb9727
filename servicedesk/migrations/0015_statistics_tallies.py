"""Ticket times per day, point and window or clerk, kept by triggers on tickets, so the
statistics read small tallies instead of every ticket; filled from the tickets here.
An index of tickets that covers the statistics' volume counts."""

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

from servicedesk.statistics import tallies


async def fill(_apps: Any, schema_editor: Any) -> None:
    await tallies.install(schema_editor.client)
    await tallies.rebuild(schema_editor.client)


async def empty(_apps: Any, schema_editor: Any) -> None:
    await tallies.uninstall(schema_editor.client)

class Migration(migrations.Migration):
    dependencies = [('models', '0014_matter_legal_basis_en')]

    initial = False

    operations = [
        ops.CreateModel(
            name='TicketTimeTally',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.DateField()),
                ('service_point_id', fields.IntField()),
                ('per', fields.CharField(max_length=8)),
                ('key_id', fields.IntField()),
                ('kind', fields.CharField(max_length=8)),
                ('n', fields.IntField(default=0)),
                ('seconds', fields.BigIntField(default=0)),
                ('b00', fields.IntField(default=0)),
                ('b01', fields.IntField(default=0)),
                ('b02', fields.IntField(default=0)),
                ('b03', fields.IntField(default=0)),
                ('b04', fields.IntField(default=0)),
                ('b05', fields.IntField(default=0)),
                ('b06', fields.IntField(default=0)),
                ('b07', fields.IntField(default=0)),
                ('b08', fields.IntField(default=0)),
                ('b09', fields.IntField(default=0)),
                ('b10', fields.IntField(default=0)),
                ('b11', fields.IntField(default=0)),
                ('b12', fields.IntField(default=0)),
                ('b13', fields.IntField(default=0)),
                ('b14', fields.IntField(default=0)),
                ('b15', fields.IntField(default=0)),
                ('b16', fields.IntField(default=0)),
                ('b17', fields.IntField(default=0)),
                ('b18', fields.IntField(default=0)),
                ('b19', fields.IntField(default=0)),
                ('b20', fields.IntField(default=0)),
                ('b21', fields.IntField(default=0)),
                ('b22', fields.IntField(default=0)),
                ('b23', fields.IntField(default=0)),
                ('b24', fields.IntField(default=0)),
                ('b25', fields.IntField(default=0)),
                ('b26', fields.IntField(default=0)),
                ('b27', fields.IntField(default=0)),
                ('b28', fields.IntField(default=0)),
                ('b29', fields.IntField(default=0)),
                ('b30', fields.IntField(default=0)),
                ('b31', fields.IntField(default=0)),
                ('b32', fields.IntField(default=0)),
                ('b33', fields.IntField(default=0)),
                ('b34', fields.IntField(default=0)),
                ('b35', fields.IntField(default=0)),
                ('b36', fields.IntField(default=0)),
                ('b37', fields.IntField(default=0)),
                ('b38', fields.IntField(default=0)),
                ('b39', fields.IntField(default=0)),
                ('b40', fields.IntField(default=0)),
                ('b41', fields.IntField(default=0)),
                ('b42', fields.IntField(default=0)),
                ('b43', fields.IntField(default=0)),
                ('b44', fields.IntField(default=0)),
                ('b45', fields.IntField(default=0)),
                ('b46', fields.IntField(default=0)),
                ('b47', fields.IntField(default=0)),
                ('b48', fields.IntField(default=0)),
                ('b49', fields.IntField(default=0)),
                ('b50', fields.IntField(default=0)),
                ('b51', fields.IntField(default=0)),
                ('b52', fields.IntField(default=0)),
                ('b53', fields.IntField(default=0)),
                ('b54', fields.IntField(default=0)),
                ('b55', fields.IntField(default=0)),
                ('b56', fields.IntField(default=0)),
                ('b57', fields.IntField(default=0)),
                ('b58', fields.IntField(default=0)),
                ('b59', fields.IntField(default=0)),
                ('b60', fields.IntField(default=0)),
                ('b61', fields.IntField(default=0)),
                ('b62', fields.IntField(default=0)),
                ('b63', fields.IntField(default=0)),
                ('b64', fields.IntField(default=0)),
                ('b65', fields.IntField(default=0)),
                ('b66', fields.IntField(default=0)),
                ('b67', fields.IntField(default=0)),
                ('b68', fields.IntField(default=0)),
                ('b69', fields.IntField(default=0)),
                ('b70', fields.IntField(default=0)),
                ('b71', fields.IntField(default=0)),
                ('b72', fields.IntField(default=0)),
                ('b73', fields.IntField(default=0)),
                ('b74', fields.IntField(default=0)),
                ('b75', fields.IntField(default=0)),
                ('b76', fields.IntField(default=0)),
                ('b77', fields.IntField(default=0)),
                ('b78', fields.IntField(default=0)),
                ('b79', fields.IntField(default=0)),
                ('b80', fields.IntField(default=0)),
                ('b81', fields.IntField(default=0)),
                ('b82', fields.IntField(default=0)),
                ('b83', fields.IntField(default=0)),
                ('b84', fields.IntField(default=0)),
                ('b85', fields.IntField(default=0)),
                ('b86', fields.IntField(default=0)),
                ('b87', fields.IntField(default=0)),
                ('b88', fields.IntField(default=0)),
                ('b89', fields.IntField(default=0)),
                ('b90', fields.IntField(default=0)),
            ],
            options={'table': 'ticket_time_tallies', 'app': 'models', 'unique_together': (('day', 'service_point_id', 'per', 'key_id', 'kind'),), 'pk_attr': 'id', 'table_description': 'Ticket times per day, point and window or clerk, kept by triggers'},
            bases=['Model'],
        ),
        ops.RunPython(fill, reverse_code=empty),
        ops.AddIndex(
            model_name='Ticket',
            index=Index(fields=['day', 'service_point_id', 'matter_id', 'status', 'transferred_from_id', 'called_at', 'taken_at']),
        ),
    ]
