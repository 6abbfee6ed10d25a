"""The checklist's table of transitions: drawn as checklist.mmd, every drawn edge real,
every event it does not give refused, and the views and the terminal offering only what
it takes. Pure: no database, no platform."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from bot.cli.try_ import Unknown, read_key
from conversations.checklist import (
    TRANSITIONS,
    Outcome,
    Show,
    Table,
    Tell,
    offers_refused,
    refusal,
    step,
)
from conversations.checklist_diagram import Edge, edges, to_mermaid
from conversations.context import AnswerData, ChecklistContext
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
from conversations.questions import Question
from conversations.state import Phase, State, UnknownPhase
from conversations.views import Choice, build
from conversations.vocabulary import Delay, Progress
from render.terminal.views import KEY_EVENTS
from tests.dialog import context

DIAGRAM = Path(__file__).parent.parent / "conversations" / "checklist.mmd"
CODES = ["1.1", "2.1", "3.1"]
UNREADABLE = "når udbuddet er afsluttet"
TABLE_REFUSALS = {"checklist.moved_on", "checklist.not_asking"}

STARTED = AnswerData(progress=Progress.STARTED, delay=Delay.UP_TO_3, remark="som sidst")
PAST = "4. kvartal 2019"
"""Past every milestone's baseline here («Medio 2019», tests/dialog.py)."""
ON_TIME_PAST = AnswerData(
    Progress.STARTED,
    Delay.ON_TIME,
    forecast_text=PAST,
    forecast_earliest=date(2019, 10, 1),
    forecast_latest=date(2019, 12, 31),
)
"""On time by the answer, late by the plan: the checklist asks whether it still is."""
NEARLY = {
    "1.1": replace(ON_TIME_PAST, progress=Progress.REACHED),  # started again: asked
    "2.1": replace(ON_TIME_PAST, delay=Delay.UP_TO_3),  # on time after all: asked
    "3.1": AnswerData(Progress.STARTED, forecast_text="2. kvartal 2019"),  # a later forecast
}
"""Answers one status, delay band or forecast away from on time past the baseline."""
STATED = AnswerData(status="Igangsat", economy="Som aftalt")
OWN = (Question.STATUS, Question.ECONOMY, Question.READY)
"""A programme's own questions, without a traffic light (seed 004's, and a day)."""
CONTEXTS: tuple[ChecklistContext, ...] = (
    context(CODES),
    context(
        CODES,
        answers=dict.fromkeys(CODES, STARTED),
        previous=dict.fromkeys(CODES, STARTED),
        previous_round="11. møde",
    ),
    context(CODES, questions=OWN),
    context(
        CODES,
        questions=OWN,
        answers=dict.fromkeys(CODES, STATED),
        previous=dict.fromkeys(CODES, STATED),
        previous_round="Status juni 2019",
    ),
    context(
        CODES,
        answers=NEARLY,
        previous=dict.fromkeys(CODES, ON_TIME_PAST),
        previous_round="11. møde",
    ),
)
"""KOL's questions: nothing answered yet; every milestone answered, and answered last round
too. The same for a programme asking its own questions. KOL's again, each answer a step
from on time past its baseline, and last round's answers so."""
EMPTY = context([])
"""A checklist with nothing to ask: the intro's start goes straight to the review."""

EXAMPLES: dict[type[Event], Callable[[str, int], list[Event]]] = {
    Start: lambda code, v: [Start(version=v)],
    SetProgress: lambda code, v: [
        SetProgress(progress=Progress.REACHED, code=code, version=v),
        SetProgress(progress=Progress.STARTED, code=code, version=v),
    ],
    SetDelay: lambda code, v: [
        SetDelay(delay=Delay.UP_TO_6, code=code, version=v),
        SetDelay(delay=Delay.ON_TIME, code=code, version=v),
    ],
    SetCritical: lambda code, v: [SetCritical(critical=True, code=code, version=v)],
    GiveForecast: lambda code, v: [
        GiveForecast(text="2. kvartal 2019", code=code, version=v),
        GiveForecast(text=UNREADABLE, code=code, version=v),
        GiveForecast(text=PAST, code=code, version=v),
    ],
    ConfirmForecast: lambda code, v: [ConfirmForecast(code=code, version=v)],
    ConfirmBaseline: lambda code, v: [ConfirmBaseline(code=code, version=v)],
    GiveRemark: lambda code, v: [GiveRemark(text="Afventer leverandøren", code=code, version=v)],
    GiveText: lambda code, v: [
        GiveText(field="status", text="Analysen er igangsat", code=code, version=v),
        GiveText(field="ready", text="2. kvartal 2019", code=code, version=v),
    ],
    SameAsLast: lambda code, v: [SameAsLast(code=code, version=v)],
    Next: lambda code, v: [Next(code=code, version=v)],
    Back: lambda code, v: [Back(code=code, version=v)],
    Skip: lambda code, v: [Skip(code=code, version=v)],
    Jump: lambda code, v: [Jump(code="2.1", version=v)],
    Review: lambda code, v: [Review(version=v)],
    Edit: lambda code, v: [Edit(version=v), Edit(code="2.1", version=v)],
    Submit: lambda code, v: [Submit(version=v)],
    Pause: lambda code, v: [Pause(version=v)],
}
"""Events of each type as a view in that state would send them (with its version)."""


