"""Every case has a random query code: with the case number it opens the public query
(the firm's USCC, which is public, no longer does). Cases stored before 0007 get one too,
and the column becomes required."""

import secrets

from tortoise import fields, migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor

# As servicedesk.cases.service.QUERY_CODE_ALPHABET, copied so that the migration keeps
# meaning what it meant when it was written.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


async def backfill(_apps: object, schema_editor: BaseSchemaEditor) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    mark = "$1" if postgres else "?"
    other = "$2" if postgres else "?"
    rows = await client.execute_query_dict("SELECT id FROM cases WHERE query_code IS NULL")
    for row in rows:
        code = "".join(secrets.choice(ALPHABET) for _ in range(8))
        await client.execute_query(
            f"UPDATE cases SET query_code = {mark} WHERE id = {other}", [code, row["id"]]
        )


class Migration(migrations.Migration):
    dependencies = [("models", "0009_case_statistics")]

    initial = False

    operations = [
        ops.RunPython(backfill, ops.RunPython.noop),
        ops.AlterField(
            model_name="Case",
            name="query_code",
            field=fields.CharField(max_length=16),
        ),
    ]
