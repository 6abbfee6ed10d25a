"""People, the accounts through which the bot reaches them, and their roles.

A person is platform-neutral; an Account ties them to a Slack user (or, later, a Teams
user) and keeps the neutral reference the bot needs to write to them unprompted.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.programme import Programme


class Platform(StrEnum):
    SLACK = "slack"
    TEAMS = "teams"


class RoleKind(StrEnum):
    """Admin of a programme; lead or deputy of a unit; reporter of a milestone."""

    ADMIN = "admin"
    LEAD = "lead"
    DEPUTY = "deputy"
    REPORTER = "reporter"


class Person(Model):
    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=255)
    language = fields.CharField(max_length=8, null=True)
    email = fields.CharField(max_length=255, default="")
    away_until = fields.DateField(null=True)
    snoozed_until = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    accounts: fields.ReverseRelation[Account]
    roles: fields.ReverseRelation[Role]

    class Meta:
        table = "person"
        table_description = "a person"

    def __str__(self) -> str:
        return self.name


class Account(Model):
    """Where a person is on a platform, and what a proactive message needs to reach them."""

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "fremdrift.Person", related_name="accounts", on_delete=fields.CASCADE
    )
    platform = fields.CharEnumField(Platform, max_length=16)
    workspace = fields.CharField(max_length=64, default="")
    user_id = fields.CharField(max_length=128)
    reference: dict[str, object] | None = fields.JSONField(null=True)

    person_id: int

    class Meta:
        table = "account"
        table_description = "a platform account"
        unique_together = (("platform", "workspace", "user_id"),)


class Role(Model):
    """What a person may do in a programme.

    scope says where: "" for an admin, the unit's key for a lead or deputy, the
    milestone's code for a reporter. Kept as one string so the database can hold each
    role once (a NULL in a unique key would not count as equal).
    """

    id = fields.IntField(primary_key=True)
    programme: fields.ForeignKeyRelation[Programme] = fields.ForeignKeyField(
        "fremdrift.Programme", related_name="roles", on_delete=fields.CASCADE
    )
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "fremdrift.Person", related_name="roles", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(RoleKind, max_length=16)
    scope = fields.CharField(max_length=64, default="")

    programme_id: int
    person_id: int

    class Meta:
        table = "role"
        table_description = "a role in a programme"
        unique_together = (("programme", "person", "kind", "scope"),)
