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

from conversations.questions import DEFAULT_QUESTIONS, Question, has_light
from conversations.vocabulary import ALL_UNITS, Delay, Progress, RoundStatus
from reporting.form import Labelled, Layout, layout_of

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
    layout: str = Layout.MATRIX  # as declared; `Snapshot.layout` decides
    nouns: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # by language
    questions: tuple[Question, ...] = DEFAULT_QUESTIONS
    labels: tuple[Labelled, ...] = ()  # the questions' labels, where the programme gave one
    texts: tuple[Labelled, ...] = ()  # the standing texts its items carry, in order

    @property
    def light(self) -> bool:
        """Does the programme have a traffic light (it asks progress)?"""
        return has_light(self.questions)

    def nouns_in(self, language: str) -> Mapping[str, str]:
        """The nouns the programme names in `language` (the rest are the catalogue's)."""
        return self.nouns.get(language, {})

    def label_of(self, question: str, language: str) -> str | None:
        """The programme's label of a question in `language`; None: the catalogue's."""
        found = next((label for label in self.labels if label.key == question), None)
        return found.label(language) if found is not None else None


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
    texts: tuple[tuple[str, str], ...] = ()  # (standing text's key, its text), not answers

    def text(self, key: str) -> str:
        """The item's standing text `key` (seed 004's ØA tekst, its economy); '' if none."""
        return next((text for found, text in self.texts if found == key), "")

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
    status: str = ""
    economy: str = ""
    sub_milestones: str = ""
    ready_text: str = ""
    ready_earliest: date | None = None
    ready_latest: date | None = None


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

    @property
    def layout(self) -> Layout:
        """The layout the round is drawn in (`reporting.form.layout_of`)."""
        return layout_of(self.programme.layout, len(self.units))


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
