from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from servicedesk.evaluations.models import Channel, FollowUpStatus, ReplyKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0007_case_query_code')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Evaluation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.ForeignKeyField('models.Ticket', source_field='ticket_id', null=True, unique=True, db_constraint=True, to_field='id', related_name='evaluations', on_delete=OnDelete.SET_NULL)),
                ('case', fields.ForeignKeyField('models.Case', source_field='case_id', null=True, unique=True, db_constraint=True, to_field='id', related_name='evaluations', on_delete=OnDelete.SET_NULL)),
                ('service_point', fields.ForeignKeyField('models.ServicePoint', source_field='service_point_id', db_constraint=True, to_field='id', related_name='evaluations', on_delete=OnDelete.RESTRICT)),
                ('window_id', fields.IntField(null=True)),
                ('clerk_id', fields.IntField(null=True)),
                ('matter_id', fields.IntField(null=True)),
                ('level', fields.SmallIntField()),
                ('tags', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('comment', fields.TextField(default='', unique=False)),
                ('channel', fields.CharEnumField(description='WINDOW: window\nRECEIPT: receipt\nQUERY: query\nAPI: api', enum_type=Channel, max_length=16)),
                ('service_day', fields.DateField()),
                ('day', fields.DateField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'evaluations', 'app': 'models', 'indexes': [Index(fields=['day', 'service_point_id', 'level'])], 'pk_attr': 'id', 'table_description': "The firm's rating of one service: a finished ticket or a decided case."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FollowUp',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('evaluation', fields.OneToOneField('models.Evaluation', source_field='evaluation_id', db_constraint=True, to_field='id', related_name='follow_up', on_delete=OnDelete.CASCADE)),
                ('service_point', fields.ForeignKeyField('models.ServicePoint', source_field='service_point_id', db_constraint=True, to_field='id', related_name='follow_ups', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(default=FollowUpStatus.OPEN, description='OPEN: open\nAWAITING_APPROVAL: awaiting_approval\nCLOSED: closed', enum_type=FollowUpStatus, max_length=24)),
                ('opened_on', fields.DateField()),
                ('due', fields.DateField()),
                ('reply_kind', fields.CharEnumField(null=True, description='RECTIFIED: rectified\nEXPLAINED: explained', enum_type=ReplyKind, max_length=16)),
                ('reply_text', fields.TextField(default='', unique=False)),
                ('replied_by', fields.CharField(null=True, max_length=100)),
                ('replied_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('approved_by', fields.CharField(null=True, max_length=100)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_on', fields.DateField(null=True)),
            ],
            options={'table': 'follow_ups', 'app': 'models', 'indexes': [Index(fields=['service_point_id', 'status']), Index(fields=['status', 'due'])], 'pk_attr': 'id', 'table_description': 'The follow-up of a bad rating (levels 1 and 2), due in 15 working days.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Ticket',
            name='clerk',
            field=fields.ForeignKeyField('models.User', source_field='clerk_id', null=True, db_constraint=True, to_field='id', related_name='called_tickets', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddIndex(
            model_name='Ticket',
            index=Index(fields=['day', 'service_point_id']),
        ),
    ]
