"""What a round writes into the job queue, and for whom: shared by the commands
(service/rounds.py), the status (service/round_status.py) and the job handlers
(service/round_jobs.py).

The programme's round settings, read once into the pure rules' types; the jobs' kinds and
dedupe keys; who is asked to answer which checklist; who covers for someone away; the
reminder schedule and the close at the deadline as job specs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from conversations.rounds import (
    LatePolicy,
    QuietHours,
    ReminderRule,
    after_quiet_hours,
    is_away,
    parse_clock,
    reminder_times,
)
from models.checklists import REPORTER, UNIT, ChecklistRef, Scope
from models.jobs import Job, JobStatus
from models.people import Person, Role, RoleKind
from models.programme import Programme, Unit
from models.programme_spec import ProgrammeSettings
from models.round import Round, Submission
from service.jobs import JobSpec, enqueue_many

INVITE = "invite"
REMINDERS = "reminders"
REMIND = "remind"
CLOSE = "close"
NOTE = "note"
HANDOVER = "handover"
PUBLISH = "publish"
DM_KINDS = (INVITE, REMIND, NOTE, HANDOVER)
ASKED = (RoleKind.LEAD, RoleKind.DEPUTY, RoleKind.REPORTER)
SNOOZE = timedelta(days=1)


@dataclass(frozen=True)
class RoundSettings:
    """A programme's round settings, read once into the pure rules' types."""

    timezone: str
    reminders: tuple[ReminderRule, ...]
    skip_weekends: bool
    quiet: QuietHours | None
    max_reminders: int
    auto_close: bool
    late_answers: LatePolicy

    @property
    def publish_at_close(self) -> bool:
        return self.late_answers is LatePolicy.REFUSE

    def dm_time(self, moment: datetime) -> datetime:
        """When a DM wanted at `moment` may go out (the end of quiet hours, if inside)."""
        return after_quiet_hours(moment, self.quiet, self.timezone)

    @property
    def schedule(self) -> tuple[object, ...]:
        """What the reminder times and the close at the deadline are planned from."""
        return (self.timezone, self.reminders, self.skip_weekends, self.quiet, self.auto_close)


def round_settings(programme: Programme) -> RoundSettings:
    spec = ProgrammeSettings.model_validate(programme.settings or {})
    quiet = spec.quiet_hours
    return RoundSettings(
        timezone=programme.timezone,
        reminders=tuple(ReminderRule(r.days_before, parse_clock(r.at)) for r in spec.reminders),
        skip_weekends=spec.skip_weekends,
        quiet=QuietHours(parse_clock(quiet.start), parse_clock(quiet.end)) if quiet else None,
        max_reminders=spec.max_reminders,
        auto_close=spec.auto_close,
        late_answers=LatePolicy(spec.late_answers),
    )


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def invite_key(round_id: int, person_id: int, scope: str) -> str:
    return f"invite:{round_id}:{person_id}:{scope}"


def remind_key(round_id: int, person_id: int, scope: str, slot: str) -> str:
    """Person first, so a person's reminders in a round share a prefix (max_reminders)."""
    return f"remind:{round_id}:{person_id}:{scope}:{slot}"


def remind_prefix(round_id: int, person_id: int) -> str:
    return f"remind:{round_id}:{person_id}:"


def publish_key(round_id: int) -> str:
    return f"publish:{round_id}"


# -- who is asked ---------------------------------------------------------------------------
async def asked_checklists(round_: Round) -> list[tuple[Person, ChecklistRef]]:
    """Every (person, checklist) of the round, in the order invitations go out: by unit,
    leads before deputies, then reporters.

    The same pairs as `models.checklists.checklists_for` person by person (a test holds
    them equal), read in two queries rather than two per person: a round of 500 leads
    is opened in one short transaction.
    """
    programme_id = round_.programme_id
    roles = await Role.filter(programme_id=programme_id, kind__in=list(ASKED)).prefetch_related(
        "person"
    )
    units = {u.key: u for u in await Unit.filter(programme_id=programme_id)}
    rank = {RoleKind.LEAD: 0, RoleKind.DEPUTY: 1, RoleKind.REPORTER: 2}
    order: dict[int, tuple[int, int, int]] = {}
    people: dict[int, Person] = {}
    unit_keys: dict[int, set[str]] = {}
    reporters: set[int] = set()
    for role in roles:
        kind = RoleKind(role.kind)
        people[role.person_id] = role.person
        if kind is RoleKind.REPORTER:
            reporters.add(role.person_id)
            position = 10**6
        else:
            unit_keys.setdefault(role.person_id, set()).add(role.scope)
            position = units[role.scope].position if role.scope in units else 10**6
        key = (position, rank[kind], role.person_id)
        order[role.person_id] = min(order.get(role.person_id, key), key)
    pairs: list[tuple[Person, ChecklistRef]] = []
    for person_id in sorted(order, key=order.__getitem__):
        person = people[person_id]
        keys = sorted(unit_keys.get(person_id, set()))
        for unit_key in sorted(keys, key=lambda k: units[k].position if k in units else 0):
            if unit_key in units:
                ref = ChecklistRef(round_.id, Scope(UNIT, unit_key), units[unit_key].name)
                pairs.append((person, ref))
        if person_id in reporters:
            pairs.append(
                (person, ChecklistRef(round_.id, Scope(REPORTER, person.key), person.name))
            )
    return pairs


