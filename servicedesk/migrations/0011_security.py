from tortoise import migrations
from tortoise.migrations import operations as ops
from servicedesk.policy.models import PolicyStatus
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0010_case_query_code_required')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Throttle',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=160)),
                ('hits', fields.IntField(default=0)),
                ('window_start', fields.BigIntField(default=0)),
                ('blocked_until', fields.BigIntField(default=0)),
            ],
            options={'table': 'throttles', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A counter of attempts under one key (an account, a client address and what it tried),'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='AuditEntry',
            name='prev_hash',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='AuditEntry',
            name='row_hash',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='KioskDevice',
            name='enrol_code_expires_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='KioskDevice',
            name='enrol_code_hash',
            field=fields.CharField(null=True, unique=True, max_length=64),
        ),
        ops.AddField(
            model_name='KioskDevice',
            name='expires_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='KioskDevice',
            name='last_used_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='KioskDevice',
            name='revoked_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Policy',
            name='confirmed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Policy',
            name='confirmed_by',
            field=fields.CharField(null=True, max_length=100),
        ),
        # Policies stored before four eyes are the ones in force: confirmed.
        ops.AddField(
            model_name='Policy',
            name='status',
            field=fields.CharEnumField(null=True, description='PROPOSED: proposed\nCONFIRMED: confirmed\nWITHDRAWN: withdrawn', enum_type=PolicyStatus, max_length=16),
        ),
        ops.RunSQL("UPDATE waiver_policies SET status = 'confirmed'", reverse_sql="SELECT 1"),
        ops.AlterField(
            model_name='Policy',
            name='status',
            field=fields.CharEnumField(default=PolicyStatus.PROPOSED, description='PROPOSED: proposed\nCONFIRMED: confirmed\nWITHDRAWN: withdrawn', enum_type=PolicyStatus, max_length=16),
        ),
        ops.AlterModelOptions(
            name='Suspension',
            options={'table': 'recommendation_suspensions', 'app': 'models', 'pk_attr': 'id', 'table_description': "An incubator's recommendation privilege suspended, until lifted: one official"},
        ),
        ops.AddField(
            model_name='Suspension',
            name='lift_proposed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Suspension',
            name='lift_proposed_by',
            field=fields.CharField(null=True, max_length=100),
        ),
    ]
