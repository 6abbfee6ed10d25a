"""The questions a programme may ask of each item, and which of them it asks.

KOL's checklist asks five things of a milestone (seed 000): its progress, the delay band,
whether it is critical for the whole project, a forecast and a remark. Other practices ask
other things: seed 004 asks a free status text of each topic (and its economy), seed 001
has columns for sub-milestones and the day a milestone is ready for the steering
committees (SKU/DAK). A programme names the questions it asks, in the order the checklist
asks them (`models.programme_spec`); without a list it asks KOL's.

Progress is what a traffic light is made of: a programme that does not ask it has no
colours anywhere (`has_light`), and the delay band is asked only with it. Where progress is
asked, a milestone's answer begins with it (the other values need a status first); where it
is not, any question may be answered first.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum


class Question(StrEnum):
    """A question the checklist can ask of an item; the value is its name in the file."""

    PROGRESS = "progress"
    DELAY = "delay"
    CRITICAL = "critical"
    FORECAST = "forecast"
    REMARK = "remark"
    STATUS = "status"  # free text: status and/or remarks (seed 004)
    ECONOMY = "economy"  # free text: agreed economy and/or estimated expenses (seed 004)
    SUB_MILESTONES = "sub_milestones"  # free text (seed 001's «Evt. delmilepæle»)
    READY = "ready"  # a date as written: ready for SKU/DAK (seed 001)


DEFAULT_QUESTIONS: tuple[Question, ...] = (
    Question.PROGRESS,
    Question.DELAY,
    Question.CRITICAL,
    Question.FORECAST,
    Question.REMARK,
)
"""KOL's questions: what a programme asks when it names none."""

TEXT_LIMITS: dict[Question, int] = {
    Question.FORECAST: 200,
    Question.REMARK: 3000,
    Question.STATUS: 3000,
    Question.ECONOMY: 3000,
    Question.SUB_MILESTONES: 3000,
    Question.READY: 200,
}
"""The questions answered by typing, and how many characters each takes."""

TYPED: tuple[Question, ...] = (
    Question.STATUS,
    Question.ECONOMY,
    Question.SUB_MILESTONES,
    Question.READY,
)
"""Typed answers that travel as `conversations.events.GiveText` (a forecast and a remark
keep events of their own)."""

DATES: frozenset[Question] = frozenset({Question.FORECAST, Question.READY})
"""Typed answers that are read as days when they can be (`reporting.deadlines`)."""

NEEDS_PROGRESS: frozenset[Question] = frozenset({Question.DELAY})
"""Questions a programme may ask only together with progress."""


def has_light(questions: Collection[str]) -> bool:
    """Does a programme asking these questions have a traffic light (colours, counts)?"""
    return Question.PROGRESS in questions


def parse_questions(names: Collection[str]) -> tuple[Question, ...]:
    """Stored question names as questions, in order; none stored: KOL's."""
    if not names:
        return DEFAULT_QUESTIONS
    return tuple(Question(name) for name in names)
