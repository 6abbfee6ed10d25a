"""Rounds planned on the meeting calendar: `round plan`, `round plan move|cancel`, and the
job that opens a planned round at its time.

A planned round is a `PlannedRound` row (models/round.py says why it is not a Round) with
one pending `open_planned` job (models/planned.py). The programme file's `meetings:` are
planned the same way on `programme load`. When the job runs, conversations/planning.py
decides, against the clock and the programme's open round:

- not yet its time (moved later meanwhile): the job runs again at the opening;
- its time, and no round open: `service.rounds.open_round` opens it — the invitations,
  reminders and close it queues are a round opened by hand's — with its deadline, dated
  by its meeting, as the admin who planned it (else the programme's first admin); the
  plan is marked opened in the same transaction, and each admin gets a `plan_note`;
- its time, but another round still open: it waits (the open-slot index allows one open
  round), each admin is told once, and the job looks again every WAIT_POLL;
- its deadline passed before it could open: it lapses, and each admin is told.

Two replicas open it once: the job is claimed by one worker (FOR UPDATE SKIP LOCKED), and
should a lease run out mid-run, the conditional update from planned (this version) to
opened is the arbiter — the second finds nothing to flip. Notes are `plan_note` jobs, one
per admin with a dedupe key, drawn when sent in the admin's language (`plan_notice`).
Every refusal is a `UserError` keyed under `round.`; the words are in
render/messages/{da,en}/rounds.yaml.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from conversations.errors import UserError
from conversations.planning import WAIT_POLL, Due, PlannedTimes, due
from models.locks import writer_first
from models.people import Person, Role, RoleKind
from models.planned import cancel, queue_opening, replan, times_of
from models.programme import Programme
from models.round import LIVE_PLANS, PlannedRound, PlannedStatus, Round
from service import rounds
from service.jobs import JobResult, JobSpec, Postpone, enqueue_many
from service.messenger import Notice
from service.round_plan import RoundSettings, admins_of, round_settings

PLAN_NOTE = "plan_note"
"""A DM to an admin about a planned round (payload: person_id, planned_id, what, params)."""
NOTICES = ("opened", "waiting", "lapsed")
"""What a plan_note says: round.admin.plan_<what>."""


@dataclass(frozen=True)
class Planned:
    """A round planned (or moved): what the admin is told."""

    name: str
    meeting: date
    opens_at: datetime
    deadline: datetime
    timezone: str

    def params(self, programme: str, now: datetime) -> dict[str, object]:
        """What round.cli.planned and round.cli.plan_moved say."""
        return {
            "name": self.name,
            "programme": programme,
            "meeting": self.meeting,
            "opens_at": self.opens_at,
            "opens_now": self.opens_at <= now,
            "deadline": self.deadline,
            "timezone": self.timezone,
        }


# -- the commands ---------------------------------------------------------------------------
async def plan(
    programme: Programme, name: str, meeting_text: str, actor: Person, now: datetime
) -> Planned:
    """Plan a round for a meeting on `meeting_text` (YYYY-MM-DD).

    Refusals: round.not_admin, round.name_empty/name_too_long, round.date_unreadable,
    round.plan_past (its deadline would be passed), round.name_taken (a round of that
    name exists), round.plan_exists (planned already: move it). A name planned before and
    cancelled, or lapsed, is planned again.
    """
    await rounds.require_admin(programme, actor)
    name = rounds.checked_name(name)
    meeting = rounds.read_round_date(meeting_text)
    times = _ahead(name, meeting, programme, now)
    try:
        async with in_transaction():
            await writer_first()
            if await Round.exists(programme_id=programme.id, name=name):
                raise UserError("round.name_taken", name=name)
            found = await PlannedRound.get_or_none(programme_id=programme.id, name=name)
            if found is None:
                row = await PlannedRound.create(
                    programme=programme, name=name, meeting=meeting, planned_by=actor
                )
                await queue_opening(row, programme)
            elif found.status in LIVE_PLANS:
                raise UserError("round.plan_exists", name=name, meeting=found.meeting)
            elif await replan(found, programme, meeting, planned_by=actor, revive=True) is None:
                raise UserError("round.name_taken", name=name)  # it opened meanwhile
    except IntegrityError:  # planned at the same moment by someone else
        raise UserError("round.plan_exists", name=name, meeting=meeting) from None
    return Planned(name, meeting, times.opens_at, times.deadline, programme.timezone)


async def move(
    programme: Programme, name: str, meeting_text: str, actor: Person, now: datetime
) -> Planned:
    """Move a planned round to another meeting day; its opening and deadline move along.

    Refusals: round.not_admin, round.date_unreadable, round.plan_unknown (no planned round
    of that name: never planned, cancelled, or opened already), round.plan_past.
    """
    await rounds.require_admin(programme, actor)
    meeting = rounds.read_round_date(meeting_text)
    planned = await _live(programme, name)
    times = _ahead(planned.name, meeting, programme, now)
    async with in_transaction():
        await writer_first()
        moved = await replan(planned, programme, meeting, planned_by=actor)
    if moved is None:
        raise UserError("round.plan_unknown", name=planned.name, programme=programme.key)
    return Planned(planned.name, meeting, times.opens_at, times.deadline, programme.timezone)


async def cancel_plan(programme: Programme, name: str, actor: Person) -> str:
    """Cancel a planned round (it will not open); its name. Refusals: round.not_admin,
    round.plan_unknown."""
    await rounds.require_admin(programme, actor)
    planned = await _live(programme, name)
    async with in_transaction():
        await writer_first()
        cancelled = await cancel(planned)
    if not cancelled:
        raise UserError("round.plan_unknown", name=planned.name, programme=programme.key)
    return planned.name


async def _live(programme: Programme, name: str) -> PlannedRound:
    name = rounds.checked_name(name)
    found = await PlannedRound.get_or_none(
        programme_id=programme.id, name=name, status__in=LIVE_PLANS
    )
    if found is None:
        raise UserError("round.plan_unknown", name=name, programme=programme.key)
    return found


def _ahead(name: str, meeting: date, programme: Programme, now: datetime) -> PlannedTimes:
    """The round's times, if its deadline is still ahead (round.plan_past otherwise)."""
    times = times_of(meeting, programme)
    if times.deadline <= now:
        raise UserError(
            "round.plan_past",
            name=name,
            meeting=meeting,
            deadline=times.deadline,
            timezone=programme.timezone,
        )
    return times


