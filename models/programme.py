"""A programme's structure: its units (the matrix's columns) and its milestones (the rows).

Loaded from a programme file (models/programme_file.py); reloading updates rows in place
by their keys and codes, so rounds and answers that point at them stay intact.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from conversations.vocabulary import ALL_UNITS


class Programme(Model):
    """A portfolio with its units, items, steering channel, admins and language."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=64, unique=True)
    title = fields.CharField(max_length=255)
    subtitle = fields.TextField(default="")
    language = fields.CharField(max_length=8, default="da")
    timezone = fields.CharField(max_length=64, default="Europe/Copenhagen")
    unit_label = fields.CharField(max_length=64, default="")
    steering_channel = fields.CharField(max_length=64, default="")
    source = fields.CharField(max_length=255, default="")
    settings: dict[str, object] = fields.JSONField(default=dict)
    layout = fields.CharField(max_length=16, default="matrix", description="matrix or table")
    nouns: dict[str, dict[str, str]] = fields.JSONField(
        default=dict, description="the programme's own nouns by language (KOL's if none)"
    )
    questions: list[dict[str, object]] = fields.JSONField(
        default=list, description="the questions asked, in order, with labels (KOL's if none)"
    )
    texts: list[dict[str, object]] = fields.JSONField(
        default=list, description="the standing texts its items carry, with labels"
    )
    source_file = fields.CharField(max_length=512, default="")
    revision = fields.IntField(
        default=0, db_default=0, description="raised by every change to structure or roster"
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    units: fields.ReverseRelation[Unit]
    groups: fields.ReverseRelation[MilestoneGroup]
    milestones: fields.ReverseRelation[Milestone]

    class Meta:
        table = "programme"
        table_description = "a portfolio"

    def __str__(self) -> str:
        return self.key


class Unit(Model):
    """A column of the matrix: a region, or the single unit of a one-unit programme."""

    id = fields.IntField(primary_key=True)
    programme: fields.ForeignKeyRelation[Programme] = fields.ForeignKeyField(
        "fremdrift.Programme", related_name="units", on_delete=fields.CASCADE
    )
    key = fields.CharField(max_length=64)
    name = fields.CharField(max_length=255)
    position = fields.IntField(default=0)

    programme_id: int

    class Meta:
        table = "unit"
        table_description = "a column of the matrix"
        unique_together = (("programme", "key"),)
        ordering = ("position",)

    def __str__(self) -> str:
        return self.name


class MilestoneGroup(Model):
    """A block of rows ("Milepæl 6: Teknisk løsning er indkøbt og klar til drift")."""

    id = fields.IntField(primary_key=True)
    programme: fields.ForeignKeyRelation[Programme] = fields.ForeignKeyField(
        "fremdrift.Programme", related_name="groups", on_delete=fields.CASCADE
    )
    number = fields.CharField(max_length=16)
    title = fields.TextField()
    position = fields.IntField(default=0)

    programme_id: int

    class Meta:
        table = "milestone_group"
        table_description = "a block of rows"
        unique_together = (("programme", "number"),)
        ordering = ("position",)


class Milestone(Model):
    """A row ("6.1 B"), or a unit's local item when unit is set.

    A milestone with a reporter (a Role of kind reporter) is answered by that reporter
    once for every unit; local items are answered by their unit and stay out of the matrix.
    """

    id = fields.IntField(primary_key=True)
    programme: fields.ForeignKeyRelation[Programme] = fields.ForeignKeyField(
        "fremdrift.Programme", related_name="milestones", on_delete=fields.CASCADE
    )
    group: fields.ForeignKeyNullableRelation[MilestoneGroup] = fields.ForeignKeyField(
        "fremdrift.MilestoneGroup", related_name="milestones", null=True, on_delete=fields.CASCADE
    )
    unit: fields.ForeignKeyNullableRelation[Unit] = fields.ForeignKeyField(
        "fremdrift.Unit", related_name="local_items", null=True, on_delete=fields.CASCADE
    )
    code = fields.CharField(max_length=32)
    title = fields.TextField()
    definition = fields.TextField(default="")
    texts: dict[str, str] = fields.JSONField(
        default=dict, description="standing texts by key (not answers)"
    )
    position = fields.IntField(default=0)

    programme_id: int
    group_id: int | None
    unit_id: int | None
    deadlines: fields.ReverseRelation[BaselineDeadline]

    class Meta:
        table = "milestone"
        table_description = "a row or a local item"
        unique_together = (("programme", "code"),)
        ordering = ("position",)

    def __str__(self) -> str:
        return self.code


class BaselineDeadline(Model):
    """A milestone's baseline deadline, as written and as read; for one unit or for all."""

    id = fields.IntField(primary_key=True)
    milestone: fields.ForeignKeyRelation[Milestone] = fields.ForeignKeyField(
        "fremdrift.Milestone", related_name="deadlines", on_delete=fields.CASCADE
    )
    scope = fields.CharField(max_length=64, default=ALL_UNITS)
    text = fields.CharField(max_length=200)
    earliest_date = fields.DateField()
    latest_date = fields.DateField()

    milestone_id: int

    class Meta:
        table = "baseline_deadline"
        table_description = "a baseline deadline"
        unique_together = (("milestone", "scope"),)
