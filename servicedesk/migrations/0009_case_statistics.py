"""Cases keep what statistics count: deadlines at the decision, whether a notice was
issued, whether they were accepted with a deficiency. The flags are filled in from the
timeline; deadlines of cases decided before this stay unknown (they need the calendar)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0008_evaluation')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Case',
            name='accepted_deficient',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Case',
            name='deadline_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Case',
            name='notice_issued',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Case',
            name='statutory_deadline_on',
            field=fields.DateField(null=True),
        ),
        ops.AddIndex(
            model_name='Case',
            index=Index(fields=['decided_on', 'service_point_id']),
        ),
        ops.RunSQL(
            "UPDATE cases SET notice_issued = TRUE WHERE id IN "
            "(SELECT case_id FROM case_events WHERE action = 'return')",
            reverse_sql="SELECT 1",
        ),
        ops.RunSQL(
            "UPDATE cases SET accepted_deficient = TRUE WHERE id IN "
            "(SELECT case_id FROM case_events WHERE to_status = 'accepted_with_deficiency')",
            reverse_sql="SELECT 1",
        ),
    ]
