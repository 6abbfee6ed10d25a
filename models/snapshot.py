"""A round read into plain, frozen data: what the matrix, the comparison and the documents need.

`load_snapshot(round_id)` runs a fixed handful of queries (one per table, as value rows, no
model instances), whatever the size of the programme, so a 100 units × 300 milestones round
loads in one go; nothing returned here touches the ORM again. `previous_round` finds the
round a comparison is made against. `store_comparison` / `load_comparison` freeze the
comparison into `Round.comparison` at publication, so a published round always shows the
same changes even if the round before it is edited later.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from conversations.vocabulary import Delay, Progress
from models.answer import Answer
from models.people import Role, RoleKind
from models.programme import ALL_UNITS, BaselineDeadline, Milestone, MilestoneGroup, Programme, Unit
from models.round import Round, RoundStatus, Submission

if TYPE_CHECKING:
    from render.comparison import Comparison

UNIT_SCOPE = "unit:"
REPORTER_SCOPE = "reporter:"


@dataclass(frozen=True, slots=True)
class ProgrammeInfo:
    key: str
    title: str
    subtitle: str
    language: str
    timezone: str
    source: str
    unit_label: str


@dataclass(frozen=True, slots=True)
class RoundInfo:
    id: int
    name: str
    status: RoundStatus
    opened_at: datetime
    deadline: datetime | None
    deadline_text: str
    closed_at: datetime | None
    published_at: datetime | None
    imported: bool


@dataclass(frozen=True, slots=True)
class UnitInfo:
    """A column; leads and deputies by name, for 'who did not answer'."""

    key: str
    name: str
    leads: tuple[str, ...] = ()
    deputies: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DeadlineInfo:
    """A baseline deadline as written, and the days it can mean; scope is a unit key or '*'."""

    scope: str
    text: str
    earliest: date
    latest: date


@dataclass(frozen=True, slots=True)
class MilestoneInfo:
    """A row of the matrix, or (unit set) a unit's local item."""

    code: str
    title: str
    definition: str = ""
    reporter: str | None = None
    reporter_key: str | None = None
    deadlines: tuple[DeadlineInfo, ...] = ()
    unit: str | None = None

    def deadline_for(self, unit_key: str) -> DeadlineInfo | None:
        """The unit's own baseline, else the one for every unit, else None."""
        common = None
        for deadline in self.deadlines:
            if deadline.scope == unit_key:
                return deadline
            if deadline.scope == ALL_UNITS:
                common = deadline
        return common


@dataclass(frozen=True, slots=True)
class GroupInfo:
    number: str
    title: str
    milestones: tuple[MilestoneInfo, ...]


@dataclass(frozen=True, slots=True)
class AnswerInfo:
    """One stored answer; scope is the unit's key or '*' (a reporter's, for every unit)."""

    milestone: str
    scope: str
    progress: Progress
    delay: Delay
    critical: bool
    forecast_text: str
    forecast_earliest: date | None
    forecast_latest: date | None
    remark: str
    answered_by: str | None
    answered_at: datetime
    late: bool


@dataclass(frozen=True, slots=True)
class SubmissionInfo:
    """A checklist handed in; scope is 'unit:<key>' or 'reporter:<person key>'."""

    scope: str
    submitted_by: str | None
    submitted_at: datetime
    late: bool


