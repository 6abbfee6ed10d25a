"""The dialogue as transcripts: pure, no database, no platform."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from conversations.context import AnswerData, Item
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
from conversations.state import Phase, State, UnknownPhase
from conversations.views import (
    Choice,
    ClosedView,
    ConfirmForecastView,
    IntroView,
    MilestoneView,
    PausedView,
    ReadOnlyView,
    ReviewView,
    SubmittedView,
)
from conversations.vocabulary import Colour, Delay, Progress
from tests.dialog import Dialog, context

CODES = ["1.1", "2.1", "3.1"]


def started(codes: list[str] = CODES, **changes: object) -> Dialog:
    dialog = Dialog(context(codes, **changes))
    assert isinstance(dialog.send(Start(version=0)).view, MilestoneView)
    return dialog


def test_a_lead_walks_the_checklist_answers_reviews_and_submits() -> None:
    dialog = Dialog(context(CODES))
    assert isinstance(Dialog(context(CODES)).send(Start()).view, MilestoneView)
    first = dialog.send(Start(version=0)).view
    assert isinstance(first, MilestoneView)
    assert (first.code, first.position, first.total, first.baseline) == ("1.1", 1, 3, "Medio 2019")
    assert Choice.SKIP in first.choices and Choice.NEXT not in first.choices

    dialog.send(SetProgress(progress=Progress.REACHED, code="1.1", version=dialog.version))
    view = dialog.view
    assert isinstance(view, MilestoneView) and view.draft is not None
    assert view.draft.colour is Colour.GREEN
    assert view.notice is not None and view.notice.key == "checklist.saved"
    dialog.send(Next(code="1.1", version=dialog.version))
    assert isinstance(dialog.view, MilestoneView) and dialog.view.code == "2.1"

    dialog.send(SetProgress(progress=Progress.STARTED, code="2.1", version=dialog.version))
    assert isinstance(dialog.view, MilestoneView) and Choice.DELAY in dialog.view.choices
    dialog.send(SetDelay(delay=Delay.UP_TO_3, code="2.1", version=dialog.version))
    dialog.send(SetCritical(critical=True, code="2.1", version=dialog.version))
    dialog.send(GiveForecast(text="2. kvartal 2018", code="2.1", version=dialog.version))
    dialog.send(GiveRemark(text="Afhænger af sundhedsaftalen.", code="2.1"))
    answer = dialog.answer("2.1")
    assert (answer.progress, answer.delay, answer.critical) == (
        Progress.STARTED,
        Delay.UP_TO_3,
        True,
    )
    assert (answer.forecast_earliest, answer.forecast_latest) == (
        date(2018, 4, 1),
        date(2018, 6, 30),
    )
    assert answer.remark == "Afhænger af sundhedsaftalen."
    dialog.send(Next(code="2.1", version=dialog.version))

    dialog.send(SetProgress(progress=Progress.NONE, code="3.1", version=dialog.version))
    dialog.send(Next(code="3.1", version=dialog.version))
    review = dialog.view
    assert isinstance(review, ReviewView)
    assert review.missing == () and Choice.SUBMIT in review.choices
    assert [row.answer.colour for row in review.rows if row.answer] == [
        Colour.GREEN,
        Colour.YELLOW,
        Colour.NONE,
    ]
    dialog.send(Submit(version=dialog.version))
    assert isinstance(dialog.view, SubmittedView)
    assert dialog.submissions == 1
    assert "admin.submitted" not in dialog.tells
    assert len(dialog.stored) == 7  # every change once: 1 + 5 + 1


def test_a_double_click_is_applied_once() -> None:
    dialog = started()
    click = SetProgress(progress=Progress.REACHED, code="1.1", version=dialog.version)
    dialog.send(click)
    assert len(dialog.stored) == 1
    dialog.send(click)
    assert len(dialog.stored) == 1
    assert dialog.tells == []
    next_click = Next(code="1.1", version=dialog.version)
    dialog.send(next_click).send(next_click)
    assert isinstance(dialog.view, MilestoneView) and dialog.view.code == "2.1"


def test_a_stale_navigation_is_refused_with_the_current_view() -> None:
    dialog = started()
    old = dialog.version
    dialog.send(Skip(code="1.1", version=old))
    dialog.send(Back(code="1.1", version=old))
    assert dialog.tells == ["checklist.moved_on"]
    assert isinstance(dialog.view, MilestoneView) and dialog.view.code == "2.1"


def test_a_stale_value_lands_only_on_the_milestone_it_names() -> None:
    dialog = started()
    old = dialog.version
    dialog.send(SetProgress(progress=Progress.STARTED, code="1.1", version=old))
    # The message has not been redrawn yet: a second click on it carries the old version
    dialog.send(SetDelay(delay=Delay.UP_TO_6, code="1.1", version=old))
    assert dialog.answer("1.1").delay is Delay.UP_TO_6
    dialog.send(Next(code="1.1", version=dialog.version))
    dialog.send(SetCritical(critical=True, code="1.1", version=old))
    assert dialog.tells == ["checklist.moved_on"]
    assert dialog.answer("1.1").critical is False
    assert "2.1" not in dialog.ctx.answers


def test_repeating_a_value_stores_nothing() -> None:
    dialog = started()
    dialog.send(SetProgress(progress=Progress.EXPECTED, code="1.1", version=dialog.version))
    dialog.send(SetProgress(progress=Progress.EXPECTED, code="1.1", version=dialog.version))
    dialog.send(GiveRemark(text="x", code="1.1")).send(GiveRemark(text=" x ", code="1.1"))
    assert len(dialog.stored) == 2


def test_reached_needs_no_delay() -> None:
    dialog = started()
    dialog.send(SetProgress(progress=Progress.STARTED, code="1.1", version=dialog.version))
    dialog.send(SetDelay(delay=Delay.OVER_6, code="1.1", version=dialog.version))
    dialog.send(SetProgress(progress=Progress.REACHED, code="1.1", version=dialog.version))
    assert dialog.answer("1.1").delay is Delay.ON_TIME
    assert isinstance(dialog.view, MilestoneView) and Choice.DELAY not in dialog.view.choices
    dialog.send(SetDelay(delay=Delay.UP_TO_3, code="1.1", version=dialog.version))
    assert dialog.tells == ["checklist.delay_not_applicable"]


def test_values_need_a_progress_first_and_next_needs_an_answer() -> None:
    dialog = started()
    for event in (
        SetDelay(delay=Delay.UP_TO_3, code="1.1", version=dialog.version),
        SetCritical(critical=True, code="1.1", version=dialog.version),
        GiveForecast(text="Medio 2019", code="1.1"),
        GiveRemark(text="hej", code="1.1"),
        Next(code="1.1", version=dialog.version),
    ):
        dialog.send(event)
        assert dialog.tells == ["checklist.choose_progress_first"]
    assert dialog.stored == []


def test_an_unreadable_forecast_is_kept_verbatim_only_when_confirmed() -> None:
    dialog = started()
    dialog.send(SetProgress(progress=Progress.STARTED, code="1.1", version=dialog.version))
    dialog.send(GiveForecast(text="når udbuddet er afsluttet", code="1.1"))
    view = dialog.view
    assert isinstance(view, ConfirmForecastView) and view.text == "når udbuddet er afsluttet"
    assert dialog.answer("1.1").forecast_text == ""
    dialog.send(ConfirmForecast(code="1.1", version=dialog.version))
    answer = dialog.answer("1.1")
    assert answer.forecast_text == "når udbuddet er afsluttet"
    assert answer.forecast_earliest is None and answer.forecast_latest is None
    assert isinstance(dialog.view, MilestoneView)


def test_a_confirmation_without_a_pending_forecast_is_refused() -> None:
    dialog = started()
    dialog.send(SetProgress(progress=Progress.STARTED, code="1.1", version=dialog.version))
    dialog.send(ConfirmForecast(code="1.1", version=dialog.version))
    assert dialog.tells == ["checklist.moved_on"]
    assert dialog.answer("1.1").forecast_text == ""


@pytest.mark.parametrize(
    ("event", "key", "params"),
    [
        (
            GiveRemark(text="x" * 3001, code="1.1"),
            "checklist.remark_too_long",
            {"limit": 3000, "length": 3001},
        ),
        (
            GiveForecast(text="y" * 201, code="1.1"),
            "checklist.forecast_too_long",
            {"limit": 200, "length": 201},
        ),
        (GiveRemark(text="   ", code="1.1"), "checklist.empty_text", {}),
        (GiveForecast(text="\n\t", code="1.1"), "checklist.empty_text", {}),
    ],
)
def test_bad_text_is_refused_and_given_back(
    event: GiveRemark | GiveForecast, key: str, params: dict[str, object]
) -> None:
    dialog = started()
    dialog.send(SetProgress(progress=Progress.STARTED, code="1.1", version=dialog.version))
    stored_before = len(dialog.stored)
    dialog.send(event)
    tell = dialog.tell(key)
    for name, value in params.items():
        assert tell.params[name] == value
    if "limit" in params:
        assert tell.params["text"] == event.text
    assert len(dialog.stored) == stored_before


def test_a_remark_at_the_limit_is_stored() -> None:
    dialog = started()
    dialog.send(SetProgress(progress=Progress.STARTED, code="1.1", version=dialog.version))
    dialog.send(GiveRemark(text="z" * 3000, code="1.1"))
    assert len(dialog.answer("1.1").remark) == 3000


def test_same_as_last_round_copies_and_moves_on() -> None:
    previous = {
        "1.1": AnswerData(
            progress=Progress.STARTED,
            delay=Delay.UP_TO_3,
            critical=True,
            forecast_text="Q3 2019",
            remark="som sidst",
        )
    }
    dialog = started(previous=previous, previous_round="11. møde")
    view = dialog.view
    assert isinstance(view, MilestoneView) and view.previous is not None
    assert view.previous.colour is Colour.YELLOW and Choice.SAME_AS_LAST in view.choices
    dialog.send(SameAsLast(code="1.1", version=dialog.version))
    copied = dialog.answer("1.1")
    assert copied.values() == previous["1.1"].values()
    assert copied.answered_by == "Lead"
    assert isinstance(dialog.view, MilestoneView) and dialog.view.code == "2.1"
    dialog.send(SameAsLast(code="2.1", version=dialog.version))
    assert dialog.tells == ["checklist.no_previous"]


def test_pause_and_resume_exactly_where_one_left_off() -> None:
    dialog = started()
    dialog.send(Skip(code="1.1", version=dialog.version))
    dialog.send(Pause(version=dialog.version))
    assert isinstance(dialog.view, PausedView)
    stored_state = State.from_json(dialog.state.to_json())
    assert stored_state == dialog.state
    resumed = Dialog(dialog.ctx, state=stored_state)
    resumed.send(Start())
    assert isinstance(resumed.view, MilestoneView) and resumed.view.code == "2.1"


def test_review_lists_what_is_missing_and_submit_refuses_until_answered() -> None:
    dialog = started()
    dialog.send(SetProgress(progress=Progress.REACHED, code="1.1", version=dialog.version))
    dialog.send(Review(version=dialog.version))
    review = dialog.view
    assert isinstance(review, ReviewView) and review.missing == ("2.1", "3.1")
    assert Choice.SUBMIT not in review.choices
    dialog.send(Submit(version=dialog.version))
    missing = dialog.tell("checklist.missing").params
    assert missing == {"codes": ["2.1", "3.1"], "count": 2, "light": True}
    assert dialog.submissions == 0


def test_edit_from_the_review_returns_to_the_review() -> None:
    dialog = started(["1.1", "2.1"])
    for code in ("1.1", "2.1"):
        dialog.send(SetProgress(progress=Progress.REACHED, code=code, version=dialog.version))
        dialog.send(Next(code=code, version=dialog.version))
    dialog.send(Submit(version=dialog.version))
    assert isinstance(dialog.view, SubmittedView)
    dialog.send(Edit(code="1.1", version=dialog.version))
    assert isinstance(dialog.view, MilestoneView) and dialog.view.code == "1.1"
    dialog.send(SetProgress(progress=Progress.STARTED, code="1.1", version=dialog.version))
    dialog.send(Next(code="1.1", version=dialog.version))
    assert isinstance(dialog.view, ReviewView)
    dialog.send(Submit(version=dialog.version))
    assert isinstance(dialog.view, SubmittedView)
    assert dialog.submissions == 1
    assert dialog.answer("1.1").progress is Progress.STARTED


def test_a_jump_to_an_unknown_milestone_is_refused_one_read_only_shows_its_answer() -> None:
    fut = Item(code="6.1 A", title="Udbud", reporter="FUT", read_only=True, baseline="2017")
    given = AnswerData(Progress.REACHED, forecast_text="27-11-2017", remark="Bekendtgjort")
    dialog = started(read_only=(fut,), read_only_answers={"6.1 A": given})
    dialog.send(Jump(code="9.9"))
    assert dialog.tell("checklist.unknown_milestone").params == {"code": "9.9"}
    before = dialog.state
    dialog.send(Jump(code="6.1 A", version=dialog.version))
    shown = dialog.view
    assert dialog.tells == [] and dialog.state == before  # shown, not refused; nothing moves
    assert isinstance(shown, ReadOnlyView)
    assert (shown.code, shown.title, shown.reporter, shown.baseline) == (
        "6.1 A",
        "Udbud",
        "FUT",
        "2017",
    )
    assert shown.answer is not None
    assert (shown.answer.progress, shown.answer.forecast, shown.answer.remark) == (
        Progress.REACHED,
        "27-11-2017",
        "Bekendtgjort",
    )
    assert shown.choices == (Choice.START,) and shown.header.version == dialog.version
    dialog.send(Start(version=dialog.version))  # back: the checklist where it stood
    assert isinstance(dialog.view, MilestoneView) and dialog.view.code == "1.1"
    unanswered = started(read_only=(fut,)).send(Edit(code="6.1 A"))
    assert isinstance(unanswered.view, ReadOnlyView) and unanswered.view.answer is None
    dialog.send(Jump(code="3.1"))
    assert isinstance(dialog.view, MilestoneView) and dialog.view.code == "3.1"
    dialog.send(Back(code="3.1", version=dialog.version))
    assert isinstance(dialog.view, MilestoneView) and dialog.view.code == "2.1"


def test_back_at_the_first_milestone_says_so() -> None:
    dialog = started()
    dialog.send(Back(code="1.1", version=dialog.version))
    assert dialog.tells == ["checklist.at_first"]


def test_a_closed_round_takes_nothing() -> None:
    dialog = started()
    dialog.ctx = replace(dialog.ctx, accepting=False)
    dialog.send(SetProgress(progress=Progress.REACHED, code="1.1", version=dialog.version))
    assert dialog.tells == ["checklist.round_closed"]
    assert isinstance(dialog.view, ClosedView)
    assert dialog.stored == []


def test_late_answers_are_marked_late() -> None:
    dialog = started(late=True)
    dialog.send(SetProgress(progress=Progress.REACHED, code="1.1", version=dialog.version))
    assert dialog.stored[-1].late is True


def test_the_intro_shows_what_is_asked() -> None:
    previous = {"1.1": AnswerData(progress=Progress.REACHED)}
    dialog = Dialog(context(CODES, previous=previous, previous_round="11. møde"))
    dialog.send(Pause())  # nothing to pause yet: the intro stays
    view = dialog.view
    assert isinstance(view, IntroView)
    assert (view.total, view.answered, view.previous_round) == (3, 0, "11. møde")
    assert view.previous_colours["green"] == 1


def test_an_unknown_stored_phase_is_an_error_not_a_default() -> None:
    with pytest.raises(UnknownPhase):
        State.from_json({"phase": "wandering", "index": 0, "version": 3})
    assert State.from_json({"phase": "asking", "index": 2}).phase is Phase.ASKING


@pytest.mark.parametrize(
    "event",
    [
        Start(version=0),
        SetProgress(progress=Progress.STARTED, code="6.1 B", version=7),
        SetDelay(delay=Delay.OVER_6, code="11.4", version=1),
        SetCritical(critical=True, code="4.1", version=2),
        ConfirmForecast(code="4.1", version=3),
        Next(code="1.1", version=4),
        Edit(code="SYD-1"),
        Submit(version=9),
    ],
)
def test_a_button_value_reads_back_as_the_same_event(event: Event) -> None:
    from conversations.events import decode, encode

    wire = encode(12, "unit:syddanmark", event)
    envelope = decode(wire)
    assert (envelope.round_id, envelope.scope, envelope.event) == (12, "unit:syddanmark", event)


@pytest.mark.parametrize(
    "wire",
    [
        "",
        "progress|7|12|unit:syd|1.1",  # a part missing
        "progress|7|12|unit:syd|1.1|started|x",  # a part too many
        "progress|7|12|unit:syd|1.1|finished",  # not a progress
        "delay|7|12|unit:syd|1.1|9+",
        "critical|7|12|unit:syd|1.1|maybe",
        "teleport|7|12|unit:syd|1.1|",
        "remark|7|12|unit:syd|1.1|free text never travels in a button",
        "next|seven|12|unit:syd|1.1|",
        "next|7|twelve|unit:syd|1.1|",
        "next|7|12||1.1|",
        "next|7|12|unit:syd|1.1|extra",
        "next|7|12|unit:syd|1.1|" + "x" * 2001,
    ],
)
def test_a_tampered_button_value_is_refused(wire: str) -> None:
    from conversations.errors import UserError
    from conversations.events import decode

    with pytest.raises(UserError) as refused:
        decode(wire)
    assert refused.value.key == "checklist.bad_action"
