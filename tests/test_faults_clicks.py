"""Faults a person (or Slack) makes at the checklist: a triple click, a button on
yesterday's message, an event Slack delivers four times. Through the real app, on both
transports; the database is checked afterwards — no answer lost, none doubled.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Literal

import pytest

from bot.runtime import Fremdrift
from conversations.clock import ManualClock
from models.answer import Answer, AnswerRevision
from models.conversation import Conversation, ProcessedEvent
from models.round import Submission
from standins.slack import Message, SlackStub
from standins.slack.clock import ManualClock as SlackClock
from tests.factories import OPENED, Small, small_programme
from tests.faults_support import asks, checklist_message, live, row_counts, settle, told
from tests.slack_app import join_workspace, running_app

LEAD = "U0ALICE001"
SYD = "unit:syd"
NOW = OPENED + timedelta(days=1)
Transport = Literal["http", "socket"]


@pytest.fixture
async def small(db: str) -> Small:
    return await small_programme()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture(params=["http", "socket"])
async def app(
    request: pytest.FixtureRequest, small: Small, slack: SlackStub, clock: ManualClock
) -> AsyncIterator[Fremdrift]:
    await join_workspace(slack)
    async with running_app(slack, request.param, clock=clock) as running:
        yield running


def transport_of(app: Fremdrift) -> Transport:
    return "socket" if app.socket is not None else "http"


async def click(app: Fremdrift, slack: SlackStub, message: Message, action_id: str) -> bool:
    delivery = await slack.click(LEAD, message, action_id, transport=transport_of(app))
    return delivery.acked


async def at_first_milestone(app: Fremdrift, small: Small, slack: SlackStub) -> None:
    message = await checklist_message(app, slack, small.lead, small.round.id, SYD, LEAD)
    assert await click(app, slack, message, "fd:start:")
    await settle(app)
    assert asks(live(slack, LEAD))


async def test_a_triple_click_stores_once_and_moves_once(
    app: Fremdrift, small: Small, slack: SlackStub
) -> None:
    await at_first_milestone(app, small, slack)
    message = copy.deepcopy(live(slack, LEAD))
    acked = await asyncio.gather(
        *(click(app, slack, message, "fd:progress:reached") for _ in range(3))
    )
    await settle(app)
    assert acked == [True, True, True]
    assert await Answer.all().count() == 1
    assert await AnswerRevision.all().count() == 1

    answered = copy.deepcopy(live(slack, LEAD))
    acked = await asyncio.gather(*(click(app, slack, answered, "fd:next:") for _ in range(3)))
    await settle(app)
    assert acked == [True, True, True]
    conversation = await Conversation.get()
    assert conversation.state["code"] == "1.2"  # moved on once, not three times
    assert "1.2" in str(live(slack, LEAD).blocks)
    assert await AnswerRevision.all().count() == 1


async def test_a_triple_click_on_submit_hands_in_once(
    app: Fremdrift, small: Small, slack: SlackStub
) -> None:
    await at_first_milestone(app, small, slack)
    while asks(live(slack, LEAD)):
        assert await click(app, slack, live(slack, LEAD), "fd:progress:none")
        await settle(app)
        assert await click(app, slack, live(slack, LEAD), "fd:next:")
        await settle(app)
    review = copy.deepcopy(live(slack, LEAD))
    answers = await Answer.all().count()
    acked = await asyncio.gather(*(click(app, slack, review, "fd:submit:") for _ in range(3)))
    await settle(app)
    assert acked == [True, True, True]
    assert await Submission.all().count() == 1
    assert await Answer.all().count() == answers == await AnswerRevision.all().count()
    assert "indsendt" in str(live(slack, LEAD).blocks)


async def test_a_button_on_yesterdays_message_moves_nothing_and_shows_today(
    app: Fremdrift, small: Small, slack: SlackStub, clock: ManualClock
) -> None:
    await at_first_milestone(app, small, slack)
    assert await click(app, slack, live(slack, LEAD), "fd:progress:started")
    await settle(app)
    yesterday = copy.deepcopy(live(slack, LEAD))
    assert await click(app, slack, live(slack, LEAD), "fd:next:")
    await settle(app)
    assert await click(app, slack, live(slack, LEAD), "fd:progress:reached")  # 1.2
    await settle(app)

    clock.advance(timedelta(days=1))
    before = await row_counts()
    state = (await Conversation.get()).state
    for action_id in ("fd:next:", "fd:progress:expected", "fd:later:"):
        assert await click(app, slack, yesterday, action_id)
        await settle(app)
    assert told(slack, LEAD, "Det spørgsmål er du allerede videre fra. Her er det aktuelle.")
    assert await row_counts() == before
    assert (await Conversation.get()).state == state
    answers = {a.milestone_id: a.progress for a in await Answer.all()}
    assert sorted(answers.values()) == ["reached", "started"]
    shown = str(live(slack, LEAD).blocks)
    assert "Milepæl 1.2" in shown and "Milepæl nået" in shown  # today's view, redrawn


@pytest.mark.parametrize("kind", ["home", "dm"])
async def test_an_event_slack_retries_three_times_is_handled_once(
    app: Fremdrift, small: Small, slack: SlackStub, kind: str
) -> None:
    transport = transport_of(app)
    before = await row_counts()
    if kind == "home":
        first = await slack.open_home(LEAD, transport=transport)
        await slack.wait_for_call("views.publish")
    else:
        first = await slack.say(LEAD, "me", transport=transport)
        await slack.wait_for(lambda: [m for m in slack.dm(LEAD) if m.user != LEAD])
    assert first.acked
    retried = first
    for reason in ("http_timeout", "http_error", "http_timeout"):
        retried = await slack.retry_event(retried, reason)
        assert retried.acked, retried
    assert retried.retry_num == 3 and not retried.slack_would_retry
    await settle(app)
    if kind == "home":
        assert len(slack.calls_to("views.publish")) == 1
    else:
        replies = [m for m in slack.dm(LEAD) if m.user != LEAD]
        assert len(replies) == 1 and "Det, du skal besvare" in str(replies[0].blocks)
    assert await ProcessedEvent.all().count() == 1
    assert await row_counts() == before


async def test_yesterdays_message_on_slacks_clock_too(
    small: Small, slack: SlackStub, slack_clock: SlackClock, clock: ManualClock
) -> None:
    """Slack's own clock moves a day as well: yesterday's response_url has expired, so the
    current view is drawn with chat.update; nothing is stored from the stale click."""
    await join_workspace(slack)
    async with running_app(slack, "http", clock=clock) as app:
        message = await checklist_message(app, slack, small.lead, small.round.id, SYD, LEAD)
        await slack.click(LEAD, message, "fd:start:")
        await settle(app)
        yesterday = copy.deepcopy(live(slack, LEAD))
        await slack.click(LEAD, live(slack, LEAD), "fd:skip:")
        await settle(app)
        clock.advance(timedelta(days=1))
        slack_clock.advance(24 * 3600)
        before = await row_counts()
        delivery = await slack.click(LEAD, yesterday, "fd:progress:reached")
        await settle(app)
        assert delivery.acked
        assert await row_counts() == before
        assert told(slack, LEAD, "Det spørgsmål er du allerede videre fra")
        assert "Milepæl 1.2" in str(live(slack, LEAD).blocks)
