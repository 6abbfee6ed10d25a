"""What each event does in the phases that take it: the handlers of the checklist's table.

`conversations/checklist.py` picks a handler from its table by the phase and the event's
type, once a closed round and a stale view have been dealt with. So a handler need not ask
which phase it is in beyond what its table row says; it checks only what the table cannot:
that an event names the milestone being asked, that there is a status before a delay, that
a text is not too long. A handler returns the next state (the same one when it refuses or
changes nothing) and the effects.

A status, a delay band, a forecast or last round's answer that makes an answer on time
with a forecast past the milestone's baseline deadline (`conversations.baseline`) is stored
as given, and the person is asked once whether it is still on time (`Phase.CONFIRM_BASELINE`):
yes, a delay band, or another forecast. Once asked about a forecast, never again for it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from conversations.baseline import past_baseline
from conversations.checklist_effects import (
    Effect,
    NotifyAdmins,
    Outcome,
    Show,
    StoreAnswer,
    StoreSubmission,
    Tell,
)
from conversations.context import AnswerData, ChecklistContext, Item
from conversations.events import (
    Event,
    GiveForecast,
    GiveRemark,
    GiveText,
    SetCritical,
    SetDelay,
    SetProgress,
)
from conversations.limits import FORECAST_LIMIT as FORECAST_LIMIT  # re-exported
from conversations.limits import REMARK_LIMIT as REMARK_LIMIT
from conversations.questions import TEXT_LIMITS, TYPED, Question
from conversations.state import Phase, State
from conversations.views import Notice, build, position, read_only_view
from conversations.vocabulary import delay_allowed, effective_delay

ASKED_PHASES = (Phase.ASKING, Phase.CONFIRM_FORECAST, Phase.CONFIRM_BASELINE)
"""The phases in which a milestone is being asked (values may be set on it)."""


def show(state: State, ctx: ChecklistContext, notice: Notice | None = None) -> Show:
    return Show(build(state, ctx, notice))


def refuse(state: State, ctx: ChecklistContext, key: str, **params: object) -> Outcome:
    """The state unchanged, a message saying why, and the view as it stands."""
    return state, [Tell(key, dict(params)), show(state, ctx)]


def asks(state: State, ctx: ChecklistContext, code: str) -> bool:
    """Is this milestone the one being asked right now?"""
    if state.phase not in ASKED_PHASES or not ctx.items:
        return False
    return _asked(state, ctx).code == code


def _asked(state: State, ctx: ChecklistContext) -> Item:
    return ctx.items[position(state, ctx)]


def _at(state: State, ctx: ChecklistContext, index: int, **changes: object) -> State:
    """Asking the milestone at `index` next."""
    code = ctx.items[index].code
    return state.moved(phase=Phase.ASKING, code=code, pending_forecast=None, **changes)


def _first_unanswered(ctx: ChecklistContext) -> int:
    for index, item in enumerate(ctx.items):
        if item.code not in ctx.answers:
            return index
    return 0


# --- starting, pausing, moving ------------------------------------------------------------


def redraw(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    """Nothing changes; the person is shown where they are."""
    return state, [show(state, ctx)]


def begin(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    new = (
        state.moved(phase=Phase.REVIEW)
        if not ctx.items
        else _at(state, ctx, _first_unanswered(ctx))
    )
    return new, [show(new, ctx)]


def resume(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    new = state.moved(phase=state.resume_phase or Phase.ASKING, resume_phase=None)
    return new, [show(new, ctx)]


def pause(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    resume_in = Phase.ASKING if state.phase in ASKED_PHASES else state.phase
    new = state.moved(phase=Phase.PAUSED, resume_phase=resume_in, pending_forecast=None)
    return new, [show(new, ctx)]


def _advance(state: State, ctx: ChecklistContext, effects: list[Effect]) -> Outcome:
    at = position(state, ctx)
    if state.return_to_review or at + 1 >= len(ctx.items):
        new = state.moved(phase=Phase.REVIEW, return_to_review=False, pending_forecast=None)
    else:
        new = _at(state, ctx, at + 1)
    return new, [*effects, show(new, ctx)]


def next_(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    if _asked(state, ctx).code not in ctx.answers:
        first = "checklist.choose_progress_first" if ctx.light else "checklist.answer_first"
        return refuse(state, ctx, first)
    return _advance(state, ctx, [])


def skip(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    return _advance(state, ctx, [])


def back(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    at = position(state, ctx)
    if at == 0:
        return refuse(state, ctx, "checklist.at_first")
    new = _at(state, ctx, at - 1)
    return new, [show(new, ctx)]


def back_to_last(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    """Back from the review: the last milestone."""
    if not ctx.items:
        return refuse(state, ctx, "checklist.not_asking")
    new = _at(state, ctx, len(ctx.items) - 1)
    return new, [show(new, ctx)]


def _go_to(state: State, ctx: ChecklistContext, code: str, *, from_review: bool) -> Outcome:
    index = ctx.index_of(code)
    if index is None:
        read_only = next((item for item in ctx.read_only if item.code == code), None)
        if read_only is not None:  # not this checklist's to change: its answer, shown
            return state, [Show(read_only_view(state, ctx, read_only))]
        return refuse(state, ctx, "checklist.unknown_milestone", code=code)
    new = _at(state, ctx, index, return_to_review=from_review)
    return new, [show(new, ctx)]


def jump(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    return _go_to(state, ctx, event.code, from_review=state.phase is Phase.REVIEW)


def edit(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    if not event.code:
        new = state.moved(phase=Phase.REVIEW, pending_forecast=None)
        return new, [show(new, ctx)]
    return _go_to(state, ctx, event.code, from_review=True)


def review(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    new = state.moved(phase=Phase.REVIEW, return_to_review=False, pending_forecast=None)
    return new, [show(new, ctx)]


def submit(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    missing = [item.code for item in ctx.items if item.code not in ctx.answers]
    if missing:
        shown = state if state.phase is Phase.REVIEW else state.moved(phase=Phase.REVIEW)
        return shown, [
            Tell(
                "checklist.missing", {"codes": missing, "count": len(missing), "light": ctx.light}
            ),
            show(shown, ctx),
        ]
    new = state.moved(phase=Phase.SUBMITTED, return_to_review=False, pending_forecast=None)
    if ctx.submitted_at is not None:
        return new, [show(new, ctx)]
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
        show(new, replace(ctx, submitted_at=ctx.now)),
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
    """Store the answer to the milestone being asked and redraw it (or ask whether it is
    still on time, `_ask_baseline`)."""
    code = _asked(state, ctx).code
    answer = replace(answer, answered_by=ctx.actor_name, answered_at=ctx.now)
    new = state.moved(phase=Phase.ASKING, code=code, pending_forecast=None)
    stored = _changes(ctx, code, answer)
    if not stored:
        return new, [show(new, ctx)]
    if (asking := _ask_baseline(new, ctx, answer)) is not None:
        return asking, [*stored, show(asking, ctx.with_answer(code, answer))]
    notice = Notice("checklist.saved", {"code": code})
    return new, [*stored, show(new, ctx.with_answer(code, answer), notice)]


def _baseline_latest(ctx: ChecklistContext, item: Item) -> date | None:
    """The latest day the milestone's baseline deadline can mean (None: none, unread)."""
    if not item.baseline:
        return None
    if ctx.read_forecast is None:
        raise RuntimeError("a checklist context was built without a forecast reader")
    read = ctx.read_forecast(item.baseline)
    return read[1] if read is not None else None


