"""Rounds that run themselves: open, remind, move the deadline, close, reopen, publish.

The service behind `/fremdrift round …`, `/fremdrift away|back`, a reminder's snooze button
and `fremdrift round …`. Each command checks who asks (admins only: `round.not_admin`) and
the round's state, then writes the round and the jobs that carry it out in ONE
transaction: nothing is promised that is not also queued, and nothing is queued for a
round that was not written. Nothing here calls a chat platform: workers send, later
(service/round_jobs.py). Every refusal is a `UserError` keyed under `round.`; the words are in
render/messages/{da,en}/rounds.yaml. Pure rules: conversations/rounds.py; the jobs' kinds,
keys and schedule: service/round_plan.py; the status report: service/round_status.py.

Jobs a round writes (kind — payload — dedupe key):
- invite — {person_id, scope} — invite:{round}:{person}:{scope}; at opening, after quiet hours
- reminders — {slot} — reminders:{round}:{epoch}; one per time of the schedule, which at its
  time queues a `remind` for each person whose checklist is not yet submitted
- remind — {person_id, scope, slot} — remind:{round}:{person}:{scope}:{slot}
- close — {deadline} — close:{round}:{epoch of the deadline}; when settings.auto_close
- note — {person_id, key, params} — note:…; a DM to an admin (who did not answer, a failed DM)
- handover — {person_id, away_id, scope, until} — handover:{round}:{away}:{to}:{scope}:{until}
- publish — {} — publish:{round}

Close, then publish: closing a round (at the deadline or by command) freezes it, tells each
admin who did not answer, and — when late answers are refused — queues the publication at
once (PRODUCT.md flow 4). When the programme accepts late answers ("accepted until
publication"), publication waits for `round publish`, and the note to the admins says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from conversations.checklist import NotifyAdmins
from conversations.errors import UserError
from conversations.limits import ROUND_NAME_LIMIT
from conversations.text import cleaned
from models.checklists import Scope, last_stored_at
from models.jobs import Job, JobStatus
from models.locks import writer_first
from models.people import Person, Role, RoleKind
from models.programme import Programme, Unit
from models.round import Round, RoundStatus, local_day
from reporting.deadlines import MAX_YEAR, MIN_YEAR, read_moment
from service.jobs import JobSpec, cancel_pending, enqueue, enqueue_many
from service.round_plan import (
    CLOSE,
    NOTE,
    PUBLISH,
    REMIND,
    REMINDERS,
    admins_of,
    asked_checklists,
    epoch,
    invitation_specs,
    publish_key,
    reminder_specs,
    round_settings,
    schedule_deadline_jobs,
)
from service.round_status import RoundLine, RoundReport, round_lines, round_report

NAME_LIMIT = ROUND_NAME_LIMIT  # as the chat's command takes it (conversations/limits.py)
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


# -- finding things ------------------------------------------------------------------------
async def find_programme(key: str) -> Programme:
    programme = await Programme.get_or_none(key=key)
    if programme is None:
        raise UserError("round.unknown_programme", key=key)
    return programme


async def find_person(key: str) -> Person:
    person = await Person.get_or_none(key=key)
    if person is None:
        raise UserError("round.unknown_person", key=key)
    return person


async def first_admin(programme: Programme) -> Person:
    role = (
        await Role.filter(programme=programme, kind=RoleKind.ADMIN)
        .order_by("id")
        .prefetch_related("person")
        .first()
    )
    if role is None:
        raise UserError("round.no_admin", programme=programme.key)
    return role.person


async def require_admin(programme: Programme, actor: Person) -> None:
    if not await Role.exists(programme=programme, person=actor, kind=RoleKind.ADMIN):
        raise UserError("round.not_admin", person=actor.name, programme=programme.key)


async def open_round_of(programme: Programme) -> Round | None:
    return await Round.get_or_none(programme_id=programme.id, status=RoundStatus.OPEN)


async def latest_round(programme: Programme) -> Round:
    found = (
        await Round.filter(programme_id=programme.id, imported=False)
        .order_by("-opened_at", "-id")
        .first()
    )
    if found is None:
        raise UserError("round.no_round", programme=programme.key)
    return found


async def require_open(programme: Programme) -> Round:
    """The open round, or why a command for a round cannot run."""
    found = await open_round_of(programme)
    if found is not None:
        return found
    latest = await latest_round(programme)
    raise UserError("round.not_open", name=latest.name, status=str(latest.status))


def read_round_deadline(text: str, now: datetime, tz: str) -> datetime:
    """read_moment, with its refusals re-keyed under round. (the words say 'deadline')."""
    try:
        return read_moment(text, now=now, tz=tz)
    except UserError as error:
        kind = error.key.removeprefix("moment.")
        raise UserError(f"round.deadline_{kind}", **error.params) from None


def read_round_date(text: str) -> date:
    """A round's date as `--date` gives it: YYYY-MM-DD (round.date_unreadable otherwise)."""
    stripped = text.strip()
    try:
        if ISO_DAY.fullmatch(stripped):
            day = date.fromisoformat(stripped)
            if MIN_YEAR <= day.year <= MAX_YEAR:
                return day
    except ValueError:  # 2018-02-30
        pass
    raise UserError("round.date_unreadable", text=stripped[:40])


