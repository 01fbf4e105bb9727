"""The volume tallies spread concurrent writers over shards (``statistics.volumes``):
the rows so far become shard 0, the unique key takes the shard, and the triggers
write the session's shard. The migration runs in one transaction, the new key before
the triggers change and the old one last. SQLite cannot drop a table's own UNIQUE
clause: the table is remade without it (its triggers off meanwhile, as SQLite's rename
checks them) and the new key added again.

Not reversible: once sessions have written several shards of a key, the old key cannot
come back without merging them, and SQLite's remake would drop it again; restore the
backup taken before upgrading instead."""

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.migrations.constraints import UniqueConstraint

from servicedesk.statistics import volumes


async def shard(_apps: Any, schema_editor: Any) -> None:
    await volumes.install(schema_editor.client)


NEW_KEY = ('day', 'service_point_id', 'per', 'key_id', 'shard')


class RemoveOldKey(ops.RemoveConstraint):
    reversible = False

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
            constraint=UniqueConstraint(fields=NEW_KEY, name=None),
        ),
        ops.RunPython(shard),
        RemoveOldKey(
            model_name="TicketVolumeTally",
            name=None,
            fields=["day", "service_point_id", "per", "key_id"],
        ),
    ]
