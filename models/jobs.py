"""The job queue's table: DMs to send, reminders, closing and publishing rounds.

Jobs are written in the same transaction as what causes them (opening a round writes its
invitations), so nothing is promised that is not also queued. dedupe_key is unique: the
same invitation cannot be queued twice, whoever asks.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.round import Round


class JobStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Job(Model):
    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=32)
    payload: dict[str, object] = fields.JSONField(default=dict)
    dedupe_key = fields.CharField(max_length=255, null=True, unique=True)
    round: fields.ForeignKeyNullableRelation[Round] = fields.ForeignKeyField(
        "fremdrift.Round", related_name="jobs", null=True, on_delete=fields.CASCADE
    )
    status = fields.CharEnumField(JobStatus, max_length=16, default=JobStatus.PENDING)
    run_at = fields.DatetimeField()
    attempts = fields.IntField(default=0)
    max_attempts = fields.IntField(default=6)
    locked_by = fields.CharField(max_length=64, null=True)
    locked_until = fields.DatetimeField(null=True)
    last_error = fields.TextField(default="")
    result: dict[str, object] | None = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)

    round_id: int | None

    class Meta:
        table = "job"
        table_description = "a queued job"
        indexes = (("status", "run_at"),)
