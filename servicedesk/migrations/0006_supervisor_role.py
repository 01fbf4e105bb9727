"""A supervisor: a clerk of the point who also answers its bad-rating follow-ups."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from servicedesk.accounts.models import Role


class Migration(migrations.Migration):
    dependencies = [("models", "0005_queue_tallies")]

    initial = False

    operations = [
        ops.AlterField(
            model_name="User",
            name="role",
            field=fields.CharEnumField(
                description="CLERK: clerk\nSUPERVISOR: supervisor\nOFFICIAL: official\n"
                "INCUBATOR: incubator\nADMIN: admin",
                enum_type=Role,
                max_length=16,
            ),
        ),
    ]
