"""The choices a checklist's view may offer, phase by phase.

A choice is named as the event it sends (`Choice.LATER` is the event "later"), and
`OFFERS` says which a phase's view may show. `conversations/checklist.py` will not load
while its table of transitions refuses one of them in that phase, so a button is never
drawn for an event the dialogue would turn down.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from conversations.questions import TYPED, Question
from conversations.state import Phase


class Choice(StrEnum):
    """The actions a view offers; adapters show a control for each."""

    START = "start"
    PROGRESS = "progress"
    DELAY = "delay"
    CRITICAL = "critical"
    FORECAST = "forecast"
    REMARK = "remark"
    TEXT = "text"  # a typed answer to a programme's own question (status, economy, …)
    SAME_AS_LAST = "same"
    BACK = "back"
    NEXT = "next"
    SKIP = "skip"
    LATER = "later"
    REVIEW = "review"
    SUBMIT = "submit"
    EDIT = "edit"
    CONFIRM_FORECAST = "confirm_forecast"
    CONFIRM_BASELINE = "confirm_baseline"


OFFERS: Mapping[Phase, tuple[Choice, ...]] = {
    Phase.INTRO: (Choice.START,),
    Phase.ASKING: (
        Choice.PROGRESS,
        Choice.DELAY,
        Choice.CRITICAL,
        Choice.FORECAST,
        Choice.REMARK,
        Choice.TEXT,
        Choice.SAME_AS_LAST,
        Choice.BACK,
        Choice.NEXT,
        Choice.SKIP,
        Choice.LATER,
        Choice.REVIEW,
    ),
    Phase.CONFIRM_FORECAST: (Choice.CONFIRM_FORECAST, Choice.FORECAST),
    Phase.CONFIRM_BASELINE: (Choice.CONFIRM_BASELINE, Choice.DELAY, Choice.FORECAST),
    Phase.REVIEW: (Choice.EDIT, Choice.SUBMIT),
    Phase.SUBMITTED: (Choice.REVIEW, Choice.EDIT),
    Phase.PAUSED: (Choice.START,),
}
"""Every choice a phase's view may offer, in the order shown. A choice is named as its
event (`Choice.LATER` is the event "later"); the dialogue's table must take it there."""


TEXT_QUESTIONS: frozenset[str] = frozenset(
    q.value for q in (Question.FORECAST, Question.REMARK, *TYPED)
)
"""Questions answered by typing (a forecast and a remark have choices of their own)."""


KOL_TYPED: frozenset[str] = frozenset({Question.FORECAST.value, Question.REMARK.value})
"""Typed answers with choices of their own; the rest are offered by `Choice.TEXT`."""


LOOKED_UP: tuple[Choice, ...] = (Choice.START,)
"""What the view of a read-only milestone offers, whatever the phase: back to the
checklist, which `Start` shows where the person is (it is taken in every phase)."""


def offer(phase: Phase, unless: Mapping[Choice, bool] | None = None) -> tuple[Choice, ...]:
    """The phase's choices, less those `unless` says not to show now."""
    hidden = unless or {}
    return tuple(choice for choice in OFFERS[phase] if not hidden.get(choice, False))