def invitation_specs(
    round_: Round, asked: list[tuple[Person, ChecklistRef]], send_at: datetime
) -> list[JobSpec]:
    """One `invite` per person and checklist, to go out at `send_at`."""
    return [
        JobSpec(
            INVITE,
            {"person_id": person.id, "scope": ref.scope.wire},
            send_at,
            invite_key(round_.id, person.id, ref.scope.wire),
            round_.id,
        )
        for person, ref in asked
    ]


async def cancel_asked(round_id: int, gone: set[tuple[int, str]]) -> int:
    """Cancel the pending invitations, reminders and hand-overs of people no longer asked
    (person id, checklist scope): what they were sent stays, nothing more goes out."""
    if not gone:
        return 0
    pending = await Job.filter(
        round_id=round_id, kind__in=[INVITE, REMIND, HANDOVER], status=JobStatus.PENDING
    )
    ids = []
    for job in pending:
        scope = str(job.payload.get("scope", ""))
        people = [job.payload.get("person_id"), job.payload.get("away_id")]
        if any((person, scope) in gone for person in people if isinstance(person, int)):
            ids.append(job.id)
    if not ids:
        return 0
    return await Job.filter(id__in=ids, status=JobStatus.PENDING).update(status=JobStatus.CANCELLED)


async def cover_for(
    person: Person, round_: Round, scope: Scope, now: datetime, tz: str
) -> list[Person]:
    """Who takes an away person's DMs for a unit's checklist.

    The unit's deputies who are not away themselves; if none, its other leads who are not
    away; if none (or for a reporter's own checklist), nobody: the person keeps them.
    """
    if scope.kind != UNIT or not is_away(person.away_until, now, tz):
        return []
    roles = (
        await Role.filter(
            programme_id=round_.programme_id,
            scope=scope.key,
            kind__in=[RoleKind.LEAD, RoleKind.DEPUTY],
        )
        .exclude(person_id=person.id)
        .prefetch_related("person")
        .order_by("id")
    )
    present = [r for r in roles if not is_away(r.person.away_until, now, tz)]
    deputies = [r.person for r in present if r.kind is RoleKind.DEPUTY]
    return deputies or [r.person for r in present if r.kind is RoleKind.LEAD]


def handover_spec(round_: Round, away: Person, to: Person, scope: str, run_at: datetime) -> JobSpec:
    until = away.away_until.isoformat() if away.away_until else ""
    return JobSpec(
        HANDOVER,
        {"person_id": to.id, "away_id": away.id, "scope": scope, "until": until},
        run_at,
        f"handover:{round_.id}:{away.id}:{to.id}:{scope}:{until}",
        round_.id,
    )


# -- the schedule ---------------------------------------------------------------------------
async def schedule_deadline_jobs(
    round_: Round, settings: RoundSettings, now: datetime
) -> tuple[list[datetime], datetime | None]:
    """Queue the round's reminder sweeps and its close; return their times."""
    if round_.deadline is None:
        return [], None
    times = reminder_times(
        round_.deadline,
        now=now,
        rules=settings.reminders,
        skip_weekends=settings.skip_weekends,
        quiet=settings.quiet,
        tz=settings.timezone,
    )
    specs = [
        JobSpec(
            REMINDERS, {"slot": str(epoch(t))}, t, f"reminders:{round_.id}:{epoch(t)}", round_.id
        )
        for t in times
    ]
    closes_at = round_.deadline if settings.auto_close else None
    if closes_at is not None:
        specs.append(
            JobSpec(
                CLOSE,
                {"deadline": closes_at.isoformat()},
                closes_at,
                f"close:{round_.id}:{epoch(closes_at)}",
                round_.id,
            )
        )
    await enqueue_many(specs, revive=True)
    return times, closes_at


async def reminder_specs(
    round_: Round, *, slot: str, run_at: datetime, unit: str | None = None
) -> list[JobSpec]:
    """One `remind` per person and checklist not yet submitted (of one unit, if given)."""
    submitted = await submitted_scopes(round_.id)
    specs = []
    for person, ref in await asked_checklists(round_):
        wire = ref.scope.wire
        if wire in submitted or (unit is not None and ref.scope != Scope(UNIT, unit)):
            continue
        specs.append(
            JobSpec(
                REMIND,
                {"person_id": person.id, "scope": wire, "slot": slot},
                run_at,
                remind_key(round_.id, person.id, wire, slot),
                round_.id,
            )
        )
    return specs


async def submitted_scopes(round_id: int) -> set[str]:
    scopes = await Submission.filter(round_id=round_id).values_list("scope", flat=True)
    return {str(scope) for scope in scopes}


async def admins_of(programme_id: int) -> list[Person]:
    roles = (
        await Role.filter(programme_id=programme_id, kind=RoleKind.ADMIN)
        .order_by("id")
        .prefetch_related("person")
    )
    return [role.person for role in roles]
