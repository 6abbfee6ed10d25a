"""One submitted card, several events: ordered by `conversations.card` against the view as it
stands, applied by the runner in one transaction (`handle_card`, `handle_many`), and the
answers stored counted on /metrics once committed — whichever platform sent them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypedDict

import pytest
from prometheus_client import REGISTRY

from conversations.card import CardSubmission, card_events
from conversations.checklist import NotifyAdmins
from conversations.clock import ManualClock
from conversations.events import (
    ConfirmBaseline,
    ConfirmForecast,
    GiveForecast,
    GiveRemark,
    Next,
    SetDelay,
    SetProgress,
    Skip,
    Start,
    Submit,
)
from conversations.views import (
    ConfirmBaselineView,
    ConfirmForecastView,
    MilestoneView,
    SubmittedView,
    View,
)
from conversations.vocabulary import Delay, Progress
from models.answer import Answer
from models.checklists import Scope
from models.conversation import Conversation
from models.round import Round, Submission
from service.runner import AdminNotifier, ChecklistRunner, Reply
from tests.factories import OPENED, Small, small_programme

SYD = "unit:syd"
UNREADABLE = "når leverandøren er klar"


def runner(notify_admins: AdminNotifier | None = None) -> ChecklistRunner:
    clock = ManualClock(OPENED + timedelta(days=1))
    return ChecklistRunner(clock, "test", notify_admins=notify_admins)


def stored_total() -> float:
    return REGISTRY.get_sample_value("fremdrift_answers_stored_total") or 0.0


async def on_1_1_started(small: Small, run: ChecklistRunner) -> Reply:
    """The lead's card for 1.1, answered "started": the card shows the text inputs."""
    reply = await run.handle(small.lead, small.round.id, SYD, Start())
    return await run.handle(
        small.lead,
        small.round.id,
        SYD,
        SetProgress(progress=Progress.STARTED, code="1.1", version=reply.version),
    )


class Typed(TypedDict):
    """The two texts a card carries, spread into `CardSubmission` as its keywords."""

    remark: str
    forecast: str


def milestone(view: View | None) -> MilestoneView:
    assert isinstance(view, MilestoneView)
    return view


async def test_a_value_button_goes_before_the_text_a_navigation_after_unchanged_text_never(
    db: str,
) -> None:
    small = await small_programme()
    live = await on_1_1_started(small, runner())
    view, version = milestone(live.view), live.version
    typed: Typed = {"remark": "Afventer leverandør", "forecast": "2. kvartal 2019"}
    remark = GiveRemark(text=typed["remark"], code="1.1", version=version)
    forecast = GiveForecast(text=typed["forecast"], code="1.1", version=version)
    nav = Next(code="1.1", version=version)
    delay = SetDelay(delay=Delay.UP_TO_3, code="1.1", version=version)

    assert card_events(CardSubmission("1.1", version, nav, **typed), view) == [
        remark,
        forecast,
        nav,
    ]
    assert card_events(CardSubmission("1.1", version, delay, **typed), view) == [
        delay,
        remark,
        forecast,
    ]
    assert card_events(CardSubmission("1.1", version, None, remark="  "), view) == []
    assert card_events(CardSubmission("1.2", version, nav, **typed), view) == [nav], (
        "text typed into another milestone's card is not put on this one"
    )


async def test_a_live_card_stores_its_text_then_moves_on_in_one_submission(db: str) -> None:
    small = await small_programme()
    run = runner()
    live = await on_1_1_started(small, run)
    before = stored_total()
    card = CardSubmission(
        "1.1",
        live.version,
        Next(code="1.1", version=live.version),
        forecast="Juni 2018",
        remark="Afventer leverandør",
    )
    reply = await run.handle_card(small.lead, small.round.id, SYD, card)
    answer = await Answer.get(milestone__code="1.1", scope="syd")
    assert (answer.remark, answer.forecast_text) == ("Afventer leverandør", "Juni 2018")
    assert milestone(reply.view).code == "1.2"
    assert (reply.tells, reply.stored) == ([], 2)
    assert reply.version == live.version + 3  # remark, forecast, next
    assert (await Conversation.get(person=small.lead)).version == reply.version
    assert stored_total() == before + 2


async def test_a_stale_card_stores_no_text_and_its_navigation_has_moved_on(db: str) -> None:
    small = await small_programme()
    run = runner()
    old = await on_1_1_started(small, run)
    moved = await run.handle(  # elsewhere: another card, or the deputy's
        small.lead, small.round.id, SYD, Skip(code="1.1", version=old.version)
    )
    card = CardSubmission(
        "1.1", old.version, Next(code="1.1", version=old.version), remark="For sent"
    )
    reply = await run.handle_card(small.lead, small.round.id, SYD, card)
    assert [tell.key for tell in reply.tells] == ["checklist.moved_on"]
    assert milestone(reply.view).code == "1.2"
    assert reply.version == moved.version
    assert (await Answer.get(milestone__code="1.1", scope="syd")).remark == ""


