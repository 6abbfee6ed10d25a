"""On time by the lead's words, late by the plan's (issue 21): the checklist asks once.

An answer "on time" whose forecast is past the milestone's baseline deadline is stored as
given, and the lead is asked whether it is still on time: yes, a delay band, or another
forecast — never a refusal, and never twice about the same forecast. The rule is
`conversations.baseline.past_baseline`, the one the trend flags cells by too
(`reporting.trend.past_baseline`): the two cannot disagree.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from datetime import date, timedelta
from itertools import product
from pathlib import Path

import pytest

from conversations.baseline import IN_HAND, past_baseline
from conversations.clock import ManualClock
from conversations.context import AnswerData, Item
from conversations.events import (
    ConfirmBaseline,
    ConfirmForecast,
    GiveForecast,
    GiveRemark,
    Jump,
    Next,
    Pause,
    SameAsLast,
    SetDelay,
    SetProgress,
    Start,
)
from conversations.questions import Question
from conversations.state import Phase, State
from conversations.views import Choice, ConfirmBaselineView, MilestoneView
from conversations.vocabulary import Delay, Progress, colour_of
from models.answer import Answer
from models.conversation import Conversation
from reporting.deadlines import forecast_range
from reporting.matrix import Cell, Source
from reporting.snapshot import DeadlineInfo
from reporting.trend import past_baseline as trend_past_baseline
from service.runner import ChecklistRunner
from tests.dialog import Dialog, context
from tests.factories import OPENED, small_programme

ROOT = Path(__file__).parent.parent
CODES = ["1.1", "2.1"]  # each due «Medio 2019» (tests/dialog.py): May to August 2019
PAST = "4. kvartal 2019"
WITHIN = "2. kvartal 2019"


def on(code: str = "1.1", **changes: object) -> Dialog:
    """A lead on `code`, answered "started" (on time, the default band)."""
    dialog = Dialog(context(CODES, **changes))
    dialog.send(Start(version=0))
    if code != "1.1":
        dialog.send(SetProgress(progress=Progress.REACHED, code="1.1", version=dialog.version))
        dialog.send(Next(code="1.1", version=dialog.version))
    dialog.send(SetProgress(progress=Progress.STARTED, code=code, version=dialog.version))
    return dialog


def forecast(dialog: Dialog, text: str, code: str = "1.1") -> Dialog:
    return dialog.send(GiveForecast(text=text, code=code, version=dialog.version))


def test_on_time_with_a_forecast_past_the_deadline_is_stored_and_asked_about() -> None:
    dialog = forecast(on(), PAST)
    asked = dialog.view
    assert isinstance(asked, ConfirmBaselineView)
    assert (asked.code, asked.forecast, asked.baseline) == ("1.1", PAST, "Medio 2019")
    assert asked.choices == (Choice.CONFIRM_BASELINE, Choice.DELAY, Choice.FORECAST)
    assert dialog.tells == [], "asked, never refused"
    assert dialog.state.phase is Phase.CONFIRM_BASELINE
    assert dialog.answer("1.1").forecast_text == PAST  # stored as given
    assert dialog.answer("1.1").forecast_earliest == date(2019, 10, 1)

    dialog.send(ConfirmBaseline(code="1.1", version=dialog.version))
    kept = dialog.view
    assert isinstance(kept, MilestoneView) and kept.code == "1.1"
    assert kept.notice is not None and kept.notice.key == "view.baseline_kept"
    assert (dialog.answer("1.1").delay, dialog.answer("1.1").forecast_text) == (
        Delay.ON_TIME,
        PAST,
    )
    # asked once: the same forecast again, or the status changed and back, asks nothing
    for event in (
        GiveForecast(text=PAST, code="1.1"),
        SetProgress(progress=Progress.EXPECTED, code="1.1"),
        SetProgress(progress=Progress.STARTED, code="1.1"),
    ):
        dialog.send(replace(event, version=dialog.version))
        assert isinstance(dialog.view, MilestoneView), event
    assert dialog.state.asked_baseline == (("1.1", PAST),)


def test_a_delay_band_answers_the_question_and_another_forecast_is_asked_about() -> None:
    dialog = forecast(on(), PAST)
    dialog.send(SetDelay(delay=Delay.UP_TO_3, code="1.1", version=dialog.version))
    assert isinstance(dialog.view, MilestoneView) and dialog.tells == []
    assert dialog.answer("1.1").delay is Delay.UP_TO_3
    assert dialog.state.phase is Phase.ASKING
    dialog.send(SetDelay(delay=Delay.ON_TIME, code="1.1", version=dialog.version))
    assert isinstance(dialog.view, MilestoneView), "this forecast was asked about already"
    assert isinstance(forecast(dialog, "1. kvartal 2020").view, ConfirmBaselineView)
    assert isinstance(forecast(dialog, "Medio 2019").view, MilestoneView)  # within: never asked


@pytest.mark.parametrize(
    ("answer", "text", "why"),
    [
        (Progress.STARTED, WITHIN, "the forecast can be met"),
        (Progress.REACHED, PAST, "reached: nothing is late"),
        (Progress.NONE, PAST, "nothing stated"),
        (Progress.STARTED, "når leverandøren er klar", "a forecast that is not a date"),
    ],
)
def test_what_is_not_on_time_past_the_deadline_asks_nothing(
    answer: Progress, text: str, why: str
) -> None:
    dialog = Dialog(context(CODES))
    dialog.send(Start(version=0))
    dialog.send(SetProgress(progress=answer, code="1.1", version=dialog.version))
    forecast(dialog, text)
    if dialog.state.phase is Phase.CONFIRM_FORECAST:  # kept as written: read as no days
        dialog.send(ConfirmForecast(code="1.1", version=dialog.version))
    assert dialog.state.phase is Phase.ASKING, why
    assert not dialog.state.asked_baseline


def test_late_by_a_band_without_a_deadline_or_without_the_delay_question_asks_nothing() -> None:
    late = on()
    late.send(SetDelay(delay=Delay.UP_TO_6, code="1.1", version=late.version))
    assert isinstance(forecast(late, PAST).view, MilestoneView)
    undated = Dialog(
        context(CODES, items=(Item(code="1.1", title="Uden frist"), Item(code="2.1", title="B")))
    )
    undated.send(Start(version=0))
    undated.send(SetProgress(progress=Progress.STARTED, code="1.1", version=undated.version))
    assert isinstance(forecast(undated, PAST).view, MilestoneView)
    without_delay = (Question.PROGRESS, Question.FORECAST, Question.REMARK)
    no_band = on(questions=without_delay)
    assert isinstance(forecast(no_band, PAST).view, MilestoneView)


def test_a_remark_on_such_an_answer_stored_before_asks_nothing() -> None:
    """Someone else's answer (a deputy's, an import's) already says it: a remark added to
    it is not the lead saying "on time" now."""
    stored = AnswerData(
        Progress.STARTED,
        forecast_text=PAST,
        forecast_earliest=date(2019, 10, 1),
        forecast_latest=date(2019, 12, 31),
    )
    dialog = Dialog(context(CODES, answers={"1.1": stored}))
    dialog.send(Start(version=0))
    dialog.send(Jump(code="1.1", version=dialog.version))
    dialog.send(GiveRemark(text="Afventer leverandøren", code="1.1", version=dialog.version))
    assert isinstance(dialog.view, MilestoneView) and dialog.answer("1.1").remark


def test_same_as_last_round_copies_such_an_answer_and_asks() -> None:
    last = AnswerData(
        Progress.EXPECTED,
        forecast_text=PAST,
        forecast_earliest=date(2019, 10, 1),
        forecast_latest=date(2019, 12, 31),
        remark="Som aftalt",
    )
    dialog = Dialog(context(CODES, previous={"1.1": last}, previous_round="11. møde"))
    dialog.send(Start(version=0))
    dialog.send(SameAsLast(code="1.1", version=dialog.version))
    assert isinstance(dialog.view, ConfirmBaselineView), "asked before moving on"
    assert dialog.answer("1.1").remark == "Som aftalt"
    dialog.send(ConfirmBaseline(code="1.1", version=dialog.version))
    dialog.send(Next(code="1.1", version=dialog.version))
    assert isinstance(dialog.view, MilestoneView) and dialog.view.code == "2.1"


def test_next_while_asked_shows_the_question_and_a_pause_resumes_at_the_milestone() -> None:
    dialog = forecast(on(), PAST)
    dialog.send(Next(code="1.1", version=dialog.version))
    assert isinstance(dialog.view, ConfirmBaselineView) and dialog.tells == []
    dialog.send(Pause(version=dialog.version))
    dialog.send(Start(version=dialog.version))
    assert isinstance(dialog.view, MilestoneView) and dialog.view.code == "1.1"
    dialog.send(Next(code="1.1", version=dialog.version))
    assert isinstance(dialog.view, MilestoneView) and dialog.view.code == "2.1"


def test_a_stored_state_keeps_what_was_asked_about() -> None:
    state = State(phase=Phase.CONFIRM_BASELINE, code="1.1", asked_baseline=(("1.1", PAST),))
    assert State.from_json(state.to_json()) == state
    assert State.from_json({"phase": "asking", "code": "1.1"}).asked_baseline == ()


# -- the one rule ---------------------------------------------------------------------------------


def _cell(progress: Progress, delay: Delay, earliest: date | None) -> Cell:
    return Cell(
        milestone="1.1",
        unit="syd",
        progress=progress,
        delay=delay,
        critical=False,
        forecast="x",
        forecast_earliest=earliest,
        forecast_latest=earliest,
        remark="",
        colour=colour_of(progress, delay),
        text="",
        source=Source.UNIT,
        answered_by=None,
        answered_at=None,
        late=False,
    )


def test_the_trend_and_the_checklist_apply_the_same_rule() -> None:
    """Every status, band and forecast against a deadline: the trend flags a cell exactly when
    the checklist would ask about the same answer."""
    baseline = DeadlineInfo("*", "Medio 2019", date(2019, 5, 1), date(2019, 8, 31))
    days = (None, date(2019, 8, 31), date(2019, 9, 1), date(2020, 1, 1))
    for progress, delay, earliest in product(Progress, Delay, days):
        flagged = trend_past_baseline(_cell(progress, delay, earliest), baseline)
        assert flagged == past_baseline(progress, delay, earliest, baseline.latest)
        assert flagged == (
            progress in IN_HAND
            and delay is Delay.ON_TIME
            and earliest is not None
            and earliest > baseline.latest
        )
    assert not trend_past_baseline(None, baseline)
    assert not trend_past_baseline(_cell(Progress.STARTED, Delay.ON_TIME, days[-1]), None)
    late = (Progress.STARTED, Delay.ON_TIME, date(2019, 10, 1))
    asked = forecast(on(), PAST)
    assert isinstance(asked.view, ConfirmBaselineView)
    assert trend_past_baseline(_cell(*late), baseline)


def test_past_baseline_is_compared_in_one_place_only() -> None:
    """No module but conversations/baseline.py compares a forecast's earliest day with the
    latest day of something else (a baseline deadline)."""
    comparing = []
    for package in ("conversations", "reporting", "models", "render", "service", "bot"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Compare):
                    names = {
                        part.attr if isinstance(part, ast.Attribute) else getattr(part, "id", "")
                        for part in (node.left, *node.comparators)
                    }
                    if "forecast_earliest" in names and any(
                        "latest" in name and not name.startswith("forecast") for name in names
                    ):
                        comparing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert comparing == ["conversations/baseline.py:37"]


# -- through the runner, on SQLite and PostgreSQL ------------------------------------------------


async def test_the_runner_stores_the_answer_and_remembers_the_question(db: str) -> None:
    """Syd's 1.1 is due «2. kvartal 2018» (tests/factories.py)."""
    small = await small_programme()
    run = ChecklistRunner(ManualClock(OPENED + timedelta(days=1)), "test")
    reply = await run.handle(small.lead, small.round.id, "unit:syd", Start())
    for event in (
        SetProgress(progress=Progress.STARTED, code="1.1"),
        GiveForecast(text="3. kvartal 2018", code="1.1"),
    ):
        reply = await run.handle(
            small.lead, small.round.id, "unit:syd", replace(event, version=reply.version)
        )
    assert isinstance(reply.view, ConfirmBaselineView) and reply.tells == []
    assert reply.view.baseline == "2. kvartal 2018"
    answer = await Answer.get(milestone__code="1.1", scope="syd")
    assert (answer.progress, answer.delay, answer.forecast_text) == (
        "started",
        "0",
        "3. kvartal 2018",
    )
    row = await Conversation.get(person=small.lead)
    assert row.state["phase"] == "confirm_baseline"
    asked_baseline = row.state["asked_baseline"]
    assert isinstance(asked_baseline, list)
    assert [list(pair) for pair in asked_baseline] == [["1.1", "3. kvartal 2018"]]
    reply = await run.handle(
        small.lead, small.round.id, "unit:syd", ConfirmBaseline(code="1.1", version=reply.version)
    )
    assert isinstance(reply.view, MilestoneView) and reply.stored == 0
    again = await run.handle(
        small.lead,
        small.round.id,
        "unit:syd",
        SetProgress(progress=Progress.EXPECTED, code="1.1", version=reply.version),
    )
    assert isinstance(again.view, MilestoneView), "read back from the stored state: not twice"


def test_the_reader_reads_both_sides_alike() -> None:
    """The baseline deadline is read by the forecast's reader: the same words, the same days."""
    assert forecast_range("Medio 2019") == (date(2019, 5, 1), date(2019, 8, 31))
    assert not past_baseline(Progress.STARTED, Delay.ON_TIME, date(2019, 5, 1), date(2019, 8, 31))