# -- the opening job ------------------------------------------------------------------------
async def open_due(planned_id: int, version: int, now: datetime) -> JobResult:
    """Run a planned round's opening job at `now` (see the module's docstring).

    Raises `Postpone` when it is not yet its time, or while another round is open.
    """
    planned = await PlannedRound.get_or_none(id=planned_id)
    if planned is None or planned.version != version:
        return {"skipped": "moved"}
    if planned.status not in LIVE_PLANS:
        return {"skipped": str(planned.status)}
    programme = await Programme.get(id=planned.programme_id)
    times = times_of(planned.meeting, programme)
    current = await rounds.open_round_of(programme)
    decision = due(times, now, another_open=current is not None)
    if decision is Due.EARLY:
        raise Postpone(times.opens_at, "not yet its time")
    if decision is Due.LAPSED:
        return await _lapse(planned, programme, now, "deadline_passed")
    if decision is Due.WAIT and current is not None:
        return await _wait(planned, programme, current, now)
    return await _open(planned, programme, times, now)


async def _open(
    planned: PlannedRound, programme: Programme, times: PlannedTimes, now: datetime
) -> JobResult:
    try:
        actor = await _opener(planned, programme)
        async with in_transaction():
            flipped = await PlannedRound.filter(
                id=planned.id, version=planned.version, status__in=LIVE_PLANS
            ).update(status=PlannedStatus.OPENED)
            if flipped != 1:
                return {"skipped": "taken"}
            opened = await rounds.open_round(
                programme,
                planned.name,
                _deadline_text(times.deadline, programme.timezone),
                actor,
                now,
                date_text=planned.meeting.isoformat(),
            )
            await PlannedRound.filter(id=planned.id).update(round_id=opened.round.id)
            extra = {"invitations": opened.invitations}
            await _notes(planned, programme, "opened", now, extra, round_id=opened.round.id)
    except UserError as error:
        return await _not_opened(planned, programme, now, error)
    return {"opened": opened.round.id, "invitations": opened.invitations}