async def test_a_forecast_kept_as_written_is_not_asked_about_again_by_the_next_button(
    db: str,
) -> None:
    small = await small_programme()
    run = runner()
    live = await on_1_1_started(small, run)
    asked = await run.handle_card(
        small.lead, small.round.id, SYD, CardSubmission("1.1", live.version, forecast=UNREADABLE)
    )
    assert isinstance(asked.view, ConfirmForecastView)
    kept = await run.handle_card(
        small.lead,
        small.round.id,
        SYD,
        CardSubmission(
            "1.1",
            asked.version,
            ConfirmForecast(code="1.1", version=asked.version),
            forecast="typed, but not with its own button",
        ),
    )
    assert milestone(kept.view).draft is not None
    assert (await Answer.get(milestone__code="1.1", scope="syd")).forecast_text == UNREADABLE
    # The card's forecast input comes filled with the kept text; "next" leaves it be.
    card = CardSubmission(
        "1.1", kept.version, Next(code="1.1", version=kept.version), forecast=UNREADABLE
    )
    reply = await run.handle_card(small.lead, small.round.id, SYD, card)
    assert milestone(reply.view).code == "1.2"


async def test_the_write_again_button_reads_the_forecast_typed_on_the_confirm_card(
    db: str,
) -> None:
    small = await small_programme()
    run = runner()
    live = await on_1_1_started(small, run)
    asked = await run.handle_card(
        small.lead, small.round.id, SYD, CardSubmission("1.1", live.version, forecast=UNREADABLE)
    )
    again = await run.handle_card(
        small.lead,
        small.round.id,
        SYD,
        CardSubmission("1.1", asked.version, forecast="Maj 2018"),
    )
    assert milestone(again.view).code == "1.1"
    answer = await Answer.get(milestone__code="1.1", scope="syd")
    assert answer.forecast_text == "Maj 2018"


async def test_a_card_on_time_past_its_baseline_asks_once_before_its_next_button(
    db: str,
) -> None:
    """Syd's 1.1 is due «2. kvartal 2018»: «3. kvartal 2018» on time is stored, and the card's
    Next shows the question instead of moving on (no refusal); yes, then Next, moves on."""
    small = await small_programme()
    run = runner()
    live = await on_1_1_started(small, run)
    card = CardSubmission(
        "1.1", live.version, Next(code="1.1", version=live.version), forecast="3. kvartal 2018"
    )
    asked = await run.handle_card(small.lead, small.round.id, SYD, card)
    assert isinstance(asked.view, ConfirmBaselineView)
    assert (asked.view.code, asked.view.forecast, asked.view.baseline) == (
        "1.1",
        "3. kvartal 2018",
        "2. kvartal 2018",
    )
    assert (asked.tells, asked.stored) == ([], 1)
    answer = await Answer.get(milestone__code="1.1", scope="syd")
    assert (answer.forecast_text, answer.delay) == ("3. kvartal 2018", Delay.ON_TIME)
    yes = ConfirmBaseline(code="1.1", version=asked.version)
    kept = await run.handle_card(
        small.lead, small.round.id, SYD, CardSubmission("1.1", asked.version, yes)
    )
    kept_view = milestone(kept.view)
    assert kept_view.code == "1.1" and kept_view.notice is not None
    assert kept_view.notice.key == "view.baseline_kept"
    # The card comes back filled with the forecast: Next now moves on, and asks nothing more.
    on = await run.handle_card(
        small.lead,
        small.round.id,
        SYD,
        CardSubmission(
            "1.1", kept.version, Next(code="1.1", version=kept.version), forecast="3. kvartal 2018"
        ),
    )
    assert milestone(on.view).code == "1.2" and on.tells == []


async def test_nothing_to_apply_shows_the_checklist_as_it_stands(db: str) -> None:
    small = await small_programme()
    run = runner()
    live = await on_1_1_started(small, run)
    reply = await run.handle_many(small.lead, small.round.id, SYD, [])
    assert (milestone(reply.view).code, reply.version, reply.stored) == ("1.1", live.version, 0)


class NotToldError(Exception):
    """The admins' note could not be queued: the whole submission must be undone."""


async def refuse_to_queue(round_: Round, scope: Scope, note: NotifyAdmins, now: datetime) -> None:
    raise NotToldError(note.key)


async def on_the_last_milestone(small: Small, run: ChecklistRunner) -> Reply:
    reply = await on_1_1_started(small, run)
    for code in ("1.1", "1.2"):
        if code != "1.1":
            reply = await run.handle(
                small.lead,
                small.round.id,
                SYD,
                SetProgress(progress=Progress.REACHED, code=code, version=reply.version),
            )
        reply = await run.handle(
            small.lead, small.round.id, SYD, Next(code=code, version=reply.version)
        )
    assert milestone(reply.view).code == "SYD-1"
    return reply


async def test_one_submission_is_stored_whole_or_not_at_all(db: str) -> None:
    small = await small_programme()
    last = await on_the_last_milestone(small, runner())
    events = [
        SetProgress(progress=Progress.REACHED, code="SYD-1", version=last.version),
        Submit(version=last.version),
    ]
    before = stored_total()
    with pytest.raises(NotToldError):
        await runner(notify_admins=refuse_to_queue).handle_many(
            small.lead, small.round.id, SYD, events
        )
    assert not await Answer.exists(milestone__code="SYD-1")
    assert not await Submission.exists(round_id=small.round.id)
    assert (await Conversation.get(person=small.lead)).version == last.version
    assert stored_total() == before, "nothing committed, nothing counted"

    reply = await runner().handle_many(small.lead, small.round.id, SYD, events)
    assert isinstance(reply.view, SubmittedView)
    assert [note.key for note in reply.notify_admins] == ["admin.submitted"]
    assert await Answer.exists(milestone__code="SYD-1")
    assert await Submission.exists(round_id=small.round.id, scope=SYD)
    assert stored_total() == before + 1
