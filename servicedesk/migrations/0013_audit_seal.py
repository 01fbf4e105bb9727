"""Audit rows carry their place in the chain (``chain_seq``), so that rows written by the
hall's hot paths without hashes can be sealed into the chain afterwards, in the order
they are sealed. Rows chained before keep their order (by id). The append-only triggers
now let one UPDATE through: the sealing of a row not yet sealed, its content unchanged."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor

CONTENT = ("at", "actor", "action", "entity", "entity_id", "before", "after")
_PG_SAME = " AND ".join(f"NEW.{c}::text IS NOT DISTINCT FROM OLD.{c}::text" for c in CONTENT)
_SQLITE_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in CONTENT)

POSTGRES = (
    "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN"
    f" IF TG_OP = 'UPDATE' AND OLD.row_hash IS NULL AND {_PG_SAME} THEN RETURN NEW; END IF;"
    " RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP;"
    " END $$;"
)
SQLITE = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
    f" WHEN OLD.row_hash IS NOT NULL OR {_SQLITE_CHANGED}"
    " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE is not allowed'); END;"
)
# Rows chained before this migration: their order was their id order.
BACKFILL = (
    "UPDATE audit_log SET chain_seq = ranked.seq FROM (SELECT id, ROW_NUMBER() OVER"
    " (ORDER BY id) AS seq FROM audit_log WHERE row_hash IS NOT NULL) AS ranked"
    " WHERE audit_log.id = ranked.id"
)


async def forward(_apps: object, schema_editor: BaseSchemaEditor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change;"
            + BACKFILL
            + ";ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change;"
            + POSTGRES
        )
    else:
        await client.execute_script("DROP TRIGGER IF EXISTS audit_log_no_update;" + BACKFILL)
        await client.execute_script(SQLITE)


class Migration(migrations.Migration):
    dependencies = [("models", "0012_audit_append_only")]

    initial = False

    operations = [
        ops.AddField(
            model_name="AuditEntry",
            name="chain_seq",
            field=fields.BigIntField(null=True, unique=True),
        ),
        ops.RunPython(forward, ops.RunPython.noop),
    ]
