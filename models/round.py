"""Rounds: one reporting cycle of a programme, the submissions made in it, and the rounds
planned on the meeting calendar that have not opened yet."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from tortoise import fields
from tortoise.models import Model

from conversations.vocabulary import RoundStatus
from models.people import Person
from models.programme import Programme

__all__ = ["PlannedRound", "PlannedStatus", "Round", "RoundStatus", "Submission"]


class Round(Model):
    """One reporting cycle ("12. møde, 20. juni 2018").

    open_slot holds the programme's id while the round is open and NULL otherwise; its
    unique index lets the database itself refuse a second open round of a programme, even
    when two replicas open one at the same moment.

    `date` is the meeting's (or reporting) day and orders the programme's history: the
    round before this one is the latest earlier by date, whatever the order rounds were
    opened or imported in. `round open` sets it (by default its deadline's local day),
    `round import --date` sets it for history; a round saved without one gets its
    deadline's (else its opening's) day in the programme's time zone.
    """

    id = fields.IntField(primary_key=True)
    programme: fields.ForeignKeyRelation[Programme] = fields.ForeignKeyField(
        "fremdrift.Programme", related_name="rounds", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=255)
    date = fields.DateField(description="the meeting or reporting day, which orders history")
    status = fields.CharEnumField(RoundStatus, max_length=16, default=RoundStatus.OPEN)
    open_slot = fields.IntField(null=True, unique=True)
    opened_at = fields.DatetimeField()
    opened_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "fremdrift.Person", related_name="rounds_opened", null=True, on_delete=fields.SET_NULL
    )
    deadline = fields.DatetimeField(null=True)
    deadline_text = fields.CharField(max_length=200, default="")
    closed_at = fields.DatetimeField(null=True)
    published_at = fields.DatetimeField(null=True)
    imported = fields.BooleanField(default=False)
    comparison: dict[str, object] | None = fields.JSONField(null=True)

    programme_id: int
    opened_by_id: int | None

    class Meta:
        table = "round"
        table_description = "a reporting round"
        unique_together = (("programme", "name"),)

    def __str__(self) -> str:
        return self.name

    async def save(self, *args: Any, **kwargs: Any) -> None:
        if self.date is None:  # not given: derived
            timezone = await Programme.filter(id=self.programme_id).values_list(
                "timezone", flat=True
            )
            self.date = local_day(self.deadline or self.opened_at, str(timezone[0]))
        await super().save(*args, **kwargs)


def local_day(moment: dt.datetime, timezone: str) -> dt.date:
    """The day a moment falls on in the programme's time zone (a naive moment is UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(timezone)).date()


class Submission(Model):
    """A checklist handed in: for a unit (unit:<key>) or a reporter (reporter:<key>)."""

    id = fields.IntField(primary_key=True)
    round: fields.ForeignKeyRelation[Round] = fields.ForeignKeyField(
        "fremdrift.Round", related_name="submissions", on_delete=fields.CASCADE
    )
    scope = fields.CharField(max_length=100)
    submitted_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "fremdrift.Person", related_name="submissions", null=True, on_delete=fields.SET_NULL
    )
    submitted_at = fields.DatetimeField()
    late = fields.BooleanField(default=False)

    round_id: int
    submitted_by_id: int | None

    class Meta:
        table = "submission"
        table_description = "a checklist handed in"
        unique_together = (("round", "scope"),)


class PlannedStatus(StrEnum):
    """Where a planned round is: ahead, due and waiting, or done with one way or another."""

    PLANNED = "planned"  # its opening is ahead
    WAITING = "waiting"  # due, but another round of the programme is still open
    OPENED = "opened"  # it became a round (PlannedRound.round)
    CANCELLED = "cancelled"  # `round plan cancel`, or gone from the file's meetings
    LAPSED = "lapsed"  # its deadline passed before it could open


LIVE_PLANS = (PlannedStatus.PLANNED, PlannedStatus.WAITING)
"""The planned rounds that will still open: the ones `round list` shows."""
MEETING_DESCRIPTION = "the day of the meeting, which opening and deadline count back from"
FROM_FILE_DESCRIPTION = "planned by the meetings list of the programme file"


class PlannedRound(Model):
    """A round planned for a meeting, before it opens (service/planned_rounds.py).

    Kept apart from Round on purpose: a Round is one that was opened (or imported), with
    an opening moment, invitations and answers, and every reader of rounds — status,
    history, comparisons, exports, the open round — may count on that. A planned round
    becomes a Round when it opens, through `round open`'s own code, and points at it.

    Its name is unique in the programme like a round's (planning checks both); a row is
    never deleted but cancelled, so a `meetings:` entry cancelled by command stays
    cancelled when the file is loaded again. `version` goes up each time it is planned
    again or moved: it names the opening job, so a job queued before a move does nothing.
    """

    id = fields.IntField(primary_key=True)
    programme: fields.ForeignKeyRelation[Programme] = fields.ForeignKeyField(
        "fremdrift.Programme", related_name="planned_rounds", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=255)
    meeting = fields.DateField(description=MEETING_DESCRIPTION)
    status = fields.CharEnumField(PlannedStatus, max_length=16, default=PlannedStatus.PLANNED)
    version = fields.IntField(default=1)
    from_file = fields.BooleanField(default=False, description=FROM_FILE_DESCRIPTION)
    planned_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "fremdrift.Person", related_name="rounds_planned", null=True, on_delete=fields.SET_NULL
    )
    round: fields.ForeignKeyNullableRelation[Round] = fields.ForeignKeyField(
        "fremdrift.Round", related_name="plans", null=True, on_delete=fields.SET_NULL
    )

    programme_id: int
    planned_by_id: int | None
    round_id: int | None

    class Meta:
        table = "planned_round"
        table_description = "a round planned on the meeting calendar, before it opens"
        unique_together = (("programme", "name"),)

    def __str__(self) -> str:
        return self.name
