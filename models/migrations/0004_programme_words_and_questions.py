"""Programmes in their own words, and the questions they choose (issue 18).

Programme: `layout` (matrix or table), `nouns` (its own words per language), `questions`
(those asked, in order, with labels) and `texts` (the standing texts its items carry).
Milestone: `texts`, an item's standing texts (seed 004's ØA tekst and agreed economy).
Answer and AnswerRevision: the answers to the new questions — status, economy,
sub-milestones, and the ready-for-SKU/DAK date as written and as read. Every new column has
a default, so existing programmes ask KOL's questions and existing answers stay as they are.
Those defaults are written into the database as well (`AddFieldWithDefault`): SQLite
refuses to add a NOT NULL column without a default to a table that has rows, so a deployed
database could not have migrated.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class AddFieldWithDefault(ops.AddField):
    """AddField whose new NOT NULL column gets the field's default in the database too."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if not state_editor:
            return
        model = new_state.apps.get_model(f"{app_label}.{self.model_name}")
        field = model._meta.fields_map[self.name]
        unset = field.db_default
        field.db_default = field.default() if callable(field.default) else field.default
        try:
            await state_editor.add_field(model, self.name)
        finally:
            field.db_default = unset


class Migration(migrations.Migration):
    dependencies = [('fremdrift', '0003_conversation_state_by_code')]

    initial = False

    operations = [
        AddFieldWithDefault(
            model_name='Answer',
            name='economy',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='Answer',
            name='ready_earliest',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Answer',
            name='ready_latest',
            field=fields.DateField(null=True),
        ),
        AddFieldWithDefault(
            model_name='Answer',
            name='ready_text',
            field=fields.CharField(default='', max_length=200),
        ),
        AddFieldWithDefault(
            model_name='Answer',
            name='status',
            field=fields.TextField(default='', unique=False),
        ),
        AddFieldWithDefault(
            model_name='Answer',
            name='sub_milestones',
            field=fields.TextField(default='', unique=False),
        ),
        AddFieldWithDefault(
            model_name='AnswerRevision',
            name='economy',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='AnswerRevision',
            name='ready_earliest',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='AnswerRevision',
            name='ready_latest',
            field=fields.DateField(null=True),
        ),
        AddFieldWithDefault(
            model_name='AnswerRevision',
            name='ready_text',
            field=fields.CharField(default='', max_length=200),
        ),
        AddFieldWithDefault(
            model_name='AnswerRevision',
            name='status',
            field=fields.TextField(default='', unique=False),
        ),
        AddFieldWithDefault(
            model_name='AnswerRevision',
            name='sub_milestones',
            field=fields.TextField(default='', unique=False),
        ),
        AddFieldWithDefault(
            model_name='Milestone',
            name='texts',
            field=fields.JSONField(default=dict, description='standing texts by key (not answers)', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        AddFieldWithDefault(
            model_name='Programme',
            name='layout',
            field=fields.CharField(default='matrix', description='matrix or table', max_length=16),
        ),
        AddFieldWithDefault(
            model_name='Programme',
            name='nouns',
            field=fields.JSONField(default=dict, description="the programme's own nouns by language (KOL's if none)", encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        AddFieldWithDefault(
            model_name='Programme',
            name='questions',
            field=fields.JSONField(default=list, description="the questions asked, in order, with labels (KOL's if none)", encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        AddFieldWithDefault(
            model_name='Programme',
            name='texts',
            field=fields.JSONField(default=list, description='the standing texts its items carry, with labels', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