@dataclass(frozen=True, slots=True)
class ReporterInfo:
    """A person who answers some milestones for every unit."""

    key: str
    name: str
    milestones: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything about one round, as plain data."""

    programme: ProgrammeInfo
    round: RoundInfo
    units: tuple[UnitInfo, ...]
    groups: tuple[GroupInfo, ...]
    local_items: Mapping[str, tuple[MilestoneInfo, ...]]
    answers: tuple[AnswerInfo, ...]
    submissions: tuple[SubmissionInfo, ...]
    reporters: tuple[ReporterInfo, ...]
    _index: Mapping[tuple[str, str], AnswerInfo] = field(default_factory=dict, repr=False)

    def answer(self, milestone: str, scope: str) -> AnswerInfo | None:
        """The answer stored for exactly this milestone code and scope."""
        return self._index.get((milestone, scope))

    def milestones(self) -> Iterator[MilestoneInfo]:
        """The matrix's rows in the programme's order (local items excluded)."""
        for group in self.groups:
            yield from group.milestones

    def submitted(self, scope: str) -> bool:
        return any(submission.scope == scope for submission in self.submissions)


def make_snapshot(
    programme: ProgrammeInfo,
    round_: RoundInfo,
    units: tuple[UnitInfo, ...],
    groups: tuple[GroupInfo, ...],
    answers: tuple[AnswerInfo, ...],
    *,
    local_items: Mapping[str, tuple[MilestoneInfo, ...]] | None = None,
    submissions: tuple[SubmissionInfo, ...] = (),
    reporters: tuple[ReporterInfo, ...] = (),
) -> Snapshot:
    """A snapshot with its answer index built (also how tests make one without a database)."""
    index = {(answer.milestone, answer.scope): answer for answer in answers}
    return Snapshot(
        programme=programme,
        round=round_,
        units=units,
        groups=groups,
        local_items=MappingProxyType(dict(local_items or {})),
        answers=answers,
        submissions=submissions,
        reporters=reporters,
        _index=MappingProxyType(index),
    )


def _round_info(round_: Round) -> RoundInfo:
    return RoundInfo(
        id=round_.id,
        name=round_.name,
        status=RoundStatus(round_.status),
        opened_at=round_.opened_at,
        deadline=round_.deadline,
        deadline_text=round_.deadline_text,
        closed_at=round_.closed_at,
        published_at=round_.published_at,
        imported=round_.imported,
    )


def _programme_info(programme: Programme) -> ProgrammeInfo:
    return ProgrammeInfo(
        key=programme.key,
        title=programme.title,
        subtitle=programme.subtitle,
        language=programme.language,
        timezone=programme.timezone,
        source=programme.source,
        unit_label=programme.unit_label,
    )


async def _people(
    programme_id: int,
) -> tuple[dict[tuple[str, str], list[str]], dict[str, tuple[str, str]]]:
    """Names by (role kind, scope), by name; milestone code → its reporter's (key, name)."""
    rows = (
        await Role.filter(programme_id=programme_id)
        .order_by("person__name", "id")
        .values("kind", "scope", "person__key", "person__name")
    )
    names: dict[tuple[str, str], list[str]] = defaultdict(list)
    reporters: dict[str, tuple[str, str]] = {}
    for row in rows:
        names[(str(row["kind"]), row["scope"])].append(row["person__name"])
        if row["kind"] == RoleKind.REPORTER:
            reporters.setdefault(row["scope"], (row["person__key"], row["person__name"]))
    return names, reporters


async def _milestones(
    programme_id: int, reporters: dict[str, tuple[str, str]]
) -> tuple[tuple[GroupInfo, ...], dict[str, tuple[MilestoneInfo, ...]]]:
    groups = (
        await MilestoneGroup.filter(programme_id=programme_id)
        .order_by("position", "id")
        .values("id", "number", "title")
    )
    rows = (
        await Milestone.filter(programme_id=programme_id)
        .order_by("position", "id")
        .values("id", "code", "title", "definition", "group_id", "unit__key")
    )
    deadlines: dict[int, list[DeadlineInfo]] = defaultdict(list)
    for row in (
        await BaselineDeadline.filter(milestone__programme_id=programme_id)
        .order_by("id")
        .values("milestone_id", "scope", "text", "earliest_date", "latest_date")
    ):
        deadlines[row["milestone_id"]].append(
            DeadlineInfo(row["scope"], row["text"], row["earliest_date"], row["latest_date"])
        )
    by_group: dict[int | None, list[MilestoneInfo]] = defaultdict(list)
    local: dict[str, list[MilestoneInfo]] = defaultdict(list)
    for row in rows:
        reporter = reporters.get(row["code"])
        milestone = MilestoneInfo(
            code=row["code"],
            title=row["title"],
            definition=row["definition"],
            reporter=reporter[1] if reporter else None,
            reporter_key=reporter[0] if reporter else None,
            deadlines=tuple(deadlines.get(row["id"], ())),
            unit=row["unit__key"],
        )
        if milestone.unit is not None:
            local[milestone.unit].append(milestone)
        else:
            by_group[row["group_id"]].append(milestone)
    result = [
        GroupInfo(str(group["number"]), group["title"], tuple(by_group.pop(group["id"], ())))
        for group in groups
    ]
    if by_group.get(None):
        result.append(GroupInfo("", "", tuple(by_group.pop(None))))
    return tuple(result), {key: tuple(items) for key, items in local.items()}


_ANSWER_FIELDS = (
    "milestone__code",
    "scope",
    "progress",
    "delay",
    "critical",
    "forecast_text",
    "forecast_earliest",
    "forecast_latest",
    "remark",
    "answered_by__name",
    "answered_at",
    "late",
)


