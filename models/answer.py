"""Answers and their revisions.

An answer is one round × unit × milestone. A reporter's answer holds for every unit and
has the scope *; a unit can still be set apart with an answer of its own. Every change
appends one AnswerRevision; (answer, number) is unique, so two writers racing on the
same answer cannot both add revision n + 1.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from conversations.vocabulary import ALL_UNITS, Delay, Progress
from models.people import Person
from models.programme import Milestone, Unit
from models.round import Round

__all__ = ["ALL_UNITS", "Answer", "AnswerRevision"]


class Answer(Model):
    id = fields.IntField(primary_key=True)
    round: fields.ForeignKeyRelation[Round] = fields.ForeignKeyField(
        "fremdrift.Round", related_name="answers", on_delete=fields.CASCADE
    )
    milestone: fields.ForeignKeyRelation[Milestone] = fields.ForeignKeyField(
        "fremdrift.Milestone", related_name="answers", on_delete=fields.CASCADE
    )
    unit: fields.ForeignKeyNullableRelation[Unit] = fields.ForeignKeyField(
        "fremdrift.Unit", related_name="answers", null=True, on_delete=fields.CASCADE
    )
    scope = fields.CharField(max_length=64)
    progress = fields.CharEnumField(Progress, max_length=16, default=Progress.NONE)
    delay = fields.CharEnumField(Delay, max_length=8, default=Delay.ON_TIME)
    critical = fields.BooleanField(default=False)
    forecast_text = fields.CharField(max_length=200, default="")
    forecast_earliest = fields.DateField(null=True)
    forecast_latest = fields.DateField(null=True)
    remark = fields.TextField(default="")
    status = fields.TextField(default="")
    economy = fields.TextField(default="")
    sub_milestones = fields.TextField(default="")
    ready_text = fields.CharField(max_length=200, default="")
    ready_earliest = fields.DateField(null=True)
    ready_latest = fields.DateField(null=True)
    answered_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "fremdrift.Person", related_name="answers", null=True, on_delete=fields.SET_NULL
    )
    answered_at = fields.DatetimeField()
    late = fields.BooleanField(default=False)
    revision = fields.IntField(default=0)

    round_id: int
    milestone_id: int
    unit_id: int | None
    answered_by_id: int | None
    revisions: fields.ReverseRelation[AnswerRevision]

    class Meta:
        table = "answer"
        table_description = "an answer"
        unique_together = (("round", "milestone", "scope"),)


class AnswerRevision(Model):
    """Append-only: the answer's values after one change, who made it and when."""

    id = fields.IntField(primary_key=True)
    answer: fields.ForeignKeyRelation[Answer] = fields.ForeignKeyField(
        "fremdrift.Answer", related_name="revisions", on_delete=fields.CASCADE
    )
    number = fields.IntField()
    progress = fields.CharEnumField(Progress, max_length=16)
    delay = fields.CharEnumField(Delay, max_length=8)
    critical = fields.BooleanField()
    forecast_text = fields.CharField(max_length=200, default="")
    forecast_earliest = fields.DateField(null=True)
    forecast_latest = fields.DateField(null=True)
    remark = fields.TextField(default="")
    status = fields.TextField(default="")
    economy = fields.TextField(default="")
    sub_milestones = fields.TextField(default="")
    ready_text = fields.CharField(max_length=200, default="")
    ready_earliest = fields.DateField(null=True)
    ready_latest = fields.DateField(null=True)
    changed_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "fremdrift.Person", related_name="revisions", null=True, on_delete=fields.SET_NULL
    )
    changed_at = fields.DatetimeField()
    source = fields.CharField(max_length=16, default="")

    answer_id: int
    changed_by_id: int | None

    class Meta:
        table = "answer_revision"
        table_description = "an answer revision"
        unique_together = (("answer", "number"),)
