"""Rounds planned on the meeting calendar (issue 21, item 2): a table of their own.

A new table only, so nothing is rebuilt: every round, answer and job stays where it is.
A planned round becomes a row of `round` when it opens and then points at it.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from models.round import PlannedStatus
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('fremdrift', '0004_programme_words_and_questions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PlannedRound',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('programme', fields.ForeignKeyField('fremdrift.Programme', source_field='programme_id', db_constraint=True, to_field='id', related_name='planned_rounds', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=255)),
                ('meeting', fields.DateField(description='the day of the meeting, which opening and deadline count back from')),
                ('status', fields.CharEnumField(default=PlannedStatus.PLANNED, description='PLANNED: planned\nWAITING: waiting\nOPENED: opened\nCANCELLED: cancelled\nLAPSED: lapsed', enum_type=PlannedStatus, max_length=16)),
                ('version', fields.IntField(default=1)),
                ('from_file', fields.BooleanField(default=False, description='planned by the meetings list of the programme file')),
                ('planned_by', fields.ForeignKeyField('fremdrift.Person', source_field='planned_by_id', null=True, db_constraint=True, to_field='id', related_name='rounds_planned', on_delete=OnDelete.SET_NULL)),
                ('round', fields.ForeignKeyField('fremdrift.Round', source_field='round_id', null=True, db_constraint=True, to_field='id', related_name='plans', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'planned_round', 'app': 'fremdrift', 'unique_together': (('programme', 'name'),), 'pk_attr': 'id', 'table_description': 'a round planned on the meeting calendar, before it opens'},
            bases=['Model'],
        ),
    ]
