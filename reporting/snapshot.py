"""A round as plain, frozen data: what the matrix, the comparison and the documents need.

`models.snapshot.load_snapshot` fills these from the database; tests build them directly
with `make_snapshot`. Nothing here touches the ORM, so everything that compiles a round
(matrix, comparison, tables) is a pure function of a `Snapshot`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType

from conversations.vocabulary import ALL_UNITS, Delay, Progress, RoundStatus

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
    steering_group: str = ""  # who the matrix is submitted to, as its meeting line names them


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
    date: date | None = None  # the meeting's or reporting day, which orders history


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