def _ask_baseline(state: State, ctx: ChecklistContext, answer: AnswerData) -> State | None:
    """`state` asking whether the milestone is still on time, when `answer` (about to be
    stored for it) newly says on time with a forecast past its baseline deadline and this
    forecast was not asked about before; else None.

    Newly: its status, delay band or forecast differ from the answer stored, so a remark
    added to such an answer (a deputy's, an import's) asks nothing. Only a programme that
    asks the delay band and a forecast has "on time" and a forecast to compare."""
    if not (ctx.asks(Question.DELAY) and ctx.asks(Question.FORECAST)):
        return None
    item = _asked(state, ctx)
    asked = (item.code, answer.forecast_text)
    before = ctx.answers.get(item.code)
    said = (answer.progress, answer.delay, answer.forecast_text)
    if asked in state.asked_baseline or (
        before is not None and said == (before.progress, before.delay, before.forecast_text)
    ):
        return None
    if answer.forecast_earliest is None or not past_baseline(
        answer.progress, answer.delay, answer.forecast_earliest, _baseline_latest(ctx, item)
    ):
        return None
    return replace(
        state, phase=Phase.CONFIRM_BASELINE, asked_baseline=(*state.asked_baseline, asked)
    )


def confirm_baseline(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    """Yes, still on time: the answer stands as stored, and the milestone is shown."""
    if not asks(state, ctx, event.code):
        return refuse(state, ctx, "checklist.moved_on")
    new = state.moved(phase=Phase.ASKING)
    return new, [show(new, ctx, Notice("view.baseline_kept", {"code": event.code}))]


def _draft(state: State, ctx: ChecklistContext) -> AnswerData | None:
    return ctx.answers.get(_asked(state, ctx).code)


def set_progress(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    assert isinstance(event, SetProgress)
    if not asks(state, ctx, event.code):
        return refuse(state, ctx, "checklist.moved_on")
    if not ctx.asks(Question.PROGRESS):
        return refuse(state, ctx, "checklist.not_asked")
    draft = _draft(state, ctx) or AnswerData()
    delay = effective_delay(event.progress, draft.delay)
    return _store(state, ctx, replace(draft, progress=event.progress, delay=delay))


def _needs_progress(
    state: State, ctx: ChecklistContext, code: str, question: Question
) -> Outcome | None:
    """A refusal unless the milestone is the one asked, the programme asks `question`, and
    (with a traffic light) the answer has begun with its progress."""
    if not asks(state, ctx, code):
        return refuse(state, ctx, "checklist.moved_on")
    if not ctx.asks(question):
        return refuse(state, ctx, "checklist.not_asked")
    if ctx.light and _draft(state, ctx) is None:
        return refuse(state, ctx, "checklist.choose_progress_first")
    return None


def set_delay(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    assert isinstance(event, SetDelay)
    if (refused := _needs_progress(state, ctx, event.code, Question.DELAY)) is not None:
        return refused
    draft = _draft(state, ctx)
    assert draft is not None  # a delay is asked only with progress
    if not delay_allowed(draft.progress):
        return refuse(state, ctx, "checklist.delay_not_applicable")
    return _store(state, ctx, replace(draft, delay=event.delay))


def set_critical(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    assert isinstance(event, SetCritical)
    if (refused := _needs_progress(state, ctx, event.code, Question.CRITICAL)) is not None:
        return refused
    draft = _draft(state, ctx) or AnswerData()
    return _store(state, ctx, replace(draft, critical=event.critical))


def _too_long(state: State, ctx: ChecklistContext, key: str, text: str, limit: int) -> Outcome:
    return refuse(state, ctx, key, limit=limit, length=len(text), text=text)


def give_forecast(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    assert isinstance(event, GiveForecast)
    if (refused := _needs_progress(state, ctx, event.code, Question.FORECAST)) is not None:
        return refused
    text = event.text.strip()
    if not text:
        return refuse(state, ctx, "checklist.empty_text")
    if len(text) > FORECAST_LIMIT:
        return _too_long(state, ctx, "checklist.forecast_too_long", text, FORECAST_LIMIT)
    draft = _draft(state, ctx) or AnswerData()
    if ctx.read_forecast is None:
        raise RuntimeError("a checklist context was built without a forecast reader")
    read = ctx.read_forecast(text)
    if read is None:
        code = _asked(state, ctx).code
        new = state.moved(phase=Phase.CONFIRM_FORECAST, code=code, pending_forecast=text)
        return new, [show(new, ctx)]
    earliest, latest = read
    return _store(
        state,
        ctx,
        replace(draft, forecast_text=text, forecast_earliest=earliest, forecast_latest=latest),
    )


def confirm_forecast(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    if not state.pending_forecast or not asks(state, ctx, event.code):
        return refuse(state, ctx, "checklist.moved_on")
    draft = _draft(state, ctx) or AnswerData()
    kept = replace(
        draft, forecast_text=state.pending_forecast, forecast_earliest=None, forecast_latest=None
    )
    return _store(state, ctx, kept)


def give_remark(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    assert isinstance(event, GiveRemark)
    if (refused := _needs_progress(state, ctx, event.code, Question.REMARK)) is not None:
        return refused
    text = event.text.strip()
    if not text:
        return refuse(state, ctx, "checklist.empty_text")
    if len(text) > REMARK_LIMIT:
        return _too_long(state, ctx, "checklist.remark_too_long", text, REMARK_LIMIT)
    draft = _draft(state, ctx) or AnswerData()
    return _store(state, ctx, replace(draft, remark=text))


def give_text(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    """A typed answer to one of the programme's own questions: kept as written, within its
    limit; the day it is ready for SKU/DAK is also read as days when it can be."""
    assert isinstance(event, GiveText)
    question = next((q for q in TYPED if q.value == event.field), None)
    if question is None:
        return refuse(state, ctx, "checklist.not_asked")
    if (refused := _needs_progress(state, ctx, event.code, question)) is not None:
        return refused
    text = event.text.strip()
    if not text:
        return refuse(state, ctx, "checklist.empty_text")
    limit = TEXT_LIMITS[question]
    if len(text) > limit:
        label = ctx.labels.get(question.value, "")
        return refuse(
            state,
            ctx,
            "checklist.text_too_long",
            limit=limit,
            length=len(text),
            text=text,
            question=question.value,
            label=label,
        )
    draft = _draft(state, ctx) or AnswerData()
    if question is Question.READY:  # a day as written, read when it can be
        if ctx.read_forecast is None:
            raise RuntimeError("a checklist context was built without a forecast reader")
        earliest, latest = ctx.read_forecast(text) or (None, None)
        draft = replace(draft, ready_earliest=earliest, ready_latest=latest)
    return _store(state, ctx, draft.typed(question, text))


def same_as_last(state: State, event: Event, ctx: ChecklistContext) -> Outcome:
    if not asks(state, ctx, event.code):
        return refuse(state, ctx, "checklist.moved_on")
    previous = ctx.previous.get(event.code)
    if previous is None:
        return refuse(state, ctx, "checklist.no_previous", code=event.code)
    answer = replace(previous, answered_by=ctx.actor_name, answered_at=ctx.now)
    stored = _changes(ctx, event.code, answer)
    if stored and (asking := _ask_baseline(state.moved(), ctx, answer)) is not None:
        return asking, [*stored, show(asking, ctx.with_answer(event.code, answer))]
    return _advance(state, ctx.with_answer(event.code, answer), stored)
