from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0013_audit_seal')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Matter',
            name='legal_basis_en',
            field=fields.TextField(default='', db_default='', unique=False),
        ),
    ]