def checked_name(name: str) -> str:
    stripped = " ".join(cleaned(name, "round.name_unreadable").split())
    if not stripped:
        raise UserError("round.name_empty")
    if len(stripped) > NAME_LIMIT:
        raise UserError("round.name_too_long", limit=NAME_LIMIT)
    return stripped


# -- the commands ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Opened:
    round: Round
    invitations: int
    reminders: tuple[datetime, ...]
    closes_at: datetime | None
    timezone: str


async def open_round(
    programme: Programme,
    name: str,
    deadline_text: str,
    actor: Person,
    now: datetime,
    *,
    date_text: str | None = None,
) -> Opened:
    """Open a round and queue its invitations, reminders and close, all in one transaction.

    The round's date (which orders history) is `date_text` (YYYY-MM-DD), by default its
    deadline's day in the programme's time zone.

    Refusals: round.not_admin, round.name_empty/name_too_long, round.deadline_* (empty,
    too_long, unreadable, past), round.date_unreadable, round.already_open (name of the
    open round), round.name_taken. The database's unique open_slot decides between two
    admins (or two replicas) opening at the same moment.
    """
    await require_admin(programme, actor)
    name = checked_name(name)
    deadline = read_round_deadline(deadline_text, now, programme.timezone)
    day = (
        read_round_date(date_text)
        if date_text is not None
        else local_day(deadline, programme.timezone)
    )
    settings = round_settings(programme)
    await _refuse_second_round(programme, name)
    try:
        async with in_transaction():
            round_ = await Round.create(
                programme=programme,
                name=name,
                status=RoundStatus.OPEN,
                open_slot=programme.id,
                opened_at=now,
                opened_by=actor,
                deadline=deadline,
                deadline_text=deadline_text.strip(),
                date=day,
            )
            asked = await asked_checklists(round_)
            invitations = invitation_specs(round_, asked, settings.dm_time(now))
            await enqueue_many(invitations)
            reminders, closes_at = await schedule_deadline_jobs(round_, settings, now)
    except IntegrityError:
        await _refuse_second_round(programme, name)
        raise
    return Opened(round_, len(invitations), tuple(reminders), closes_at, programme.timezone)


async def _refuse_second_round(programme: Programme, name: str) -> None:
    current = await open_round_of(programme)
    if current is not None:
        raise UserError("round.already_open", name=current.name)
    if await Round.exists(programme_id=programme.id, name=name):
        raise UserError("round.name_taken", name=name)


