"""What a person is shown, as data.

A view is drawn from the dialogue's state and the checklist's context, and carries the
version of the state it was drawn from: every button on it sends that version back, so
an old view is recognised. Adapters turn views into Block Kit or Adaptive Cards through
templates; words and colours of a status come from `render/`, not from here.

The choices a view offers are taken from `OFFERS` (conversations/choices.py), what each
phase's view may show, and `conversations/checklist.py` will not load while its table of
transitions refuses one of them in that phase: a button is never drawn for an event the
dialogue would turn down.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from conversations.choices import KOL_TYPED as KOL_TYPED  # re-exported
from conversations.choices import LOOKED_UP, offer
from conversations.choices import OFFERS as OFFERS
from conversations.choices import TEXT_QUESTIONS as TEXT_QUESTIONS
from conversations.choices import Choice as Choice
from conversations.context import AnswerData, ChecklistContext, Item
from conversations.questions import TYPED, Question
from conversations.state import Phase, State
from conversations.vocabulary import Colour, Delay, Progress, colour_of, delay_allowed


@dataclass(frozen=True)
class Notice:
    """A line shown on the view itself, such as 'Saved' after an answer was stored."""

    key: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class AnswerView:
    progress: Progress
    delay: Delay
    critical: bool
    forecast: str
    remark: str
    colour: Colour
    answered_by: str
    answered_at: datetime | None
    texts: tuple[tuple[str, str], ...] = ()  # (question, typed answer) of every typed question

    @staticmethod
    def of(answer: AnswerData) -> AnswerView:
        return AnswerView(
            progress=answer.progress,
            delay=answer.delay,
            critical=answer.critical,
            forecast=answer.forecast_text,
            remark=answer.remark,
            colour=colour_of(answer.progress, answer.delay),
            answered_by=answer.answered_by,
            answered_at=answer.answered_at,
            texts=tuple((q.value, answer.text(q)) for q in TYPED),
        )

    def text(self, question: str) -> str:
        """The typed answer to `question` ('' when none was typed)."""
        if question == Question.FORECAST:
            return self.forecast
        if question == Question.REMARK:
            return self.remark
        return next((text for found, text in self.texts if found == question), "")


@dataclass(frozen=True)
class Header:
    """What every view of a checklist says about where the person is."""

    round_id: int
    round_name: str
    scope: str
    scope_title: str
    deadline: datetime | None
    timezone: str
    language: str
    version: int
    late: bool
    apart_unit: str | None = None  # a reporter's checklist set apart for this unit
    phase: Phase | None = None  # the dialogue's phase it was drawn in (its choices: OFFERS)
    light: bool = True  # the programme has a traffic light: colours and counts are shown
    nouns: Mapping[str, str] = field(default_factory=dict)  # the programme's own, if any
    one_unit: bool = False  # a one-unit programme: a reporter answers for no «all units»
    questions: tuple[str, ...] = ()  # what the programme asks, in order


@dataclass(frozen=True)
class IntroView:
    header: Header
    total: int
    answered: int
    previous_round: str | None
    previous_colours: dict[str, int]
    choices: tuple[Choice, ...]
    kind: str = "intro"


@dataclass(frozen=True)
class MilestoneView:
    header: Header
    position: int  # 1-based
    total: int
    code: str
    title: str
    group_title: str
    definition: str
    baseline: str
    previous: AnswerView | None
    draft: AnswerView | None
    choices: tuple[Choice, ...]
    notice: Notice | None
    kind: str = "milestone"
    questions: tuple[str, ...] = ()  # what the programme asks, in order
    labels: Mapping[str, str] = field(default_factory=dict)  # the programme's, by question
    texts: tuple[tuple[str, str], ...] = ()  # the item's standing texts: (label, text)

    @property
    def typed(self) -> tuple[str, ...]:
        """The questions asked that are answered by typing, in the programme's order."""
        return tuple(q for q in self.questions if q in TEXT_QUESTIONS)

    @property
    def typing(self) -> tuple[str, ...]:
        """Of those, the ones the view offers to type now (a control, a field for each)."""
        offered = {choice.value for choice in self.choices}
        return tuple(
            q for q in self.typed if q in offered or (Choice.TEXT in offered and q not in KOL_TYPED)
        )


@dataclass(frozen=True)
class ConfirmForecastView:
    header: Header
    code: str
    title: str
    text: str
    choices: tuple[Choice, ...]
    kind: str = "confirm_forecast"


