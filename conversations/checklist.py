"""The checklist dialogue: `step(state, event, context) -> (state, effects)`, read off a table.

Pure: no awaits, no database, no platform. The runner (`service/runner.py`) loads the
state and context, calls `step`, stores what the effects say inside one transaction, and
only then hands the views and messages to the platform.

The table. `TRANSITIONS` names, for each phase (`conversations/state.py`), the events it
takes, the handler of each (`conversations/checklist_steps.py`) and the phases it may lead
to; its fallbacks are taken in every phase, after the phase's own row — as
python-telegram-bot's ConversationHandler reads, without its I/O. An event the table does
not give for the phase is refused with the current view: "this question has moved on" for
a value meant for a milestone no longer asked, "you can't do that right now" for the rest.
A phase the table does not know is an error (`UnknownPhase`), never a silent default. The
table drawn is `checklist.mmd` beside this file (`checklist_diagram.to_mermaid`), and the
views offer only choices it takes (`choices.OFFERS`, checked when this module loads).

Stale views. Every event carries the version of the view it came from. An event from an
older view is
- ignored when it repeats the last event applied (a double click, a retry): the person
  is shown the current view and nothing is stored twice;
- applied when it only sets a value on the milestone being asked now (setting the same
  value twice changes nothing, so it cannot count twice);
- otherwise refused with "this question has moved on" and the current view, so a
  navigation is never applied twice and a value never lands on another milestone.

A reloaded programme. The state names its milestone by code (`State.position`); when a
reload took that milestone out, the state is settled on the one that followed it before
the event is read, and a button from the view of the milestone that is gone has moved on.

On time, past the deadline. A status, a delay band, a forecast or last round's answer that
makes an answer «on time» with a forecast past the milestone's baseline deadline
(`conversations.baseline`) is stored, and the phase becomes `CONFIRM_BASELINE`: still on
time, a band, or another forecast. The state keeps each (milestone, forecast) asked about,
so the question is asked once; a card's Next sent with that forecast shows the question.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from conversations import checklist_steps as steps
from conversations.checklist_effects import (
    Effect,
    NotifyAdmins,
    Outcome,
    Show,
    StoreAnswer,
    StoreSubmission,
    Tell,
)
from conversations.checklist_steps import FORECAST_LIMIT, REMARK_LIMIT, asks, refuse, show
from conversations.choices import LOOKED_UP, OFFERS
from conversations.context import ChecklistContext
from conversations.events import (
    EVENT_TYPES,
    Back,
    ConfirmBaseline,
    ConfirmForecast,
    Edit,
    Event,
    GiveForecast,
    GiveRemark,
    GiveText,
    Jump,
    Next,
    Pause,
    Review,
    SameAsLast,
    SetCritical,
    SetDelay,
    SetProgress,
    Skip,
    Start,
    Submit,
)
from conversations.state import Phase, State, UnknownPhase, following

__all__ = [
    "FORECAST_LIMIT",
    "REMARK_LIMIT",
    "TRANSITIONS",
    "Effect",
    "Handler",
    "NotifyAdmins",
    "Outcome",
    "Show",
    "StoreAnswer",
    "StoreSubmission",
    "Table",
    "Tell",
    "Transition",
    "offers_refused",
    "refusal",
    "step",
]

Handler = Callable[[State, Event, ChecklistContext], Outcome]


@dataclass(frozen=True)
class Transition:
    handler: Handler
    to: tuple[Phase, ...] = ()
    """The phases it may lead to when it goes ahead; empty: it stays where it is."""


def go(handler: Handler, *to: Phase) -> Transition:
    return Transition(handler, to)


@dataclass(frozen=True)
class Table:
    """Entry phase, each phase's events and their transitions, and the fallbacks."""

    entry: Phase
    phases: Mapping[Phase, Mapping[type[Event], Transition]]
    fallbacks: Mapping[type[Event], Transition]

    def lookup(self, phase: Phase, event_type: type[Event]) -> Transition | None:
        """The phase's own transition for the event, else a fallback, else None."""
        own = self._row(phase).get(event_type)
        return own if own is not None else self.fallbacks.get(event_type)

    def takes(self, phase: Phase) -> frozenset[type[Event]]:
        """Every event type the phase takes, its own and the fallbacks."""
        return frozenset(self._row(phase)) | frozenset(self.fallbacks)

    def _row(self, phase: Phase) -> Mapping[type[Event], Transition]:
        row = self.phases.get(phase)
        if row is None:
            raise UnknownPhase(f"the checklist's table has no phase {phase!r}")
        return row


_ASKED = (Phase.ASKING, Phase.CONFIRM_BASELINE)
"""Where a status, a delay band or a forecast leads: back to the milestone, or — when it
makes the answer on time with a forecast past the baseline deadline, not asked about
before — to asking whether it is still on time (`conversations.baseline`)."""

_VALUES_TO_ASKING: Mapping[type[Event], Transition] = {
    SetProgress: go(steps.set_progress, *_ASKED),
    SetDelay: go(steps.set_delay, *_ASKED),
    SetCritical: go(steps.set_critical, Phase.ASKING),
    GiveForecast: go(steps.give_forecast, *_ASKED, Phase.CONFIRM_FORECAST),
    GiveRemark: go(steps.give_remark, Phase.ASKING),
    GiveText: go(steps.give_text, Phase.ASKING),
    SameAsLast: go(steps.same_as_last, *_ASKED, Phase.REVIEW),
}
"""What may be set on the milestone asked, the same while a forecast awaits confirmation
or an answer past its baseline awaits a yes."""