async def remind(
    programme: Programme, actor: Person, now: datetime, unit: str | None = None
) -> int:
    """Queue a reminder now to everyone (or one unit's people) who has not submitted.

    Returns how many reminders were queued; each still respects snoozes, absence, quiet
    hours and max_reminders when it is sent.
    """
    await require_admin(programme, actor)
    round_ = await require_open(programme)
    if unit is not None and not await Unit.exists(programme_id=programme.id, key=unit):
        raise UserError("round.unknown_unit", key=unit, programme=programme.key)
    async with in_transaction():
        await writer_first()  # SQLite: wait for clicks rather than fail on "database is locked"
        specs = await reminder_specs(round_, slot=f"now{epoch(now)}", run_at=now, unit=unit)
        return await enqueue_many(specs)


async def set_deadline(programme: Programme, text: str, actor: Person, now: datetime) -> Opened:
    """Move the open round's deadline; its pending reminders and close move with it."""
    await require_admin(programme, actor)
    round_ = await require_open(programme)
    deadline = read_round_deadline(text, now, programme.timezone)
    settings = round_settings(programme)
    async with in_transaction():
        await Round.filter(id=round_.id).update(deadline=deadline, deadline_text=text.strip())
        round_.deadline, round_.deadline_text = deadline, text.strip()
        await cancel_pending(round_.id, [REMINDERS, CLOSE])
        reminders, closes_at = await schedule_deadline_jobs(round_, settings, now)
    return Opened(round_, 0, tuple(reminders), closes_at, programme.timezone)


@dataclass(frozen=True)
class Closed:
    round: Round
    missing: tuple[str, ...]  # titles of checklists not submitted
    publishing: bool  # publication queued now (late answers refused)


async def close(programme: Programme, actor: Person, now: datetime) -> Closed:
    """Close the open round by command (round.not_open when there is none)."""
    await require_admin(programme, actor)
    round_ = await require_open(programme)
    closed = await close_round(round_.id, now)
    if closed is None:
        latest = await Round.get(id=round_.id)
        raise UserError("round.not_open", name=latest.name, status=str(latest.status))
    return closed


async def close_round(round_id: int, now: datetime) -> Closed | None:
    """Freeze the round, tell each admin who did not answer, queue publication (or not).

    None if the round was not open: the conditional update is the arbiter, so of two
    replicas closing at the same moment exactly one closes, notes and publishes. It waits
    for the answers committing (they lock the round last: `models.checklists.confirm_round`)
    and every later one is decided on the round closed; `closed_at` is `now`, or the moment of the
    last answer the round took if that is later (a click that read the clock after the
    closer did and was stored before the close): no answer is after the line.
    """
    async with in_transaction():
        flipped = await Round.filter(id=round_id, status=RoundStatus.OPEN).update(
            status=RoundStatus.CLOSED, open_slot=None, closed_at=now
        )
        if flipped != 1:
            return None
        last = await last_stored_at(round_id)
        if last is not None and last > now:
            await Round.filter(id=round_id).update(closed_at=last)
        round_ = await Round.get(id=round_id)
        programme = await Programme.get(id=round_.programme_id)
        settings = round_settings(programme)
        await cancel_pending(round_id, [REMINDERS, REMIND, CLOSE])
        report = await round_report(round_, now)
        missing = [line for line in report.checklists if line.submitted_at is None]
        params: dict[str, object] = {
            "round": round_.name,
            "submitted": len(report.checklists) - len(missing),
            "total": len(report.checklists),
            "missing": [
                {"title": line.title, "people": [p.name for p in line.people]} for line in missing
            ],
            "publishing": settings.publish_at_close,
        }
        notes = [
            JobSpec(
                NOTE,
                {"person_id": admin.id, "key": "round.admin.closed", "params": params},
                now,
                f"note:closed:{round_id}:{epoch(now)}:{admin.id}",
                round_id,
            )
            for admin in await admins_of(programme.id)
        ]
        await enqueue_many(notes)
        if settings.publish_at_close:
            await enqueue(PUBLISH, {}, run_at=now, dedupe_key=publish_key(round_id), round=round_id)
    return Closed(round_, tuple(line.title for line in missing), settings.publish_at_close)