@dataclass(frozen=True)
class ConfirmBaselineView:
    """An answer on time whose forecast is past the baseline deadline, stored as given:
    still on time (`Choice.CONFIRM_BASELINE`), late by a band, or another forecast?"""

    header: Header
    code: str
    title: str
    forecast: str
    baseline: str
    choices: tuple[Choice, ...]
    kind: str = "confirm_baseline"


@dataclass(frozen=True)
class ReadOnlyView:
    """A milestone a reporter answers for every unit, looked up from a unit's checklist
    (`e CODE`): its answer as it stands, which this checklist cannot change. Its one choice
    (`LOOKED_UP`) goes back to the checklist where the person is."""

    header: Header
    code: str
    title: str
    group_title: str
    definition: str
    baseline: str
    reporter: str
    answer: AnswerView | None
    choices: tuple[Choice, ...]
    kind: str = "read_only"
    questions: tuple[str, ...] = ()  # what the programme asks, in order
    labels: Mapping[str, str] = field(default_factory=dict)  # the programme's, by question

    @property
    def typed(self) -> tuple[str, ...]:
        """The questions asked that are answered by typing, in the programme's order."""
        return tuple(q for q in self.questions if q in TEXT_QUESTIONS)


@dataclass(frozen=True)
class ReviewRow:
    code: str
    title: str
    group_title: str
    answer: AnswerView | None
    read_only: bool
    reporter: str | None


@dataclass(frozen=True)
class ReviewView:
    header: Header
    rows: tuple[ReviewRow, ...]
    missing: tuple[str, ...]
    submitted_at: datetime | None
    choices: tuple[Choice, ...]
    notice: Notice | None
    kind: str = "review"
    # A reporter's checklist for every unit: (scope, unit name) of each unit its answers
    # can be set apart for; choosing one starts that checklist.
    apart: tuple[tuple[str, str], ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)  # the programme's, by question


@dataclass(frozen=True)
class SubmittedView:
    header: Header
    submitted_at: datetime | None
    colours: dict[str, int]
    total: int
    choices: tuple[Choice, ...]
    kind: str = "submitted"
    apart: tuple[tuple[str, str], ...] = ()  # as on the review


@dataclass(frozen=True)
class PausedView:
    header: Header
    position: int  # 1-based: where the person will resume
    answered: int
    total: int
    choices: tuple[Choice, ...]
    kind: str = "paused"


@dataclass(frozen=True)
class ClosedView:
    header: Header
    answered: int
    total: int
    kind: str = "closed"


View = (
    IntroView
    | MilestoneView
    | ConfirmForecastView
    | ConfirmBaselineView
    | ReadOnlyView
    | ReviewView
    | SubmittedView
    | PausedView
    | ClosedView
)


def header(state: State, ctx: ChecklistContext) -> Header:
    return Header(
        round_id=ctx.round_id,
        round_name=ctx.round_name,
        scope=ctx.scope,
        scope_title=ctx.scope_title,
        deadline=ctx.deadline,
        timezone=ctx.timezone,
        language=ctx.language,
        version=state.version,
        late=ctx.late,
        apart_unit=ctx.apart_unit,
        phase=state.phase,
        light=ctx.light,
        nouns=ctx.nouns,
        one_unit=ctx.units == 1,
        questions=tuple(q.value for q in ctx.questions),
    )


def position(state: State, ctx: ChecklistContext) -> int:
    """Where in the checklist the person is (`State.position`)."""
    return state.position(tuple(item.code for item in ctx.items), ctx.answers)


def colour_counts(answers: dict[str, AnswerData] | None) -> dict[str, int]:
    counts = {colour.value: 0 for colour in Colour}
    for answer in (answers or {}).values():
        counts[colour_of(answer.progress, answer.delay).value] += 1
    return counts


def answered_count(ctx: ChecklistContext) -> int:
    return sum(1 for item in ctx.items if item.code in ctx.answers)


