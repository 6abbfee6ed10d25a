"""Planned rounds in the database: each one's opening job, moving and cancelling one, and
the programme file's `meetings:` planned on `programme load`.

Shared by the load (models/programme_store.py) and the commands (service/planned_rounds.py,
which also checks who asks and what they wrote). Everything here runs in the caller's
transaction. A planned round that will still open has exactly one pending opening job,
named by its id and version (`opening_key`); moving or planning it again bumps the
version, cancels the old job and queues a new one, so a job queued before a move finds
the version changed and does nothing. When the job runs is decided again when it runs
(service/planned_rounds.py, by conversations/planning.py): the queue's time is a hint.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from tortoise.expressions import F

from conversations.planning import PlannedTimes, planned_times
from models.jobs import Job, JobStatus
from models.people import Person
from models.programme import Programme
from models.programme_spec import MeetingSpec, ProgrammeSettings
from models.round import LIVE_PLANS, PlannedRound, PlannedStatus, Round

OPEN_PLANNED = "open_planned"
"""The job kind that opens a planned round (payload: planned_id, version)."""


def opening_key(planned: PlannedRound) -> str:
    return f"{OPEN_PLANNED}:{planned.id}:{planned.version}"


def times_of(meeting: date, programme: Programme) -> PlannedTimes:
    """When the round for a meeting on `meeting` opens and closes, by the programme's settings."""
    settings = ProgrammeSettings.model_validate(programme.settings or {})
    return planned_times(
        meeting,
        open_days_before=settings.open_days_before,
        deadline_days_before=settings.deadline_days_before,
        skip_weekends=settings.skip_weekends,
        tz=programme.timezone,
    )


async def queue_opening(planned: PlannedRound, programme: Programme) -> PlannedTimes:
    """Queue the job that opens `planned` at its time; its times."""
    times = times_of(planned.meeting, programme)
    job = Job(
        kind=OPEN_PLANNED,
        payload={"planned_id": planned.id, "version": planned.version},
        dedupe_key=opening_key(planned),
        run_at=times.opens_at,
    )
    await Job.bulk_create([job], ignore_conflicts=True)
    return times


async def _cancel_opening(planned: PlannedRound) -> None:
    await Job.filter(dedupe_key=opening_key(planned), status=JobStatus.PENDING).update(
        status=JobStatus.CANCELLED
    )


async def replan(
    planned: PlannedRound,
    programme: Programme,
    meeting: date,
    *,
    planned_by: Person | None = None,
    from_file: bool | None = None,
    revive: bool = False,
) -> PlannedTimes | None:
    """Plan `planned` for `meeting` again: a new version, its old job cancelled, a new one
    queued. Only a live one — or, with `revive`, a cancelled or lapsed one — is replanned;
    None if it was not (it opened, or was cancelled, meanwhile: the update is the arbiter)."""
    states = [*LIVE_PLANS, *((PlannedStatus.CANCELLED, PlannedStatus.LAPSED) if revive else ())]
    values: dict[str, object] = {"meeting": meeting, "status": PlannedStatus.PLANNED}
    if planned_by is not None:
        values["planned_by_id"] = planned_by.id
    if from_file is not None:
        values["from_file"] = from_file
    flipped = await PlannedRound.filter(id=planned.id, status__in=states).update(
        version=F("version") + 1, **values
    )
    if flipped != 1:
        return None
    await _cancel_opening(planned)
    fresh = await PlannedRound.get(id=planned.id)
    return await queue_opening(fresh, programme)


async def cancel(planned: PlannedRound) -> bool:
    """Cancel a live planned round and its opening job; False if it was not live."""
    flipped = await PlannedRound.filter(id=planned.id, status__in=LIVE_PLANS).update(
        status=PlannedStatus.CANCELLED
    )
    if flipped == 1:
        await _cancel_opening(planned)
    return flipped == 1


async def live_plans(programme_id: int) -> list[PlannedRound]:
    """The planned rounds of a programme that will still open, by meeting."""
    return (
        await PlannedRound.filter(programme_id=programme_id, status__in=LIVE_PLANS)
        .order_by("meeting", "id")
        .all()
    )


class MeetingsPlanned(NamedTuple):
    """What a load did to the rounds planned for the file's meetings."""

    planned: int
    moved: int
    unchanged: int
    cancelled: int


async def plan_meetings(programme: Programme, meetings: Sequence[MeetingSpec]) -> MeetingsPlanned:
    """The file's meetings planned, by name.

    A name new to the programme is planned; a live planned round of that name whose date
    differs is moved to the file's date (and is the file's from then on); one cancelled,
    lapsed or opened, or a round of that name (opened by hand, imported), is left as it is:
    loading the same file again changes nothing. A live planned round that came from the
    file and is no longer in it is cancelled; one planned by command stays. Last, each live
    one's opening job is moved to the time the (perhaps changed) settings give.
    """
    planned = moved = unchanged = cancelled = 0
    existing = {p.name: p for p in await PlannedRound.filter(programme_id=programme.id)}
    names = await Round.filter(programme_id=programme.id).values_list("name", flat=True)
    rounds = {str(name) for name in names}
    for meeting in meetings:
        found = existing.get(meeting.name)
        if found is None and meeting.name not in rounds:
            row = await PlannedRound.create(
                programme=programme, name=meeting.name, meeting=meeting.date, from_file=True
            )
            await queue_opening(row, programme)
            planned += 1
        elif found is not None and found.status in LIVE_PLANS and found.meeting != meeting.date:
            await replan(found, programme, meeting.date, from_file=True)
            moved += 1
        else:
            if found is not None and found.status in LIVE_PLANS and not found.from_file:
                await PlannedRound.filter(id=found.id).update(from_file=True)
            unchanged += 1
    named = {meeting.name for meeting in meetings}
    for name, row in existing.items():
        if row.from_file and row.status in LIVE_PLANS and name not in named:
            cancelled += await cancel(row)
    await _retime(programme)
    return MeetingsPlanned(planned, moved, unchanged, cancelled)


async def _retime(programme: Programme) -> None:
    """Each live planned round's pending opening job at the time the settings now give."""
    for row in await live_plans(programme.id):
        opens_at = times_of(row.meeting, programme).opens_at
        job = await Job.get_or_none(dedupe_key=opening_key(row), status=JobStatus.PENDING)
        if job is not None and row.status is PlannedStatus.PLANNED and job.run_at != opens_at:
            await Job.filter(id=job.id, status=JobStatus.PENDING).update(run_at=opens_at)
