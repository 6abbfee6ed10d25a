"""What the dialogue may know about the checklist, handed to it read-only.

The runner loads this from the database before each step; the dialogue itself does no
I/O. Answers are keyed by milestone code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from conversations.questions import DEFAULT_QUESTIONS, Question, has_light
from conversations.vocabulary import Delay, Progress


@dataclass(frozen=True)
class Item:
    """One milestone (or local item) of the checklist."""

    code: str
    title: str
    group_title: str = ""
    definition: str = ""
    baseline: str = ""
    reporter: str | None = None
    read_only: bool = False
    texts: tuple[tuple[str, str], ...] = ()  # (label, text): standing texts, not answers


@dataclass(frozen=True)
class AnswerData:
    progress: Progress = Progress.NONE
    delay: Delay = Delay.ON_TIME
    critical: bool = False
    forecast_text: str = ""
    forecast_earliest: date | None = None
    forecast_latest: date | None = None
    remark: str = ""
    answered_by: str = ""
    answered_at: datetime | None = None
    status: str = ""
    economy: str = ""
    sub_milestones: str = ""
    ready_text: str = ""
    ready_earliest: date | None = None
    ready_latest: date | None = None

    def values(self) -> tuple[object, ...]:
        """What counts as a change: the reported values, not who or when."""
        return (
            self.progress,
            self.delay,
            self.critical,
            self.forecast_text,
            self.forecast_earliest,
            self.forecast_latest,
            self.remark,
            self.status,
            self.economy,
            self.sub_milestones,
            self.ready_text,
            self.ready_earliest,
            self.ready_latest,
        )

    def text(self, question: Question) -> str:
        """The typed answer to a question answered by typing ('' for any other)."""
        return TYPED_FIELDS[question](self) if question in TYPED_FIELDS else ""

    def typed(self, question: Question, text: str) -> AnswerData:
        """This answer with `text` as its typed answer to `question` (kept as written; a
        forecast's and a ready day's reading are set apart, by who reads them)."""
        if question is Question.FORECAST:
            return replace(self, forecast_text=text)
        if question is Question.REMARK:
            return replace(self, remark=text)
        if question is Question.STATUS:
            return replace(self, status=text)
        if question is Question.ECONOMY:
            return replace(self, economy=text)
        if question is Question.SUB_MILESTONES:
            return replace(self, sub_milestones=text)
        if question is Question.READY:
            return replace(self, ready_text=text)
        raise ValueError(f"{question} is not answered by typing")


TYPED_FIELDS: dict[Question, Callable[[AnswerData], str]] = {
    Question.FORECAST: lambda answer: answer.forecast_text,
    Question.REMARK: lambda answer: answer.remark,
    Question.STATUS: lambda answer: answer.status,
    Question.ECONOMY: lambda answer: answer.economy,
    Question.SUB_MILESTONES: lambda answer: answer.sub_milestones,
    Question.READY: lambda answer: answer.ready_text,
}
"""Where each typed answer is kept."""


ForecastReader = Callable[[str], tuple[date, date] | None]
"""Reads a forecast as written into its earliest and latest day; None when it cannot.

The reader is language work done with libraries (`reporting.deadlines`), so the dialogue,
which imports the standard library only, is handed one with its context."""


@dataclass(frozen=True)
class ChecklistContext:
    round_id: int
    round_name: str
    scope: str
    scope_title: str
    language: str
    timezone: str
    deadline: datetime | None
    items: tuple[Item, ...]
    answers: dict[str, AnswerData]
    previous: dict[str, AnswerData] = field(default_factory=dict)
    previous_round: str | None = None
    read_only: tuple[Item, ...] = ()
    read_only_answers: dict[str, AnswerData] = field(default_factory=dict)
    accepting: bool = True
    late: bool = False
    submitted_at: datetime | None = None
    actor_name: str = ""
    now: datetime | None = None
    apart_unit: str | None = None  # a reporter's checklist set apart for this unit (its name)
    apart_choices: tuple[tuple[str, str], ...] = ()  # (scope, unit name) a reporter may set apart
    read_forecast: ForecastReader | None = None  # required by a forecast; see ForecastReader
    questions: tuple[Question, ...] = DEFAULT_QUESTIONS  # what the programme asks, in order
    labels: Mapping[str, str] = field(default_factory=dict)  # the programme's, by question
    nouns: Mapping[str, str] = field(default_factory=dict)  # the programme's, in `language`
    units: int = 0  # how many units the programme has: with one, «for every unit» is not said

    @property
    def light(self) -> bool:
        """Does the programme have a traffic light (it asks progress)?"""
        return has_light(self.questions)

    def asks(self, question: Question) -> bool:
        return question in self.questions

    def with_answer(self, code: str, answer: AnswerData) -> ChecklistContext:
        answers = dict(self.answers)
        answers[code] = answer
        return replace(self, answers=answers)

    def index_of(self, code: str) -> int | None:
        for index, item in enumerate(self.items):
            if item.code == code:
                return index
        return None
