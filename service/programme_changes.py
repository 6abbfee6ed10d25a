"""`programme load` while a round is open: the file applied, and the round brought along.

The file is written by models/programme_store.py (which refuses to lose or hide an answer:
models/programme_guard.py); here, in the same transaction, the open round learns what
changed, as if it had been opened with the new file:

- who is asked: each person and checklist newly asked (a lead, deputy or reporter added,
  a lead moved to another unit, a unit added) gets the invitation `round open` would
  have queued; each no longer asked has their pending invitation, reminders and
  hand-overs cancelled — what they answered stays, and is published;
- the schedule: when the reminder times, weekends, quiet hours, time zone or `auto_close`
  changed, the pending reminder sweeps and close are cancelled and planned again, as
  `round deadline` does; a deadline already passed gets no new close (it would close the
  round the moment the file loads: `round close` does that when meant).

Milestones taken out without answers are gone from every checklist: the dialogue takes a
lead on one to the one that followed it (conversations/state.py). Nothing is sent from
here; the workers send once the transaction has committed (service/round_jobs.py).
On SQLite the transaction takes the write lock first (`models.locks.writer_first`), so a
load while leads click waits its turn instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tortoise.transactions import in_transaction

from models.checklists import ChecklistRef
from models.jobs import Job, JobStatus
from models.locks import writer_first
from models.people import Person
from models.programme import Programme
from models.programme_file import read_programme_file
from models.programme_spec import ProgrammeFile
from models.programme_store import LoadSummary, save_programme
from models.round import Round, RoundStatus
from service.jobs import cancel_pending, enqueue_many
from service.round_plan import (
    CLOSE,
    REMINDERS,
    RoundSettings,
    asked_checklists,
    cancel_asked,
    invitation_specs,
    round_settings,
    schedule_deadline_jobs,
)

Asked = dict[tuple[int, str], tuple[Person, ChecklistRef]]
"""Who is asked to answer which checklist: (person id, scope) → the person and checklist."""


@dataclass(frozen=True)
class Dropped:
    """Someone no longer asked to answer a checklist of the open round."""

    name: str
    checklist: str


@dataclass(frozen=True)
class RoundChanges:
    """What a load did to the programme's open round."""

    round: str
    invited: int  # invitations that will go out
    dropped: tuple[Dropped, ...]
    replanned: bool  # the schedule was planned again; then:
    reminders: tuple[datetime, ...]
    closes_at: datetime | None
    timezone: str


@dataclass(frozen=True)
class Loaded:
    summary: LoadSummary
    round: RoundChanges | None  # None: the programme has no open round


async def load_programme_path(path: Path, now: datetime) -> Loaded:
    """Read, validate and load a programme file (refusals as `load_programme`'s)."""
    return await load_programme(read_programme_file(path), now)


async def load_programme(file: ProgrammeFile, now: datetime) -> Loaded:
    """Write a validated file and bring the programme's open round along, in one
    transaction: all of it, or (on a refusal: programme.* keys) nothing."""
    async with in_transaction():
        await writer_first()
        programme = await Programme.get_or_none(key=file.spec.key)
        found = None
        if programme is not None:
            found = await Round.get_or_none(programme_id=programme.id, status=RoundStatus.OPEN)
        if programme is None or found is None:
            return Loaded(await save_programme(file), None)
        before = await _asked(found)
        settings = round_settings(programme)
        summary = await save_programme(file)
        changes = await _bring_along(found, before, settings, now)
    return Loaded(summary, changes)


async def _asked(round_: Round) -> Asked:
    return {
        (person.id, ref.scope.wire): (person, ref) for person, ref in await asked_checklists(round_)
    }


async def _bring_along(
    round_: Round, before: Asked, settings_before: RoundSettings, now: datetime
) -> RoundChanges:
    programme = await Programme.get(id=round_.programme_id)
    settings = round_settings(programme)
    after = await _asked(round_)
    new = [pair for key, pair in after.items() if key not in before]
    gone = {key: pair for key, pair in before.items() if key not in after}
    invitations = invitation_specs(round_, new, settings.dm_time(now))
    # revive: an invitation cancelled when its person was dropped goes out if they are back
    await enqueue_many(invitations, revive=True)
    await cancel_asked(round_.id, set(gone))
    replanned = settings.schedule != settings_before.schedule
    reminders: list[datetime] = []
    closes_at = None
    if replanned:
        await cancel_pending(round_.id, [REMINDERS, CLOSE])
        if round_.deadline is not None and round_.deadline > now:
            reminders, closes_at = await schedule_deadline_jobs(round_, settings, now)
    keys = [spec.dedupe_key for spec in invitations]
    return RoundChanges(
        round=round_.name,
        invited=await Job.filter(dedupe_key__in=keys, status=JobStatus.PENDING).count(),
        dropped=tuple(Dropped(person.name, ref.title) for person, ref in gone.values()),
        replanned=replanned,
        reminders=tuple(reminders),
        closes_at=closes_at,
        timezone=settings.timezone,
    )