def states(phase: Phase) -> Iterator[State]:
    """States in `phase` at each milestone, with what the phase keeps."""
    if phase is Phase.INTRO:
        yield State(version=5)  # nothing asked yet
        return
    for code in CODES:
        for return_to_review in (False, True):
            base = State(phase=phase, code=code, version=5, return_to_review=return_to_review)
            if phase is Phase.CONFIRM_FORECAST:
                yield replace(base, pending_forecast=UNREADABLE)
            elif phase is Phase.CONFIRM_BASELINE:  # asked about the answer's forecast, or not
                yield replace(base, asked_baseline=((code, PAST),))
                yield base
            elif phase is Phase.PAUSED:
                yield from (replace(base, resume_phase=p) for p in (Phase.ASKING, Phase.REVIEW))
            else:
                yield base


def plays(phase: Phase, event_type: type[Event]) -> Iterator[tuple[State, Event, Outcome]]:
    """Every example of the event sent in every example of the phase, with its outcome."""
    for ctx in (*CONTEXTS, EMPTY) if phase is Phase.INTRO else CONTEXTS:
        for state in states(phase):
            for event in EXAMPLES[event_type](state.code or "", state.version):
                yield state, event, step(state, event, ctx)


def tells(outcome: Outcome) -> list[str]:
    return [effect.key for effect in outcome[1] if isinstance(effect, Tell)]


def shown(outcome: Outcome) -> bool:
    return any(isinstance(effect, Show) for effect in outcome[1])


def test_every_event_type_has_examples_here() -> None:
    assert set(EXAMPLES) == set(EVENT_TYPES.values())


def test_the_diagram_beside_the_dialogue_is_the_table_drawn() -> None:
    drawn = to_mermaid(TRANSITIONS)
    assert DIAGRAM.read_text(encoding="utf-8") == drawn, (
        "redraw it: python -m conversations.checklist_diagram > conversations/checklist.mmd"
    )
    assert drawn.splitlines()[3] == "stateDiagram-v2"
    assert "    asking --> paused : later" in drawn
    assert "    any_phase --> submitted : submit" in drawn


def test_the_table_knows_every_phase() -> None:
    assert set(TRANSITIONS.phases) == set(Phase)
    assert TRANSITIONS.entry is State().phase


@pytest.mark.parametrize(
    "edge",
    edges(TRANSITIONS),
    ids=lambda e: f"{e.source or 'any'}-{e.event.name}-{e.target or 'stays'}",
)
def test_every_transition_drawn_is_taken(edge: Edge) -> None:
    """In every phase it leaves from, some example of its event takes it, unrefused."""
    own = TRANSITIONS.phases
    phases = [edge.source] if edge.source else [p for p in Phase if edge.event not in own[p]]
    assert phases, "a fallback every phase overrides is never taken"
    for phase in phases:
        wanted = edge.target or phase
        taken = [
            outcome
            for _, _, outcome in plays(phase, edge.event)
            if outcome[0].phase is wanted
            and shown(outcome)
            and not TABLE_REFUSALS & set(tells(outcome))
        ]
        assert taken, f"{phase} --{edge.event.name}--> {wanted} is drawn but never taken"


@pytest.mark.parametrize("phase", list(Phase))
def test_an_event_the_phase_does_not_take_is_refused_and_changes_nothing(phase: Phase) -> None:
    refused = [t for t in EVENT_TYPES.values() if t not in TRANSITIONS.takes(phase)]
    for event_type in refused:
        for state, event, (new, effects) in plays(phase, event_type):
            assert new == state, (phase, event)
            assert tells((new, effects)) == [refusal(event_type)], (phase, event)
            assert shown((new, effects))