def build(state: State, ctx: ChecklistContext, notice: Notice | None = None) -> View:
    """The view for a state: what the person sees now."""
    head = header(state, ctx)
    if not ctx.accepting:
        return ClosedView(head, answered=answered_count(ctx), total=len(ctx.items))
    if state.phase is Phase.INTRO:
        return IntroView(
            head,
            total=len(ctx.items),
            answered=answered_count(ctx),
            previous_round=ctx.previous_round,
            previous_colours=colour_counts(ctx.previous) if ctx.previous_round else {},
            choices=offer(Phase.INTRO),
        )
    if state.phase is Phase.ASKING and ctx.items:
        return milestone_view(state, ctx, head, notice)
    if state.phase is Phase.CONFIRM_FORECAST and ctx.items:
        item = ctx.items[position(state, ctx)]
        return ConfirmForecastView(
            head,
            code=item.code,
            title=item.title,
            text=state.pending_forecast or "",
            choices=offer(Phase.CONFIRM_FORECAST),
        )
    if state.phase is Phase.CONFIRM_BASELINE and ctx.items:
        item = ctx.items[position(state, ctx)]
        answer = ctx.answers.get(item.code)
        return ConfirmBaselineView(
            head,
            code=item.code,
            title=item.title,
            forecast=answer.forecast_text if answer else "",
            baseline=item.baseline,
            choices=offer(Phase.CONFIRM_BASELINE),
        )
    if state.phase is Phase.PAUSED:
        return PausedView(
            head,
            position=min(position(state, ctx) + 1, len(ctx.items)),
            answered=answered_count(ctx),
            total=len(ctx.items),
            choices=offer(Phase.PAUSED),
        )
    if state.phase is Phase.SUBMITTED:
        return SubmittedView(
            head,
            submitted_at=ctx.submitted_at,
            colours=colour_counts({k: v for k, v in ctx.answers.items()}),
            total=len(ctx.items),
            choices=offer(Phase.SUBMITTED),
            apart=ctx.apart_choices,
        )
    return review_view(state, ctx, head, notice)


def milestone_view(
    state: State, ctx: ChecklistContext, head: Header, notice: Notice | None
) -> MilestoneView:
    at = position(state, ctx)
    item = ctx.items[at]
    draft = ctx.answers.get(item.code)
    previous = ctx.previous.get(item.code)
    first = ctx.light and draft is None  # with a traffic light, an answer begins with progress
    choices = offer(
        Phase.ASKING,
        unless={
            Choice.PROGRESS: not ctx.asks(Question.PROGRESS),
            Choice.DELAY: (
                not ctx.asks(Question.DELAY) or draft is None or not delay_allowed(draft.progress)
            ),
            Choice.CRITICAL: not ctx.asks(Question.CRITICAL) or first,
            Choice.FORECAST: not ctx.asks(Question.FORECAST) or first,
            Choice.REMARK: not ctx.asks(Question.REMARK) or first,
            Choice.TEXT: not any(ctx.asks(q) for q in TYPED) or first,
            Choice.SAME_AS_LAST: previous is None,
            Choice.BACK: at == 0,
            Choice.NEXT: draft is None,
            Choice.SKIP: draft is not None,
        },
    )
    return MilestoneView(
        head,
        position=at + 1,
        total=len(ctx.items),
        code=item.code,
        title=item.title,
        group_title=item.group_title,
        definition=item.definition,
        baseline=item.baseline,
        previous=AnswerView.of(previous) if previous else None,
        draft=AnswerView.of(draft) if draft else None,
        choices=choices,
        notice=notice,
        questions=tuple(q.value for q in ctx.questions),
        labels=ctx.labels,
        texts=item.texts,
    )


def review_view(
    state: State, ctx: ChecklistContext, head: Header, notice: Notice | None
) -> ReviewView:
    rows = [_review_row(item, ctx.answers.get(item.code)) for item in ctx.items]
    rows += [_review_row(item, ctx.read_only_answers.get(item.code)) for item in ctx.read_only]
    missing = tuple(item.code for item in ctx.items if item.code not in ctx.answers)
    return ReviewView(
        head,
        rows=tuple(rows),
        missing=missing,
        submitted_at=ctx.submitted_at,
        choices=offer(Phase.REVIEW, unless={Choice.SUBMIT: bool(missing)}),
        notice=notice,
        apart=ctx.apart_choices,
        labels=ctx.labels,
    )


def _review_row(item: Item, answer: AnswerData | None) -> ReviewRow:
    return ReviewRow(
        code=item.code,
        title=item.title,
        group_title=item.group_title,
        answer=AnswerView.of(answer) if answer else None,
        read_only=item.read_only,
        reporter=item.reporter,
    )


def read_only_view(state: State, ctx: ChecklistContext, item: Item) -> ReadOnlyView:
    """A read-only milestone with its answer (the reporter's, for every unit), drawn over
    the checklist as it stands: the state, and so the version its choice carries, is
    unchanged."""
    answer = ctx.read_only_answers.get(item.code)
    return ReadOnlyView(
        header(state, ctx),
        code=item.code,
        title=item.title,
        group_title=item.group_title,
        definition=item.definition,
        baseline=item.baseline,
        reporter=item.reporter or "",
        answer=AnswerView.of(answer) if answer else None,
        choices=LOOKED_UP,
        questions=tuple(q.value for q in ctx.questions),
        labels=ctx.labels,
    )
