"""The checklist dialogue: `step(state, event, context) -> (state, effects)`.

Pure: no awaits, no database, no platform. The runner (`service/runner.py`) loads
the state and context, calls `step`, stores what the effects say inside one transaction,
and only then hands the views and messages to the platform. See `checklist.mmd` beside
this file for the states.

Stale views. Every event carries the version of the view it came from. An event from an
older view is
- ignored when it repeats the last event applied (a double click, a retry): the person
  is shown the current view and nothing is stored twice;
- applied when it only sets a value on the milestone being asked now (setting the same
  value twice changes nothing, so it cannot count twice);
- otherwise refused with "this question has moved on" and the current view, so a
  navigation is never applied twice and a value never lands on another milestone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from conversations.context import AnswerData, ChecklistContext
from conversations.events import (
    Back,
    ConfirmForecast,
    Edit,
    Event,
    GiveForecast,
    GiveRemark,
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
from conversations.state import Phase, State
from conversations.views import Notice, View, build
from conversations.vocabulary import delay_allowed, effective_delay

REMARK_LIMIT = 3000
FORECAST_LIMIT = 200


@dataclass(frozen=True)
class StoreAnswer:
    """Write this answer for the milestone (the runner adds a revision if it changed)."""

    code: str
    answer: AnswerData
    late: bool = False


@dataclass(frozen=True)
class StoreSubmission:
    late: bool = False


@dataclass(frozen=True)
class Show:
    view: View


@dataclass(frozen=True)
class Tell:
    """A message to the person, apart from the view (a refusal, a reminder of a rule)."""

    key: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class NotifyAdmins:
    key: str
    params: dict[str, object] = field(default_factory=dict)


Effect = StoreAnswer | StoreSubmission | Show | Tell | NotifyAdmins
Outcome = tuple[State, list[Effect]]
Handler = Callable[[State, Event, ChecklistContext], Outcome]


def step(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    """One event in, the next state and what to do out."""
    if not ctx.accepting:
        return state, [Tell("checklist.round_closed", {"round": ctx.round_name}), _show(state, ctx)]
    if event.version is not None and event.version != state.version:
        if event.fingerprint() == state.last_event:
            return state, [_show(state, ctx)]
        if event.navigates or not _asks(state, ctx, event.code):
            return state, [Tell("checklist.moved_on"), _show(state, ctx)]
    handler = HANDLERS.get(type(event))
    if handler is None:
        raise TypeError(f"no handler for {type(event).__name__}")
    new_state, effects = handler(state, event, ctx)
    if new_state is not state:
        # Views do not show last_event, so those already drawn stay true.
        new_state = replace(new_state, last_event=event.fingerprint())
    return new_state, effects


def _show(state: State, ctx: ChecklistContext, notice: Notice | None = None) -> Show:
    return Show(build(state, ctx, notice))


def _asks(state: State, ctx: ChecklistContext, code: str) -> bool:
    """Is this milestone the one being asked right now?"""
    if state.phase not in (Phase.ASKING, Phase.CONFIRM_FORECAST) or not ctx.items:
        return False
    return ctx.items[state.index].code == code


def _refuse(state: State, ctx: ChecklistContext, key: str, **params: object) -> Outcome:
    return state, [Tell(key, dict(params)), _show(state, ctx)]


def _first_unanswered(ctx: ChecklistContext) -> int:
    for index, item in enumerate(ctx.items):
        if item.code not in ctx.answers:
            return index
    return 0


# --- starting, pausing, moving ------------------------------------------------------------


def on_start(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    if state.phase is Phase.INTRO:
        if not ctx.items:
            new = state.moved(phase=Phase.REVIEW)
        else:
            new = state.moved(phase=Phase.ASKING, index=_first_unanswered(ctx))
        return new, [_show(new, ctx)]
    if state.phase is Phase.PAUSED:
        new = state.moved(phase=state.resume_phase or Phase.ASKING, resume_phase=None)
        return new, [_show(new, ctx)]
    return state, [_show(state, ctx)]


def on_pause(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    if state.phase in (Phase.PAUSED, Phase.SUBMITTED, Phase.INTRO):
        return state, [_show(state, ctx)]
    resume = Phase.ASKING if state.phase is Phase.CONFIRM_FORECAST else state.phase
    new = state.moved(phase=Phase.PAUSED, resume_phase=resume, pending_forecast=None)
    return new, [_show(new, ctx)]


def _advance(state: State, ctx: ChecklistContext, effects: list[Effect]) -> Outcome:
    if state.return_to_review or state.index + 1 >= len(ctx.items):
        new = state.moved(phase=Phase.REVIEW, return_to_review=False, pending_forecast=None)
    else:
        new = state.moved(phase=Phase.ASKING, index=state.index + 1, pending_forecast=None)
    return new, [*effects, _show(new, ctx)]


def on_next(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    if state.phase is not Phase.ASKING:
        return _refuse(state, ctx, "checklist.not_asking")
    if ctx.items[state.index].code not in ctx.answers:
        return _refuse(state, ctx, "checklist.choose_progress_first")
    return _advance(state, ctx, [])


def on_skip(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    if state.phase not in (Phase.ASKING, Phase.CONFIRM_FORECAST):
        return _refuse(state, ctx, "checklist.not_asking")
    return _advance(state, ctx, [])


def on_back(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    if state.phase is Phase.REVIEW and ctx.items:
        new = state.moved(phase=Phase.ASKING, index=len(ctx.items) - 1)
        return new, [_show(new, ctx)]
    if state.phase not in (Phase.ASKING, Phase.CONFIRM_FORECAST):
        return _refuse(state, ctx, "checklist.not_asking")
    if state.index == 0:
        return _refuse(state, ctx, "checklist.at_first")
    new = state.moved(phase=Phase.ASKING, index=state.index - 1, pending_forecast=None)
    return new, [_show(new, ctx)]


def _go_to(state: State, ctx: ChecklistContext, code: str, *, from_review: bool) -> Outcome:
    index = ctx.index_of(code)
    if index is None:
        read_only = next((item for item in ctx.read_only if item.code == code), None)
        if read_only is not None:
            return _refuse(
                state, ctx, "checklist.read_only", code=code, reporter=read_only.reporter
            )
        return _refuse(state, ctx, "checklist.unknown_milestone", code=code)
    new = state.moved(
        phase=Phase.ASKING, index=index, return_to_review=from_review, pending_forecast=None
    )
    return new, [_show(new, ctx)]


def on_jump(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    return _go_to(state, ctx, event.code, from_review=state.phase is Phase.REVIEW)


def on_edit(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    if not event.code:
        new = state.moved(phase=Phase.REVIEW, pending_forecast=None)
        return new, [_show(new, ctx)]
    return _go_to(state, ctx, event.code, from_review=True)


def on_review(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    new = state.moved(phase=Phase.REVIEW, return_to_review=False, pending_forecast=None)
    return new, [_show(new, ctx)]


def on_submit(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    missing = [item.code for item in ctx.items if item.code not in ctx.answers]
    if missing:
        review = state if state.phase is Phase.REVIEW else state.moved(phase=Phase.REVIEW)
        return review, [
            Tell("checklist.missing", {"codes": missing, "count": len(missing)}),
            _show(review, ctx),
        ]
    new = state.moved(phase=Phase.SUBMITTED, return_to_review=False, pending_forecast=None)
    if ctx.submitted_at is not None:
        return new, [_show(new, ctx)]
    effects: list[Effect] = [
        StoreSubmission(late=ctx.late),
        NotifyAdmins(
            "admin.submitted",
            {
                "scope": ctx.scope_title,
                "person": ctx.actor_name,
                "round": ctx.round_name,
                "late": ctx.late,
            },
        ),
        _show(new, replace(ctx, submitted_at=ctx.now)),
    ]
    return new, effects


# --- setting values on the milestone being asked -----------------------------------------


def _changes(ctx: ChecklistContext, code: str, answer: AnswerData) -> list[Effect]:
    """A StoreAnswer if the values differ from what is stored; repeating a value stores nothing."""
    current = ctx.answers.get(code)
    if current is not None and current.values() == answer.values():
        return []
    return [StoreAnswer(code, answer, late=ctx.late)]


def _store(state: State, ctx: ChecklistContext, answer: AnswerData) -> Outcome:
    """Store the answer to the milestone being asked and redraw it."""
    code = ctx.items[state.index].code
    answer = replace(answer, answered_by=ctx.actor_name, answered_at=ctx.now)
    new = state.moved(phase=Phase.ASKING, pending_forecast=None)
    stored = _changes(ctx, code, answer)
    if not stored:
        return new, [_show(new, ctx)]
    notice = Notice("checklist.saved", {"code": code})
    return new, [*stored, _show(new, ctx.with_answer(code, answer), notice)]


def _draft(state: State, ctx: ChecklistContext) -> AnswerData | None:
    return ctx.answers.get(ctx.items[state.index].code)


def on_progress(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    assert isinstance(event, SetProgress)
    if not _asks(state, ctx, event.code):
        return _refuse(state, ctx, "checklist.moved_on")
    draft = _draft(state, ctx) or AnswerData()
    delay = effective_delay(event.progress, draft.delay)
    return _store(state, ctx, replace(draft, progress=event.progress, delay=delay))


def _needs_progress(state: State, ctx: ChecklistContext, code: str) -> Outcome | None:
    if not _asks(state, ctx, code):
        return _refuse(state, ctx, "checklist.moved_on")
    if _draft(state, ctx) is None:
        return _refuse(state, ctx, "checklist.choose_progress_first")
    return None


def on_delay(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    assert isinstance(event, SetDelay)
    if (refused := _needs_progress(state, ctx, event.code)) is not None:
        return refused
    draft = _draft(state, ctx)
    assert draft is not None
    if not delay_allowed(draft.progress):
        return _refuse(state, ctx, "checklist.delay_not_applicable")
    return _store(state, ctx, replace(draft, delay=event.delay))


def on_critical(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    assert isinstance(event, SetCritical)
    if (refused := _needs_progress(state, ctx, event.code)) is not None:
        return refused
    draft = _draft(state, ctx)
    assert draft is not None
    return _store(state, ctx, replace(draft, critical=event.critical))


def on_forecast(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    assert isinstance(event, GiveForecast)
    if (refused := _needs_progress(state, ctx, event.code)) is not None:
        return refused
    text = event.text.strip()
    if not text:
        return _refuse(state, ctx, "checklist.empty_text")
    if len(text) > FORECAST_LIMIT:
        return _refuse(
            state,
            ctx,
            "checklist.forecast_too_long",
            limit=FORECAST_LIMIT,
            length=len(text),
            text=text,
        )
    draft = _draft(state, ctx)
    assert draft is not None
    if ctx.read_forecast is None:
        raise RuntimeError("a checklist context was built without a forecast reader")
    read = ctx.read_forecast(text)
    if read is None:
        new = state.moved(phase=Phase.CONFIRM_FORECAST, pending_forecast=text)
        return new, [_show(new, ctx)]
    earliest, latest = read
    return _store(
        state,
        ctx,
        replace(draft, forecast_text=text, forecast_earliest=earliest, forecast_latest=latest),
    )


def on_confirm_forecast(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    if state.phase is not Phase.CONFIRM_FORECAST or not state.pending_forecast:
        return _refuse(state, ctx, "checklist.moved_on")
    if not _asks(state, ctx, event.code):
        return _refuse(state, ctx, "checklist.moved_on")
    draft = _draft(state, ctx) or AnswerData()
    kept = replace(
        draft, forecast_text=state.pending_forecast, forecast_earliest=None, forecast_latest=None
    )
    return _store(state, ctx, kept)


def on_remark(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    assert isinstance(event, GiveRemark)
    if (refused := _needs_progress(state, ctx, event.code)) is not None:
        return refused
    text = event.text.strip()
    if not text:
        return _refuse(state, ctx, "checklist.empty_text")
    if len(text) > REMARK_LIMIT:
        return _refuse(
            state,
            ctx,
            "checklist.remark_too_long",
            limit=REMARK_LIMIT,
            length=len(text),
            text=text,
        )
    draft = _draft(state, ctx)
    assert draft is not None
    return _store(state, ctx, replace(draft, remark=text))


def on_same_as_last(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    if not _asks(state, ctx, event.code):
        return _refuse(state, ctx, "checklist.moved_on")
    previous = ctx.previous.get(event.code)
    if previous is None:
        return _refuse(state, ctx, "checklist.no_previous", code=event.code)
    answer = replace(previous, answered_by=ctx.actor_name, answered_at=ctx.now)
    stored = _changes(ctx, event.code, answer)
    return _advance(state, ctx.with_answer(event.code, answer), stored)


HANDLERS: dict[type[Event], Handler] = {
    Start: on_start,
    Pause: on_pause,
    Next: on_next,
    Skip: on_skip,
    Back: on_back,
    Jump: on_jump,
    Edit: on_edit,
    Review: on_review,
    Submit: on_submit,
    SetProgress: on_progress,
    SetDelay: on_delay,
    SetCritical: on_critical,
    GiveForecast: on_forecast,
    ConfirmForecast: on_confirm_forecast,
    GiveRemark: on_remark,
    SameAsLast: on_same_as_last,
}