def test_the_refusals_name_what_went_wrong() -> None:
    assert refusal(SetProgress) == refusal(ConfirmForecast) == "checklist.moved_on"
    assert refusal(Next) == refusal(Skip) == "checklist.not_asking"
    assert Next not in TRANSITIONS.takes(Phase.REVIEW)
    assert SetProgress not in TRANSITIONS.takes(Phase.SUBMITTED)


@pytest.mark.parametrize("phase", list(Phase))
def test_a_transition_leads_only_where_the_table_says(phase: Phase) -> None:
    """So the diagram hides nothing: a refusal stays, anything else goes where it is drawn."""
    for event_type in TRANSITIONS.takes(phase):
        transition = TRANSITIONS.lookup(phase, event_type)
        assert transition is not None
        allowed = {*(transition.to or (phase,)), phase}
        for _, event, (new, _) in plays(phase, event_type):
            assert new.phase in allowed, (phase, event, new.phase)


def test_a_phase_the_table_does_not_know_is_an_error() -> None:
    without_paused = Table(
        entry=Phase.INTRO,
        phases={p: row for p, row in TRANSITIONS.phases.items() if p is not Phase.PAUSED},
        fallbacks=TRANSITIONS.fallbacks,
    )
    paused = State(phase=Phase.PAUSED, code="1.1", resume_phase=Phase.ASKING, version=3)
    with pytest.raises(UnknownPhase):
        step(paused, Start(version=3), CONTEXTS[0], without_paused)
    with pytest.raises(UnknownPhase):
        step(paused, Start(version=3), replace(CONTEXTS[0], accepting=False), without_paused)
    assert step(paused, Start(version=3), CONTEXTS[0])[0].phase is Phase.ASKING


def test_views_offer_only_what_the_table_takes() -> None:
    assert offers_refused(TRANSITIONS) == []
    asking = {
        event: t for event, t in TRANSITIONS.phases[Phase.ASKING].items() if event is not Next
    }
    narrower = Table(Phase.INTRO, {**TRANSITIONS.phases, Phase.ASKING: asking}, {})
    assert "asking: next" in offers_refused(narrower)
    assert "review: submit" in offers_refused(narrower)  # Submit is a fallback only
    for phase in Phase:
        for ctx in CONTEXTS:
            for state in states(phase):
                view = build(state, ctx)
                for choice in getattr(view, "choices", ()):
                    assert EVENT_TYPES[Choice(choice).value] in TRANSITIONS.takes(phase)
    assert {c.value for c in Choice} <= set(EVENT_TYPES), "a choice names its event"


def test_the_terminal_answers_to_the_keys_the_table_takes() -> None:
    ctx = CONTEXTS[1]
    for phase in Phase:
        view = build(next(states(phase)), ctx)
        for key, event_type in KEY_EVENTS.items():
            read = read_key(key, view)
            if event_type not in TRANSITIONS.takes(phase) and event_type is not Edit:
                assert read == (Unknown(key) if key else None), (phase, key)
            elif isinstance(read, Event):
                assert type(read) in TRANSITIONS.takes(phase), (phase, key)
    review = build(State(phase=Phase.REVIEW, version=4), ctx)
    assert read_key("n", review) == Unknown("n")
    assert read_key("b", review) == Back(version=4)
    asking = build(State(phase=Phase.ASKING, code="2.1", version=4), ctx)
    assert read_key("n", asking) == Next(code="2.1", version=4)
    assert read_key("e 3.1", asking) == Jump(code="3.1", version=4)
    assert read_key("y", asking) == Unknown("y")
    closed = build(State(phase=Phase.ASKING, code="2.1"), replace(ctx, accepting=False))
    assert read_key("n", closed) == Unknown("n") and read_key("", closed) is None


def test_a_transition_without_targets_stays() -> None:
    assert TRANSITIONS.lookup(Phase.SUBMITTED, Pause) is not None
    assert TRANSITIONS.phases[Phase.SUBMITTED][Pause].to == ()
    state = State(phase=Phase.SUBMITTED, code="3.1", version=8)
    new, effects = step(state, Pause(version=8), CONTEXTS[1])
    assert new == state and tells((new, effects)) == [] and shown((new, effects))