TRANSITIONS = Table(
    entry=Phase.INTRO,
    phases={
        Phase.INTRO: {
            Start: go(steps.begin, Phase.ASKING, Phase.REVIEW),
            Pause: go(steps.redraw),  # nothing to pause yet
        },
        Phase.ASKING: {
            **_VALUES_TO_ASKING,
            Next: go(steps.next_, Phase.ASKING, Phase.REVIEW),
            Skip: go(steps.skip, Phase.ASKING, Phase.REVIEW),
            Back: go(steps.back, Phase.ASKING),
            Pause: go(steps.pause, Phase.PAUSED),
        },
        Phase.CONFIRM_FORECAST: {
            ConfirmForecast: go(steps.confirm_forecast, Phase.ASKING),
            **_VALUES_TO_ASKING,
            Skip: go(steps.skip, Phase.ASKING, Phase.REVIEW),
            Back: go(steps.back, Phase.ASKING),
            Pause: go(steps.pause, Phase.PAUSED),
        },
        Phase.CONFIRM_BASELINE: {
            ConfirmBaseline: go(steps.confirm_baseline, Phase.ASKING),
            **_VALUES_TO_ASKING,
            # A card's Next sent with the forecast that raised the question: it is asked
            # first, not refused, and Next is pressed again from the milestone.
            Next: go(steps.redraw),
            Skip: go(steps.skip, Phase.ASKING, Phase.REVIEW),
            Back: go(steps.back, Phase.ASKING),
            Pause: go(steps.pause, Phase.PAUSED),
        },
        Phase.REVIEW: {
            Back: go(steps.back_to_last, Phase.ASKING),
            Pause: go(steps.pause, Phase.PAUSED),
        },
        Phase.SUBMITTED: {
            Pause: go(steps.redraw),
        },
        Phase.PAUSED: {
            Start: go(steps.resume, Phase.ASKING, Phase.REVIEW),
            Pause: go(steps.redraw),
        },
    },
    fallbacks={
        Start: go(steps.redraw),  # "open my checklist": where the person is
        Jump: go(steps.jump, Phase.ASKING),
        Edit: go(steps.edit, Phase.ASKING, Phase.REVIEW),
        Review: go(steps.review, Phase.REVIEW),
        Submit: go(steps.submit, Phase.REVIEW, Phase.SUBMITTED),
    },
)

ABOUT_THE_ASKED: frozenset[type[Event]] = frozenset(
    {
        SetProgress,
        SetDelay,
        SetCritical,
        GiveForecast,
        GiveRemark,
        GiveText,
        ConfirmForecast,
        ConfirmBaseline,
        SameAsLast,
    }
)
"""Events meant for the milestone being asked: refused where none is as having moved on."""

FROM_A_MILESTONE: frozenset[type[Event]] = ABOUT_THE_ASKED | {Next, Skip, Back}
"""Events sent from a milestone's view, naming that milestone."""


def refusal(event_type: type[Event]) -> str:
    """The message key for an event the table does not give in the phase."""
    return "checklist.moved_on" if event_type in ABOUT_THE_ASKED else "checklist.not_asking"


def step(state: State, event: Event, ctx: ChecklistContext, table: Table = TRANSITIONS) -> Outcome:
    """One event in, the next state and what to do out."""
    table.takes(state.phase)  # an unknown phase is an error, even in a closed round
    if not ctx.accepting:
        return state, [Tell("checklist.round_closed", {"round": ctx.round_name}), show(state, ctx)]
    codes = tuple(item.code for item in ctx.items)
    settled = state.settled(codes, ctx.answers)
    new_state, effects = _apply(settled, event, ctx, table)
    if new_state is not settled:
        # Views do not show last_event, so those already drawn stay true.
        new_state = replace(new_state, last_event=event.fingerprint())
    if new_state is not state:
        new_state = replace(new_state, following=following(new_state.code, codes))
    return new_state, effects


def _apply(state: State, event: Event, ctx: ChecklistContext, table: Table) -> Outcome:
    if event.version is not None and event.version != state.version:
        if event.fingerprint() == state.last_event:
            return state, [show(state, ctx)]
        if event.navigates or not asks(state, ctx, event.code):
            return refuse(state, ctx, "checklist.moved_on")
    transition = table.lookup(state.phase, type(event))
    if transition is None:
        return refuse(state, ctx, refusal(type(event)))
    if type(event) in FROM_A_MILESTONE and event.code and ctx.index_of(event.code) is None:
        return refuse(state, ctx, "checklist.moved_on")  # drawn for a milestone now gone
    return transition.handler(state, event, ctx)


def offers_refused(table: Table) -> list[str]:
    """Choices a view may offer (`choices.OFFERS`; a read-only milestone's `LOOKED_UP`, in
    every phase) that the table does not take there."""
    offered = [(phase, choice) for phase, choices in OFFERS.items() for choice in choices]
    offered += [(phase, choice) for phase in Phase for choice in LOOKED_UP]
    return [
        f"{phase.value}: {choice.value}"
        for phase, choice in offered
        if EVENT_TYPES[choice.value] not in table.takes(phase)
    ]


if _refused := offers_refused(TRANSITIONS):
    raise RuntimeError(f"views offer what the dialogue refuses: {', '.join(_refused)}")