async def _not_opened(
    planned: PlannedRound, programme: Programme, now: datetime, error: UserError
) -> JobResult:
    """`round open` refused (nothing of it was written): a round opened meanwhile waits;
    one of the same name opened by hand is this one, opened early; else it lapses."""
    if error.key == "round.already_open":
        current = await rounds.open_round_of(programme)
        if current is not None:
            return await _wait(planned, programme, current, now)
        raise Postpone(now, "the open round closed meanwhile: try again")
    if error.key == "round.name_taken":
        same = await Round.get(programme_id=programme.id, name=planned.name)
        await PlannedRound.filter(
            id=planned.id, version=planned.version, status__in=LIVE_PLANS
        ).update(status=PlannedStatus.OPENED, round_id=same.id)
        return {"skipped": "opened_by_hand", "round": same.id}
    return await _lapse(planned, programme, now, error.key)


async def _wait(
    planned: PlannedRound, programme: Programme, current: Round, now: datetime
) -> JobResult:
    """Another round is open: wait for it to close (the job looks again every WAIT_POLL);
    the admins are told the first time. The open round may be this one, opened meanwhile
    by another run of the job (or the plan moved or cancelled): then nothing is left to do."""
    async with in_transaction():
        flipped = await PlannedRound.filter(
            id=planned.id, version=planned.version, status=PlannedStatus.PLANNED
        ).update(status=PlannedStatus.WAITING)
        if flipped == 1:
            await _notes(planned, programme, "waiting", now, {"open": current.name})
    still = PlannedRound.filter(id=planned.id, version=planned.version, status__in=LIVE_PLANS)
    if not await still.exists():
        return {"skipped": "taken"}
    raise Postpone(now + WAIT_POLL, f"round {current.id} is open")


async def _lapse(
    planned: PlannedRound, programme: Programme, now: datetime, reason: str
) -> JobResult:
    async with in_transaction():
        flipped = await PlannedRound.filter(
            id=planned.id, version=planned.version, status__in=LIVE_PLANS
        ).update(status=PlannedStatus.LAPSED)
        if flipped == 1:
            await _notes(planned, programme, "lapsed", now, {})
    return {"lapsed": bool(flipped), "reason": reason}


async def _opener(planned: PlannedRound, programme: Programme) -> Person:
    """Who opens it: the admin who planned it, while an admin; else the first admin."""
    if planned.planned_by_id is not None:
        person = await Person.get_or_none(id=planned.planned_by_id)
        admin = RoleKind.ADMIN
        if person is not None and await Role.exists(programme=programme, person=person, kind=admin):
            return person
    return await rounds.first_admin(programme)


def _deadline_text(deadline: datetime, timezone: str) -> str:
    """The deadline as `round open` reads it back exactly: local 'YYYY-MM-DD HH:MM'."""
    return deadline.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


# -- telling the admins ---------------------------------------------------------------------
async def _notes(
    planned: PlannedRound,
    programme: Programme,
    what: str,
    now: datetime,
    extra: Mapping[str, object],
    *,
    round_id: int | None = None,
) -> None:
    """A `plan_note` to each admin, queued in the caller's transaction, once per version."""
    specs = [
        JobSpec(
            PLAN_NOTE,
            {"person_id": admin.id, "planned_id": planned.id, "what": what, "params": dict(extra)},
            now,
            f"{PLAN_NOTE}:{what}:{planned.id}:{planned.version}:{admin.id}",
            round_id,
        )
        for admin in await admins_of(programme.id)
    ]
    await enqueue_many(specs)


async def plan_notice(payload: dict[str, object]) -> tuple[Notice, RoundSettings] | None:
    """The notice a `plan_note` job sends, drawn from the planned round as it is now (its
    dates are not stored in the job), and the settings it is sent under; None if the
    planned round is gone."""
    planned_id, what = payload.get("planned_id"), str(payload.get("what"))
    planned = await PlannedRound.get_or_none(id=planned_id) if isinstance(planned_id, int) else None
    if planned is None or what not in NOTICES:
        return None
    programme = await Programme.get(id=planned.programme_id)
    deadline = times_of(planned.meeting, programme).deadline
    if planned.round_id is not None:
        opened = await Round.get_or_none(id=planned.round_id)
        deadline = opened.deadline if opened is not None and opened.deadline else deadline
    extra = payload.get("params")
    params: dict[str, object] = {
        **(extra if isinstance(extra, dict) else {}),
        "round": planned.name,
        "programme": programme.key,
        "meeting": planned.meeting,
        "deadline": deadline,
        "timezone": programme.timezone,
    }
    return Notice(f"round.admin.plan_{what}", params), round_settings(programme)
