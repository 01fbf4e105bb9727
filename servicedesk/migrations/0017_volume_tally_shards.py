"""The volume tallies spread concurrent writers over shards (``statistics.volumes``):
the rows so far become shard 0, the unique key takes the shard, and the triggers
write the session's shard. The new key is in place before the triggers change and the
old one goes last, so a ticket written meanwhile always finds the key it upserts on.
SQLite cannot drop a table's own UNIQUE clause: the table is remade without it (its
triggers off meanwhile, as SQLite's rename checks them) and the new key added again."""

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.migrations.constraints import UniqueConstraint

from servicedesk.statistics import volumes


async def shard(_apps: Any, schema_editor: Any) -> None:
    await volumes.install(schema_editor.client)


async def unshard(_apps: Any, schema_editor: Any) -> None:
    await volumes.install(schema_editor.client, sharded=False)


NEW_KEY = ('day', 'service_point_id', 'per', 'key_id', 'shard')


class RemoveOldKey(ops.RemoveConstraint):
    async def database_forward(self, app_label, old_state, new_state, state_editor=None):  # type: ignore[no-untyped-def]
        if state_editor is None or state_editor.client.capabilities.dialect != 'sqlite':
            await super().database_forward(app_label, old_state, new_state, state_editor)
            return
        model = new_state.apps.get_model(f'{app_label}.TicketVolumeTally')
        await volumes.uninstall(state_editor.client)
        await state_editor._remake_table(model)
        await state_editor.add_constraint(model, UniqueConstraint(fields=NEW_KEY))
        await volumes.install(state_editor.client)


class Migration(migrations.Migration):
    dependencies = [("models", "0016_volume_tallies")]

    initial = False

    operations = [
        ops.AddField(
            model_name="TicketVolumeTally",
            name="shard",
            field=fields.SmallIntField(default=0, db_default=0),
        ),
        ops.AddConstraint(
            model_name="TicketVolumeTally",
            constraint=UniqueConstraint(
                fields=("day", "service_point_id", "per", "key_id", "shard"), name=None
            ),
        ),
        ops.RunPython(shard, reverse_code=unshard),
        RemoveOldKey(
            model_name="TicketVolumeTally",
            name=None,
            fields=["day", "service_point_id", "per", "key_id"],
        ),
    ]
