"""A round's status as plain data: per unit and per reporter, answered x of n, submitted
or not (late?), last activity, who answered, who is asked and how their DMs went; and the
programme's rounds in date order (`round list`).

For `round status` (CLI and Slack, ephemeral and App Home) and for the note that tells the
admins, at close, who did not answer. Read-only; a handful of queries per checklist. An
imported round (history) asked nobody: its report has the answers, and no people. The
list ends with the rounds planned on the meeting calendar that have yet to open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from tortoise.functions import Count

from conversations.rounds import is_away
from models.answer import Answer
from models.checklists import REPORTER, UNIT, Scope, load_context
from models.jobs import Job, JobStatus
from models.people import Person, Role
from models.planned import live_plans, times_of
from models.programme import Programme, Unit
from models.round import PlannedStatus, Round, Submission
from service.round_plan import ASKED, DM_KINDS, INVITE, REMIND, asked_checklists, round_settings


@dataclass(frozen=True)
class PersonLine:
    """Someone asked to answer a checklist, and how their DMs have gone."""

    key: str
    name: str
    role: str  # lead | deputy | reporter
    away_until: date | None
    invitation: str  # queued | sent | handed_over | skipped | failed | cancelled | none
    reminders: int  # reminders sent to them in this round


@dataclass(frozen=True)
class ChecklistLine:
    """One unit's checklist (or one reporter's) in a round: plain data for any screen."""

    scope: str
    title: str
    answered: int
    total: int
    submitted_at: datetime | None
    submitted_by: str | None
    late: bool
    last_activity: datetime | None
    answered_by: tuple[str, ...]
    people: tuple[PersonLine, ...]

    @property
    def is_unit(self) -> bool:
        return self.scope.startswith(f"{UNIT}:")


IMPORTED = "imported"
"""The state word of an imported round (history), beside open, closed and published."""
PLANNED = "planned"
"""The state word of a round planned on the meeting calendar that has not opened yet."""


def state_of(round_: Round) -> str:
    """open | closed | published | imported: what `round list` and `round status` say."""
    return IMPORTED if round_.imported else str(round_.status)


@dataclass(frozen=True)
class RoundLine:
    """One round of a programme, for `round list`."""

    name: str
    date: date
    state: str  # open | closed | published | imported | planned
    answers: int
    submissions: int
    # a planned round: when it opens and its deadline (in `timezone`); waiting for the open
    # round to close
    opens_at: datetime | None = None
    deadline: datetime | None = None
    timezone: str = ""
    waiting: bool = False


@dataclass(frozen=True)
class RoundReport:
    programme: str
    round_id: int
    name: str
    status: str  # open | closed | published | imported
    deadline: datetime | None
    deadline_text: str
    timezone: str
    late_answers: str
    opened_at: datetime
    closed_at: datetime | None
    published_at: datetime | None
    checklists: tuple[ChecklistLine, ...]
    failed: tuple[str, ...]  # names of people a DM could not reach
    pending_jobs: int
    date: date | None = None  # the round's date, which orders history

    @property
    def units(self) -> tuple[ChecklistLine, ...]:
        return tuple(line for line in self.checklists if line.is_unit)

    @property
    def reporters(self) -> tuple[ChecklistLine, ...]:
        return tuple(line for line in self.checklists if not line.is_unit)


def _invitation_state(job: Job) -> str:
    if job.status is JobStatus.DONE:
        skipped = (job.result or {}).get("skipped")
        if skipped == "away":
            return "handed_over"
        return "skipped" if skipped else "sent"
    return {
        JobStatus.PENDING: "queued",
        JobStatus.RUNNING: "queued",
        JobStatus.FAILED: "failed",
        JobStatus.CANCELLED: "cancelled",
    }[JobStatus(job.status)]


async def round_report(round_: Round, now: datetime) -> RoundReport:
    programme = await Programme.get(id=round_.programme_id)
    settings = round_settings(programme)
    roles = await Role.filter(programme_id=programme.id, kind__in=list(ASKED))
    role_of = {(r.person_id, r.scope): str(r.kind) for r in roles}
    jobs = await Job.filter(round_id=round_.id).order_by("id")
    invitations: dict[tuple[int, str], str] = {}
    reminders: dict[int, int] = {}
    failed: set[int] = set()
    for job in jobs:
        person_id = job.payload.get("person_id")
        if not isinstance(person_id, int):
            continue
        if job.kind == INVITE:
            invitations[(person_id, str(job.payload.get("scope")))] = _invitation_state(job)
        elif job.kind == REMIND and job.status is JobStatus.DONE and (job.result or {}).get("sent"):
            reminders[person_id] = reminders.get(person_id, 0) + 1
        if job.kind in DM_KINDS and job.status is JobStatus.FAILED:
            failed.add(person_id)
    pending = sum(1 for job in jobs if job.status in (JobStatus.PENDING, JobStatus.RUNNING))
    people_of: dict[str, list[PersonLine]] = {}
    names: dict[int, str] = {}
    scopes: list[Scope] = [Scope(UNIT, key) for key in await _unit_keys(programme.id)]
    for person, ref in [] if round_.imported else await asked_checklists(round_):
        names[person.id] = person.name
        wire = ref.scope.wire
        if ref.scope.kind == REPORTER:
            role = "reporter"
            scopes.append(ref.scope)
        else:
            role = role_of.get((person.id, ref.scope.key), "lead")
        people_of.setdefault(wire, []).append(
            PersonLine(
                key=person.key,
                name=person.name,
                role=role,
                away_until=person.away_until
                if is_away(person.away_until, now, settings.timezone)
                else None,
                invitation=invitations.get((person.id, wire), "none"),
                reminders=reminders.get(person.id, 0),
            )
        )
    submissions = {
        s.scope: s
        for s in await Submission.filter(round_id=round_.id).prefetch_related("submitted_by")
    }
    late_answers = {
        (str(answer_scope), str(code))
        for answer_scope, code in await Answer.filter(round_id=round_.id, late=True).values_list(
            "scope", "milestone__code"
        )
    }
    lines = []
    for scope in scopes:
        people = people_of.get(scope.wire, [])
        reader = Person(key=scope.key if scope.kind == REPORTER else "", name="")
        context = await load_context(round_, scope, reader, now)
        answers = [
            context.answers[item.code] for item in context.items if item.code in context.answers
        ]
        submission = submissions.get(scope.wire)
        moments = [a.answered_at for a in answers if a.answered_at is not None]
        if submission is not None:
            moments.append(submission.submitted_at)
        title = context.scope_title
        if scope.kind == REPORTER and people:
            title = people[0].name
        lines.append(
            ChecklistLine(
                scope=scope.wire,
                title=title,
                answered=len(answers),
                total=len(context.items),
                submitted_at=submission.submitted_at if submission else None,
                submitted_by=(
                    submission.submitted_by.name
                    if submission is not None and submission.submitted_by is not None
                    else None
                ),
                late=bool(submission and submission.late)
                or any((scope.answer_scope, item.code) in late_answers for item in context.items),
                last_activity=max(moments) if moments else None,
                answered_by=tuple(dict.fromkeys(a.answered_by for a in answers if a.answered_by)),
                people=tuple(people),
            )
        )
    return RoundReport(
        programme=programme.key,
        round_id=round_.id,
        name=round_.name,
        status=state_of(round_),
        date=round_.date,
        deadline=round_.deadline,
        deadline_text=round_.deadline_text,
        timezone=programme.timezone,
        late_answers=str(settings.late_answers),
        opened_at=round_.opened_at,
        closed_at=round_.closed_at,
        published_at=round_.published_at,
        checklists=tuple(lines),
        failed=tuple(sorted(names.get(pid, str(pid)) for pid in failed)),
        pending_jobs=pending,
    )


async def _unit_keys(programme_id: int) -> list[str]:
    keys = (
        await Unit.filter(programme_id=programme_id)
        .order_by("position")
        .values_list("key", flat=True)
    )
    return [str(key) for key in keys]


async def round_lines(programme_id: int) -> tuple[RoundLine, ...]:
    """Every round of the programme in date order (same day: as made), with its counts;
    the planned rounds among them by their meeting's day (after a round of the same day)."""
    rounds = await Round.filter(programme_id=programme_id).order_by("date", "id")
    ids = [round_.id for round_ in rounds]
    answers = await _counts(Answer, ids)
    submissions = await _counts(Submission, ids)
    lines = [
        RoundLine(
            name=round_.name,
            date=round_.date,
            state=state_of(round_),
            answers=answers.get(round_.id, 0),
            submissions=submissions.get(round_.id, 0),
        )
        for round_ in rounds
    ]
    plans = await live_plans(programme_id)
    if plans:
        programme = await Programme.get(id=programme_id)
        for plan in plans:
            times = times_of(plan.meeting, programme)
            lines.append(
                RoundLine(
                    name=plan.name,
                    date=plan.meeting,
                    state=PLANNED,
                    answers=0,
                    submissions=0,
                    opens_at=times.opens_at,
                    deadline=times.deadline,
                    timezone=programme.timezone,
                    waiting=plan.status is PlannedStatus.WAITING,
                )
            )
    return tuple(sorted(lines, key=lambda line: line.date))  # stable: rounds keep their order


async def _counts(model: type[Answer] | type[Submission], round_ids: list[int]) -> dict[int, int]:
    rows = (
        await model.filter(round_id__in=round_ids)
        .annotate(count=Count("id"))
        .group_by("round_id")
        .values("round_id", "count")
    )
    return {int(row["round_id"]): int(row["count"]) for row in rows}
