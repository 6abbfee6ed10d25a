"""Programmes in their own words, and the questions they choose (issue 18).

Programme: `layout` (matrix or table), `nouns` (its own words per language), `questions`
(those asked, in order, with labels) and `texts` (the standing texts its items carry).
Milestone: `texts`, an item's standing texts (seed 004's ØA tekst and agreed economy).
Answer and AnswerRevision: the answers to the new questions — status, economy,
sub-milestones, and the ready-for-SKU/DAK date as written and as read. Every new column has
a default, so existing programmes ask KOL's questions and existing answers stay as they are.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('fremdrift', '0003_conversation_state_by_code')]

    initial = False

    operations = [
        ops.AddField(
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
        ops.AddField(
            model_name='Answer',
            name='ready_text',
            field=fields.CharField(default='', max_length=200),
        ),
        ops.AddField(
            model_name='Answer',
            name='status',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='Answer',
            name='sub_milestones',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
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
        ops.AddField(
            model_name='AnswerRevision',
            name='ready_text',
            field=fields.CharField(default='', max_length=200),
        ),
        ops.AddField(
            model_name='AnswerRevision',
            name='status',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='AnswerRevision',
            name='sub_milestones',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='Milestone',
            name='texts',
            field=fields.JSONField(default=dict, description='standing texts by key (not answers)', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Programme',
            name='layout',
            field=fields.CharField(default='matrix', description='matrix or table', max_length=16),
        ),
        ops.AddField(
            model_name='Programme',
            name='nouns',
            field=fields.JSONField(default=dict, description="the programme's own nouns by language (KOL's if none)", encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Programme',
            name='questions',
            field=fields.JSONField(default=list, description="the questions asked, in order, with labels (KOL's if none)", encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Programme',
            name='texts',
            field=fields.JSONField(default=list, description='the standing texts its items carry, with labels', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
