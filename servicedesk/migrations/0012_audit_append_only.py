"""The audit log becomes append-only: the database itself refuses UPDATE and DELETE on
it (and TRUNCATE on PostgreSQL), whatever the application does. For this to bind the
application, run it as a database role that does not own the table (an owner may drop
triggers).

Policy versions saved before four eyes were in force when saved: they count as confirmed.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor

POSTGRES = (
    "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP; END $$;"
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log"
    " FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();"
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log"
    " FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();"
)
POSTGRES_REVERSE = (
    "DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log;"
    "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;"
    "DROP FUNCTION IF EXISTS audit_log_append_only();"
)
SQLITE = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE is not allowed'); END;"
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE is not allowed'); END;"
)
SQLITE_REVERSE = (
    "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;"
)


def _script(schema_editor: BaseSchemaEditor, *, forward: bool) -> str:
    postgres = schema_editor.client.capabilities.dialect == "postgres"
    if forward:
        return POSTGRES if postgres else SQLITE
    return POSTGRES_REVERSE if postgres else SQLITE_REVERSE


CONFIRM_EARLIER_POLICIES = (
    "UPDATE waiver_policies SET status = 'confirmed', confirmed_by = created_by,"
    " confirmed_at = created_at"
)


async def forward(_apps: object, schema_editor: BaseSchemaEditor) -> None:
    await schema_editor.client.execute_script(CONFIRM_EARLIER_POLICIES)
    await schema_editor.client.execute_script(_script(schema_editor, forward=True))


async def backward(_apps: object, schema_editor: BaseSchemaEditor) -> None:
    await schema_editor.client.execute_script(_script(schema_editor, forward=False))


class Migration(migrations.Migration):
    dependencies = [("models", "0011_security")]

    initial = False

    operations = [ops.RunPython(forward, backward)]
