"""People's own doings around a round: away (their deputies cover), back again, snooze;
and the one rule for the language a person reads.

What a person does for themselves, not for a programme: so no admin check here; the
commands and buttons that call these have already named the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from conversations.errors import UserError
from conversations.rounds import local_day
from models.checklists import checklists_for
from models.conversation import Conversation
from models.db import DATABASE_ERRORS
from models.jobs import Job, JobStatus
from models.people import Person, Role
from models.programme import Programme
from models.round import Round, RoundStatus
from reporting.deadlines import read_moment
from service.jobs import JobSpec, enqueue_many
from service.round_plan import (
    INVITE,
    REMIND,
    SNOOZE,
    cover_for,
    epoch,
    handover_spec,
    invite_key,
    remind_key,
    round_settings,
    submitted_scopes,
)

NAME_LIMIT = 255


async def reader_language(
    person: Person | None, programme: Programme | None = None, *, fallback: str
) -> str:
    """The language a person reads: their own, else the programme's, else their first
    programme's, else the deployment's `fallback` (`FREMDRIFT_LANGUAGE`).

    The one rule for every message, reply and card; adapters ask here and never decide.
    """
    if person is not None and person.language:
        return person.language
    if programme is None and person is not None:
        programme = await first_programme(person)
    return programme.language if programme is not None else fallback


async def refusal_language(person: Person | None, *, fallback: str) -> str:
    """`reader_language` for a refusal, which may be the database's own failure: when the
    look-up fails too, the refusal is said in `fallback` rather than turned into an error."""
    try:
        return await reader_language(person, fallback=fallback)
    except DATABASE_ERRORS:
        return fallback


async def first_programme(person: Person) -> Programme | None:
    """The programme the person was first given a role in (None: they have none)."""
    ids = await Role.filter(person=person).order_by("id").values_list("programme_id", flat=True)
    return await Programme.get_or_none(id=ids[0]) if ids else None


async def round_programme(round_id: int | None) -> Programme | None:
    """The programme a round belongs to (None for no round, or one that is gone)."""
    if round_id is None:
        return None
    round_ = await Round.get_or_none(id=round_id)
    return await Programme.get_or_none(id=round_.programme_id) if round_ is not None else None


@dataclass(frozen=True)
class Away:
    person: Person
    until: date
    covered_by: tuple[tuple[str, tuple[str, ...]], ...]  # (checklist title, names)


async def away(
    person: Person, until_text: str, now: datetime, tz: str = "Europe/Copenhagen"
) -> Away:
    """Mark a person away through a day; their DMs go to the unit's deputies meanwhile.

    Each covering person of an open round is told at once (a `handover` DM); invitations
    and reminders to the away person are then skipped while someone covers
    (round_jobs.py). Refusals: round.away_* (empty, too_long, unreadable, past).
    """
    try:
        until = local_day(read_moment(until_text, now=now, tz=tz), tz)
    except UserError as error:
        raise UserError(f"round.away_{error.key.removeprefix('moment.')}", **error.params) from None
    await Person.filter(id=person.id).update(away_until=until)
    person.away_until = until
    covered: list[tuple[str, tuple[str, ...]]] = []
    async with in_transaction():
        for round_ in await _open_rounds_of(person):
            settings = round_settings(await Programme.get(id=round_.programme_id))
            for ref in await checklists_for(person, round_):
                cover = await cover_for(person, round_, ref.scope, now, settings.timezone)
                if cover:
                    covered.append((ref.title, tuple(p.name for p in cover)))
                await enqueue_many(
                    [handover_spec(round_, person, to, ref.scope.wire, now) for to in cover]
                )
    return Away(person, until, tuple(covered))


async def back(person: Person, now: datetime) -> int:
    """Back again: DMs come to the person; an invitation skipped while away is sent now.

    Returns how many invitations were queued: none for a checklist whose message is live
    already, or whose invitation is still queued.
    """
    await Person.filter(id=person.id).update(away_until=None)
    person.away_until = None
    specs = []
    async with in_transaction():
        for round_ in await _open_rounds_of(person):
            queued = {
                str(job.payload.get("scope"))
                for job in await Job.filter(
                    round_id=round_.id,
                    kind=INVITE,
                    status__in=[JobStatus.PENDING, JobStatus.RUNNING],
                )
                if job.payload.get("person_id") == person.id
            }
            for ref in await checklists_for(person, round_):
                wire = ref.scope.wire
                live = await Conversation.filter(
                    person=person, round_id=round_.id, scope=wire, message_ref__isnull=False
                ).exists()
                if not live and wire not in queued:
                    key = f"{invite_key(round_.id, person.id, wire)}+back{epoch(now)}"
                    specs.append(
                        JobSpec(
                            INVITE, {"person_id": person.id, "scope": wire}, now, key, round_.id
                        )
                    )
        return await enqueue_many(specs)


@dataclass(frozen=True)
class Said:
    """Words for one person: a catalogue key, its parameters, and the language to read."""

    key: str
    params: dict[str, object]
    language: str


async def remind_me_tomorrow(person: Person, target: str, now: datetime, *, fallback: str) -> Said:
    """The reminder's "remind me tomorrow" button, the same on every platform.

    `target` is the button's value, `<round>|<scope>` (as the messengers draw it): that
    round's programme gives the time zone the day is counted in and the reader's language;
    without it (a round since deleted, a tampered value) the person's first programme does.
    Returns what to tell the person; each adapter renders it in its own format.
    """
    round_text = target.split("|", 1)[0]
    round_id = int(round_text) if round_text.isdigit() else None
    programme = await round_programme(round_id) or await first_programme(person)
    timezone = programme.timezone if programme is not None else "UTC"
    until = await snooze(person, now, timezone)
    language = await reader_language(person, programme, fallback=fallback)
    return Said("round.snoozed", {"until": until, "timezone": timezone}, language)


async def snooze(person: Person, now: datetime, tz: str = "UTC") -> datetime:
    """'Remind me tomorrow': no reminder for a day, then one more (before the deadline).

    The day is counted in `tz`, the programme's time zone: the same time of day tomorrow,
    23 or 25 hours on the night clocks change. Returns when the snooze ends.
    """
    until = a_day_later(now, tz)
    await Person.filter(id=person.id).update(snoozed_until=until)
    person.snoozed_until = until
    async with in_transaction():
        for round_ in await _open_rounds_of(person):
            if round_.deadline is None or until >= round_.deadline:
                continue
            submitted = await submitted_scopes(round_.id)
            specs = [
                JobSpec(
                    REMIND,
                    {
                        "person_id": person.id,
                        "scope": ref.scope.wire,
                        "slot": f"snooze{epoch(until)}",
                    },
                    until,
                    remind_key(round_.id, person.id, ref.scope.wire, f"snooze{epoch(until)}"),
                    round_.id,
                )
                for ref in await checklists_for(person, round_)
                if ref.scope.wire not in submitted
            ]
            await enqueue_many(specs)
    return until


def a_day_later(moment: datetime, tz: str) -> datetime:
    """The same wall-clock time in `tz` a day after `moment`, in UTC."""
    return (moment.astimezone(ZoneInfo(tz)) + SNOOZE).astimezone(UTC)


async def _open_rounds_of(person: Person) -> list[Round]:
    programme_ids = (
        await Role.filter(person=person).distinct().values_list("programme_id", flat=True)
    )
    return await Round.filter(programme_id__in=list(programme_ids), status=RoundStatus.OPEN)
