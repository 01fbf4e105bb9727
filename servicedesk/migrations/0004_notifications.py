"""Notifications: contacts kept with consent, and the outbox of messages to firms."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from servicedesk.notifications.models import Channel, MessageStatus
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_admin_onboarding')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Contact',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('holder', fields.CharField(unique=True, max_length=64)),
                ('mobile', fields.CharField(null=True, max_length=20)),
                ('email', fields.CharField(null=True, max_length=254)),
                ('lang', fields.CharField(default='zh', max_length=2)),
                ('consent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('withdrawn_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'contacts', 'app': 'models', 'pk_attr': 'id', 'table_description': "A firm's (or a ticket holder's) mobile and e-mail, kept only with consent."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Message',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('dedup_key', fields.CharField(unique=True, max_length=160)),
                ('holder', fields.CharField(db_index=True, max_length=64)),
                ('case_no', fields.CharField(null=True, db_index=True, max_length=48)),
                ('service_point_id', fields.IntField(null=True)),
                ('channel', fields.CharEnumField(description='EMAIL: email\nSMS: sms', enum_type=Channel, max_length=8)),
                ('template', fields.CharField(max_length=32)),
                ('lang', fields.CharField(max_length=2)),
                ('recipient', fields.CharField(max_length=254)),
                ('title', fields.CharField(max_length=200)),
                ('body', fields.TextField(unique=False)),
                ('status', fields.CharEnumField(default=MessageStatus.QUEUED, description='QUEUED: queued\nSENT: sent\nFAILED: failed\nDEAD: dead\nCHANNEL_OFF: channel_off', enum_type=MessageStatus, max_length=16)),
                ('attempts', fields.SmallIntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_error', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'messages', 'app': 'models', 'indexes': [Index(fields=['status', 'next_attempt_at'])], 'pk_attr': 'id', 'table_description': 'One message of the outbox, on one channel, rendered when its event happened.'},
            bases=['Model'],
        ),
    ]