def _answer(row: Mapping[str, Any]) -> AnswerInfo:
    return AnswerInfo(
        milestone=row["milestone__code"],
        scope=row["scope"],
        progress=Progress(row["progress"]),
        delay=Delay(row["delay"]),
        critical=bool(row["critical"]),
        forecast_text=row["forecast_text"],
        forecast_earliest=row["forecast_earliest"],
        forecast_latest=row["forecast_latest"],
        remark=row["remark"],
        answered_by=row["answered_by__name"],
        answered_at=row["answered_at"],
        late=bool(row["late"]),
    )


async def load_snapshot(round_id: int) -> Snapshot:
    """Read the round and its programme; raises tortoise's DoesNotExist for an unknown id."""
    round_ = await Round.get(id=round_id).prefetch_related("programme")
    programme = round_.programme
    people, reporters = await _people(programme.id)
    units = (
        await Unit.filter(programme_id=programme.id)
        .order_by("position", "id")
        .values("key", "name")
    )
    groups, local = await _milestones(programme.id, reporters)
    answer_rows = await Answer.filter(round_id=round_id).order_by("id").values(*_ANSWER_FIELDS)
    submission_rows = (
        await Submission.filter(round_id=round_id)
        .order_by("submitted_at", "id")
        .values("scope", "submitted_by__name", "submitted_at", "late")
    )
    reporter_milestones: dict[tuple[str, str], list[str]] = defaultdict(list)
    for group in groups:
        for milestone in group.milestones:
            if milestone.reporter_key is not None and milestone.reporter is not None:
                reporter_milestones[(milestone.reporter_key, milestone.reporter)].append(
                    milestone.code
                )
    return make_snapshot(
        _programme_info(programme),
        _round_info(round_),
        tuple(
            UnitInfo(
                key=unit["key"],
                name=unit["name"],
                leads=tuple(people.get((RoleKind.LEAD.value, unit["key"]), ())),
                deputies=tuple(people.get((RoleKind.DEPUTY.value, unit["key"]), ())),
            )
            for unit in units
        ),
        groups,
        tuple(_answer(row) for row in answer_rows),
        local_items=local,
        submissions=tuple(
            SubmissionInfo(
                row["scope"], row["submitted_by__name"], row["submitted_at"], bool(row["late"])
            )
            for row in submission_rows
        ),
        reporters=tuple(
            ReporterInfo(key, name, tuple(codes))
            for (key, name), codes in reporter_milestones.items()
        ),
    )


async def previous_round(programme_id: int, round_id: int) -> Round | None:
    """The programme's latest closed or published round opened before this one."""
    current = await Round.get(id=round_id)
    return (
        await Round.filter(
            programme_id=programme_id,
            status__in=[RoundStatus.CLOSED, RoundStatus.PUBLISHED],
            opened_at__lte=current.opened_at,
        )
        .exclude(id=round_id)
        .order_by("-opened_at", "-id")
        .first()
    )


async def compile_comparison(round_id: int) -> Comparison:
    """The comparison of this round with the one before it, computed now from the answers."""
    # render imports this module's dataclasses, so it is imported here, not at the top.
    from render.comparison import compare
    from render.matrix import compile_matrix

    round_ = await Round.get(id=round_id)
    current = await load_snapshot(round_id)
    before = await previous_round(round_.programme_id, round_id)
    previous = compile_matrix(await load_snapshot(before.id)) if before is not None else None
    return compare(compile_matrix(current), previous, current)


async def store_comparison(round_id: int) -> Comparison:
    """Compute the comparison and keep it in Round.comparison, for publication.

    Once the round is published, the stored comparison is final: calling this again (a
    retried publication) returns it unchanged, even if the previous round changed since.
    A round that is not published (closed, or reopened) gets it computed afresh.
    """
    from render.comparison import Comparison

    round_ = await Round.get(id=round_id)
    if round_.status == RoundStatus.PUBLISHED and isinstance(round_.comparison, dict):
        return Comparison.from_dict(round_.comparison)
    comparison = await compile_comparison(round_id)
    await Round.filter(id=round_id).update(comparison=comparison.to_dict())
    return comparison


async def load_comparison(round_id: int) -> Comparison:
    """The stored comparison of a published round; computed afresh when none is stored."""
    from render.comparison import Comparison

    stored = (await Round.filter(id=round_id).values_list("comparison", flat=True))[0]
    if isinstance(stored, dict):
        return Comparison.from_dict(stored)
    return await compile_comparison(round_id)
