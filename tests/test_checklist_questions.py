"""A programme's own questions (issue 18, item 2): the checklist asks exactly those, in that
order, with the same back/skip/review/submit, limits and refusals; without progress there is
no traffic light. Pure: transcripts of the dialogue, and its views drawn for each platform."""

from __future__ import annotations

from datetime import date

from conversations.context import AnswerData
from conversations.events import (
    Back,
    GiveForecast,
    GiveRemark,
    GiveText,
    Next,
    Review,
    SetCritical,
    SetDelay,
    SetProgress,
    Skip,
    Start,
    Submit,
)
from conversations.questions import DEFAULT_QUESTIONS, TEXT_LIMITS, Question, has_light
from conversations.views import Choice, MilestoneView, ReviewView, SubmittedView
from conversations.vocabulary import Delay, Progress
from render.slack.views import render_view as slack_view
from render.teams.views import render_view as teams_view
from render.terminal.views import render_view as terminal_view
from standins.teams import walk
from tests.dialog import Dialog, context

OEA = (Question.STATUS, Question.ECONOMY)
OWN_NOUNS = {"item": "Emne", "plural": "Emner", "the_item": "emnet", "an_item": "et emne"}
LABELS = {"status": "Status og/eller bemærkninger", "economy": "Økonomi – nyt siden sidst"}


def oea(codes: list[str], **changes: object) -> Dialog:
    ctx = context(codes, questions=OEA, labels=LABELS, nouns=OWN_NOUNS, **changes)
    return Dialog(ctx).send(Start(version=0))


def text(dialog: Dialog, field: str, typed: str, code: str) -> Dialog:
    return dialog.send(GiveText(field=field, text=typed, code=code, version=dialog.version))


def test_kol_asks_what_it_always_asked_and_has_a_light() -> None:
    assert DEFAULT_QUESTIONS == (
        Question.PROGRESS,
        Question.DELAY,
        Question.CRITICAL,
        Question.FORECAST,
        Question.REMARK,
    )
    assert has_light(DEFAULT_QUESTIONS) and not has_light(OEA)


def test_a_topic_is_answered_by_typing_alone_and_asked_in_the_programmes_order() -> None:
    dialog = oea(["ØA20.1", "ØA20.7"])
    first = dialog.view
    assert isinstance(first, MilestoneView)
    assert first.questions == ("status", "economy") and first.typing == ("status", "economy")
    assert Choice.PROGRESS not in first.choices and Choice.CRITICAL not in first.choices
    assert Choice.TEXT in first.choices and Choice.SKIP in first.choices
    text(dialog, "status", "  Analysen er igangsat.  ", "ØA20.1")
    assert dialog.tells == []
    assert dialog.answer("ØA20.1") == AnswerData(
        status="Analysen er igangsat.", answered_by="Lead", answered_at=dialog.ctx.now
    )
    text(dialog, "economy", "Mere end 100 mio. kr.", "ØA20.1")
    assert dialog.answer("ØA20.1").economy == "Mere end 100 mio. kr."
    assert len(dialog.stored) == 2, "each change is one answer stored"
    dialog.send(Next(code="ØA20.1", version=dialog.version))
    assert isinstance(dialog.view, MilestoneView) and dialog.view.code == "ØA20.7"


def test_without_an_answer_next_asks_for_one_and_skip_moves_on() -> None:
    dialog = oea(["ØA20.1", "ØA20.7"])
    dialog.send(Next(code="ØA20.1", version=dialog.version))
    assert dialog.tells == ["checklist.answer_first"]
    dialog.send(Skip(code="ØA20.1", version=dialog.version))
    assert isinstance(dialog.view, MilestoneView) and dialog.view.code == "ØA20.7"
    dialog.send(Back(code="ØA20.7", version=dialog.version))
    assert isinstance(dialog.view, MilestoneView) and dialog.view.code == "ØA20.1"


def test_what_the_programme_does_not_ask_is_refused() -> None:
    dialog = oea(["ØA20.1"])
    version = dialog.version
    for event in (
        SetProgress(progress=Progress.STARTED, code="ØA20.1", version=version),
        SetDelay(delay=Delay.UP_TO_3, code="ØA20.1", version=version),
        SetCritical(critical=True, code="ØA20.1", version=version),
        GiveForecast(text="2. kvartal 2020", code="ØA20.1", version=version),
        GiveRemark(text="En bemærkning", code="ØA20.1", version=version),
        GiveText(field="sub_milestones", text="Delmål", code="ØA20.1", version=version),
        GiveText(field="colour", text="grøn", code="ØA20.1", version=version),
    ):
        dialog.send(event)
        assert dialog.tells == ["checklist.not_asked"], event
    assert dialog.stored == [] and dialog.version == version


