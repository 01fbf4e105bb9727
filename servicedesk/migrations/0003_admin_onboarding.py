from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from servicedesk.incubators.models import IncubationStatus
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_ticket_seq')]

    initial = False

    operations = [
        ops.CreateModel(
            name='IndicatorReport',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('incubator', fields.ForeignKeyField('models.Incubator', source_field='incubator_id', db_constraint=True, to_field='id', related_name='reports', on_delete=OnDelete.CASCADE)),
                ('period', fields.CharField(max_length=8)),
                ('submitted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('submitted_by', fields.CharField(max_length=100)),
            ],
            options={'table': 'indicator_reports', 'app': 'models', 'unique_together': (('incubator', 'period'),), 'pk_attr': 'id', 'table_description': "When an incubator's report for a period first came in (for report timeliness)."},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Appointment',
            name='uscc',
            field=fields.CharField(db_index=True, max_length=18),
        ),
        ops.AddField(
            model_name='Appointment',
            name='cancel_token',
            field=fields.CharField(null=True, unique=True, max_length=32),
        ),
        ops.AddField(
            model_name='Appointment',
            name='cancelled_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Case',
            name='supplement_extended',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Case',
            name='supplement_overdue',
            field=fields.BooleanField(default=False, db_index=True, db_default=False),
        ),
        ops.AddField(
            model_name='CreditEvent',
            name='occurred_on',
            field=fields.DateField(null=True),
        ),
        ops.AlterField(
            model_name='Incubation',
            name='status',
            field=fields.CharEnumField(description='INCUBATED: incubated\nGRADUATED: graduated\nLEFT: left', enum_type=IncubationStatus, max_length=16),
        ),
        ops.AddField(
            model_name='Incubation',
            name='left_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='MaterialRequirement',
            name='active',
            field=fields.BooleanField(default=True, db_default=True),
        ),
        ops.AddField(
            model_name='Matter',
            name='active',
            field=fields.BooleanField(default=True, db_default=True),
        ),
        ops.AddField(
            model_name='Queue',
            name='active',
            field=fields.BooleanField(default=True, db_default=True),
        ),
        ops.AddField(
            model_name='Rating',
            name='missing',
            field=fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Recommendation',
            name='code',
            field=fields.CharField(null=True, unique=True, max_length=16),
        ),
        ops.AddField(
            model_name='ServicePoint',
            name='active',
            field=fields.BooleanField(default=True, db_default=True),
        ),
        ops.AddField(
            model_name='Window',
            name='active',
            field=fields.BooleanField(default=True, db_default=True),
        ),
    ]
