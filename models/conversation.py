"""The stored state of each checklist conversation and the ids of events already handled."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.people import Person
from models.round import Round


class Conversation(Model):
    """One person's walk through one checklist (a unit's, or a reporter's) in one round.

    state is the dialogue's plain data (conversations/state.py), naming the milestone the
    person is on by its code, so a reloaded programme moves nobody (migration 0003 turned
    the positions stored before into codes); version rises by one on every transition, and
    a writer updates only the version it read, so a stale view is detected, never
    written over. message_ref says where the live checklist message is shown, as the
    platform adapter needs it ({"platform": "slack", "channel": "D…", "ts": "…"}).
    """

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "fremdrift.Person", related_name="conversations", on_delete=fields.CASCADE
    )
    round: fields.ForeignKeyRelation[Round] = fields.ForeignKeyField(
        "fremdrift.Round", related_name="conversations", on_delete=fields.CASCADE
    )
    scope = fields.CharField(max_length=100)
    state: dict[str, object] = fields.JSONField(default=dict)
    version = fields.IntField(default=0)
    message_ref: dict[str, object] | None = fields.JSONField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    person_id: int
    round_id: int

    class Meta:
        table = "conversation"
        table_description = "a checklist conversation"
        unique_together = (("person", "round", "scope"),)


class ProcessedEvent(Model):
    """An inbound event id seen once (Events API retries, Socket Mode redeliveries)."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=255, unique=True)
    received_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "processed_event"
        table_description = "an inbound event seen"