async def note_admins(round_: Round, scope: Scope, notice: NotifyAdmins, now: datetime) -> None:
    """The dialogue's word to the admins (a checklist submitted): a note job per admin,
    queued in the step's own transaction, so the note goes out once the answer is stored —
    and once only, whoever submits the same checklist again. A reporter's answers set apart
    for one unit are part of the checklist already handed in: no second note."""
    if scope.apart:
        return
    specs = [
        JobSpec(
            NOTE,
            {"person_id": admin.id, "key": notice.key, "params": notice.params},
            now,
            f"note:{notice.key}:{round_.id}:{scope.wire}:{admin.id}",
            round_.id,
        )
        for admin in await admins_of(round_.programme_id)
    ]
    await enqueue_many(specs)


async def reopen(programme: Programme, actor: Person, now: datetime) -> Round:
    """Open the latest round again, until it is published; a queued publication is void."""
    await require_admin(programme, actor)
    round_ = await latest_round(programme)
    if round_.status is RoundStatus.OPEN:
        raise UserError("round.is_open", name=round_.name)
    if round_.status is RoundStatus.PUBLISHED:
        raise UserError("round.already_published", name=round_.name)
    settings = round_settings(programme)
    try:
        async with in_transaction():
            flipped = await Round.filter(id=round_.id, status=RoundStatus.CLOSED).update(
                status=RoundStatus.OPEN, open_slot=programme.id, closed_at=None
            )
            if flipped != 1:
                raise UserError("round.already_published", name=round_.name)
            void = f"{publish_key(round_.id)}:void:{epoch(now)}"
            await Job.filter(
                dedupe_key=publish_key(round_.id),
                status__in=[JobStatus.PENDING, JobStatus.RUNNING],
            ).update(status=JobStatus.CANCELLED)
            await Job.filter(dedupe_key=publish_key(round_.id)).update(dedupe_key=void)
            round_ = await Round.get(id=round_.id)
            if round_.deadline is not None and round_.deadline > now:
                await schedule_deadline_jobs(round_, settings, now)
    except IntegrityError:
        current = await open_round_of(programme)
        raise UserError("round.already_open", name=current.name if current else "") from None
    return round_


async def publish(programme: Programme, actor: Person, now: datetime) -> Round:
    """Queue the publication of the latest round, once closed.

    A publication that failed for good (the admins were told) can be queued again.
    """
    await require_admin(programme, actor)
    round_ = await latest_round(programme)
    if round_.status is RoundStatus.OPEN:
        raise UserError("round.still_open", name=round_.name)
    async with in_transaction():
        await writer_first()
        job = await Job.get_or_none(dedupe_key=publish_key(round_.id))
        failed = job is not None and job.status is JobStatus.FAILED
        if round_.status is RoundStatus.PUBLISHED and not failed:
            raise UserError("round.already_published", name=round_.name)
        if job is not None and failed:  # its key is free again, for the job queued now
            void = f"{publish_key(round_.id)}:failed:{job.id}"
            await Job.filter(id=job.id).update(dedupe_key=void)
        again = round_.status is RoundStatus.PUBLISHED
        await enqueue(
            PUBLISH,
            {"again": True} if again else {},
            run_at=now,
            dedupe_key=publish_key(round_.id),
            round=round_.id,
        )
    return round_


async def status(programme: Programme, actor: Person, now: datetime) -> RoundReport:
    """The open round, else the programme's latest by date, imported history included; per
    unit and per reporter (admins only)."""
    await require_admin(programme, actor)
    found = await open_round_of(programme) or await latest_dated_round(programme)
    return await round_report(found, now)


async def latest_dated_round(programme: Programme) -> Round:
    """The programme's latest round by date (imported ones too), or round.no_round."""
    found = await Round.filter(programme_id=programme.id).order_by("-date", "-id").first()
    if found is None:
        raise UserError("round.no_round", programme=programme.key)
    return found


async def list_rounds(programme: Programme, actor: Person) -> tuple[RoundLine, ...]:
    """Every round of the programme in date order, with its state and counts (admins only)."""
    await require_admin(programme, actor)
    return await round_lines(programme.id)