def test_limits_and_empty_text_are_refused_as_today() -> None:
    dialog = oea(["ØA20.1"])
    limit = TEXT_LIMITS[Question.STATUS]
    text(dialog, "status", "x" * (limit + 1), "ØA20.1")
    refused = dialog.tell("checklist.text_too_long")
    assert refused.params["limit"] == limit and refused.params["length"] == limit + 1
    assert refused.params["label"] == LABELS["status"], "the field is named in its own words"
    text(dialog, "status", "   ", "ØA20.1")
    assert dialog.tells == ["checklist.empty_text"]
    assert dialog.stored == []


def test_review_and_submit_need_an_answer_to_every_topic() -> None:
    dialog = oea(["ØA20.1", "ØA20.7"])
    text(dialog, "status", "Igangsat", "ØA20.1")
    dialog.send(Review(version=dialog.version))
    review = dialog.view
    assert isinstance(review, ReviewView) and review.missing == ("ØA20.7",)
    dialog.send(Submit(version=dialog.version))
    assert dialog.tell("checklist.missing").params["light"] is False
    dialog.send(Next(code="ØA20.7", version=dialog.version))  # not asking: refused
    dialog.send(Back(version=dialog.version))
    text(dialog, "status", "Afventer ØA21", "ØA20.7")
    dialog.send(Submit(version=dialog.version))
    assert dialog.submissions == 1 and isinstance(dialog.view, SubmittedView)


def test_a_traffic_light_programme_with_sub_milestones_and_a_ready_date() -> None:
    """Seed 001's two columns asked with KOL's questions: text waits for a status, and the
    day it is ready for SKU/DAK is kept as written and read when it can be."""
    questions = (*DEFAULT_QUESTIONS, Question.SUB_MILESTONES, Question.READY)
    dialog = Dialog(context(["3.1"], questions=questions)).send(Start(version=0))
    before = dialog.view
    assert isinstance(before, MilestoneView) and before.typing == ()
    text(dialog, "ready", "2. kvartal 2019", "3.1")
    assert dialog.tells == ["checklist.choose_progress_first"]
    dialog.send(SetProgress(progress=Progress.STARTED, code="3.1", version=dialog.version))
    started = dialog.view
    assert isinstance(started, MilestoneView)
    assert started.typing == ("forecast", "remark", "sub_milestones", "ready")
    text(dialog, "ready", "2. kvartal 2019", "3.1")
    text(dialog, "sub_milestones", "Kravspecifikation godkendt", "3.1")
    answer = dialog.answer("3.1")
    assert (answer.ready_text, answer.ready_earliest, answer.ready_latest) == (
        "2. kvartal 2019",
        date(2019, 4, 1),
        date(2019, 6, 30),
    )
    assert answer.sub_milestones == "Kravspecifikation godkendt"
    text(dialog, "ready", "når styregruppen har mødtes", "3.1")
    answer = dialog.answer("3.1")
    assert answer.ready_text == "når styregruppen har mødtes" and answer.ready_earliest is None


def test_slack_draws_the_programmes_own_words_and_no_light() -> None:
    dialog = oea(["ØA20.1"])
    text(dialog, "status", "Analysen er igangsat", "ØA20.1")
    message = slack_view(dialog.view)
    blocks = str(message.blocks)
    assert "Emne ØA20.1 (1 af 1)" in blocks and "Milepæl" not in blocks
    assert "*Status og/eller bemærkninger:* Analysen er igangsat" in blocks
    assert not any(dot in blocks for dot in "🟢🟡🔴⚪"), "no traffic light"
    actions = [
        e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]
    ]
    assert "fdm:status" in actions and "fdm:economy" in actions
    assert not any(a.startswith("fd:progress") for a in actions)


def test_teams_gives_each_question_its_field_and_no_light() -> None:
    dialog = oea(["ØA20.1"])
    card = teams_view(dialog.view).card
    assert card is not None
    inputs = {i["id"]: i["label"] for i in walk(card, "Input.Text")}
    assert inputs == {"fd_status": LABELS["status"], "fd_economy": LABELS["economy"]}
    assert "Emne ØA20.1" in str(card) and "🟢" not in str(card)


def test_the_terminal_names_a_key_for_each_question() -> None:
    dialog = oea(["ØA20.1"])
    screen = terminal_view(dialog.view).plain
    assert "t Status og/eller bemærkninger…" in screen and "o Økonomi – nyt siden sidst…" in screen
    assert "1 Nået" not in screen and "Emne ØA20.1" in screen
