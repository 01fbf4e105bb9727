"""Cases carry a random query code, printed on the receipt: the holder's key to the
progress query and to rating the service."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0006_supervisor_role")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Case",
            name="query_code",
            field=fields.CharField(null=True, max_length=16),
        ),
    ]
