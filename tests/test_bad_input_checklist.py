"""Bad input at the checklist's entrances — buttons, modals, App Home — through the real app.

Each case: what the person is told (in their language), and that nothing was stored.
The cases Slack itself cannot produce (a value or a form tampered with, a limit lifted
from a modal) are made by editing what the stand-in shows before the person acts.
"""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.runtime import Fremdrift
from conversations.checklist import FORECAST_LIMIT, REMARK_LIMIT
from conversations.clock import ManualClock
from models.answer import Answer, AnswerRevision
from models.conversation import Conversation
from models.round import Round, RoundStatus
from render.i18n import catalogue
from standins.slack import SlackStub
from standins.slack.models import Message, View
from tests.factories import OPENED, Small, small_programme
from tests.faults_support import (
    asks,
    checklist_message,
    live,
    row_counts,
    seen_by,
    settle,
    told,
)
from tests.slack_app import join_workspace, running_app

LEAD = "U0ALICE001"  # pl-syd, Danish
DEPUTY = "U0BOB00001"  # stf-syd, English
SYD = "unit:syd"
NOW = OPENED + timedelta(days=1)


@pytest.fixture
async def small(db: str) -> Small:
    return await small_programme()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
async def app(small: Small, slack: SlackStub, clock: ManualClock) -> AsyncIterator[Fremdrift]:
    await join_workspace(slack)
    async with running_app(slack, "http", clock=clock) as running:
        yield running


async def started(app: Fremdrift, small: Small, slack: SlackStub, user: str = LEAD) -> Message:
    """The checklist at its first milestone, as the person sees it."""
    person = small.lead if user == LEAD else small.deputy
    message = await checklist_message(app, slack, person, small.round.id, SYD, user)
    delivery = await slack.click(user, message, "fd:start:")
    assert delivery.acked
    await settle(app)
    assert asks(live(slack, user))
    return live(slack, user)


async def answered(app: Fremdrift, small: Small, slack: SlackStub, user: str = LEAD) -> Message:
    """The first milestone answered (progress "started"), as the person sees it."""
    await started(app, small, slack, user)
    delivery = await slack.click(user, live(slack, user), "fd:progress:started")
    assert delivery.acked
    await settle(app)
    return live(slack, user)


async def open_modal(slack: SlackStub, user: str, field: str) -> View:
    delivery = await slack.click(user, live(slack, user), f"fdm:{field}")
    assert delivery.acked
    modal = await slack.wait_for(lambda: slack.top_modal(user))
    assert modal is not None
    return modal


def with_value(message: Message, action_id: str, value: str) -> Message:
    """The message with one button's value replaced (what a tampered client would send)."""
    changed = copy.deepcopy(message)
    for block in changed.blocks or []:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("action_id") == action_id:
                element["value"] = value
    return changed


def field_error(modal: View) -> str:
    assert modal.errors, "the modal shows no error"
    return str(modal.errors.get("fd_text"))


# -- modals ---------------------------------------------------------------------------------
async def test_an_empty_remark_is_refused_in_the_field(
    app: Fremdrift, small: Small, slack: SlackStub
) -> None:
    await answered(app, small, slack)
    before = await row_counts()
    modal = await open_modal(slack, LEAD, "remark")
    delivery = await slack.submit(LEAD, modal, {"fd_text": "   \n  "})
    assert delivery.acked
    assert field_error(modal) == catalogue("da").text("checklist.empty_text")
    assert slack.top_modal(LEAD) is modal, "the modal stays open with its text"
    assert await row_counts() == before


@pytest.mark.parametrize(
    ("field", "limit", "words"),
    [
        ("remark", REMARK_LIMIT, "Bemærkningen er 3001 tegn; der er plads til 3000."),
        ("forecast", FORECAST_LIMIT, "Prognosen er 201 tegn; der er plads til 200."),
    ],
    ids=["remark", "forecast"],
)
async def test_text_over_its_limit_is_refused_in_the_field(
    app: Fremdrift, small: Small, slack: SlackStub, field: str, limit: int, words: str
) -> None:
    await answered(app, small, slack)
    before = await row_counts()
    modal = await open_modal(slack, LEAD, field)
    for block in modal.blocks:  # a client that does not enforce the field's max_length
        if block.get("block_id") == "fd_text":
            assert block["element"]["max_length"] == limit
            block["element"]["max_length"] = 10 * limit
    delivery = await slack.submit(LEAD, modal, {"fd_text": "x" * (limit + 1)})
    assert delivery.acked
    assert words in field_error(modal)
    assert await row_counts() == before
    assert (await Answer.get()).remark == ""


async def test_a_forecast_that_cannot_be_read_is_kept_only_when_confirmed(
    app: Fremdrift, small: Small, slack: SlackStub
) -> None:
    await answered(app, small, slack)
    before = await row_counts()
    modal = await open_modal(slack, LEAD, "forecast")
    delivery = await slack.submit(LEAD, modal, {"fd_text": "når leverandøren er klar"})
    assert delivery.acked
    await settle(app)
    shown = str(live(slack, LEAD).blocks)
    assert "Jeg kan ikke læse «når leverandøren er klar» som en dato" in shown
    assert await row_counts() == before
    assert (await Answer.get()).forecast_text == ""


@pytest.mark.parametrize(
    ("metadata", "words"),
    [
        ("not json at all", "Den handling forstår jeg ikke"),
        ('{{"r": 1}}', "Den handling forstår jeg ikke"),  # fields missing
        ('{{"r": {round}, "s": "unit:nord", "c": "1.1", "v": 2, "f": "remark"}}', "ikke sat til"),
        ('{{"r": 999, "s": "unit:syd", "c": "1.1", "v": 2, "f": "remark"}}', "findes ikke"),
        ('{{"r": {round}, "s": "unit:syd", "c": "1.1", "v": 2, "f": "title"}}', "forstår jeg ikke"),
        ('{{"r": {round}, "s": "nowhere", "c": "1.1", "v": 2, "f": "remark"}}', "forstår jeg ikke"),
    ],
    ids=["not-json", "missing-fields", "another-unit", "no-such-round", "no-such-field", "scope"],
)
async def test_a_modal_with_tampered_metadata_is_refused_in_the_field(
    app: Fremdrift, small: Small, slack: SlackStub, metadata: str, words: str
) -> None:
    await answered(app, small, slack)
    before = await row_counts()
    modal = await open_modal(slack, LEAD, "remark")
    modal.definition["private_metadata"] = metadata.format(round=small.round.id)
    delivery = await slack.submit(LEAD, modal, {"fd_text": "Bemærkning"})
    assert delivery.acked
    assert words in field_error(modal)
    assert await row_counts() == before
    assert (await Answer.get()).remark == ""


async def test_a_modal_with_an_unknown_callback_id_is_answered(
    app: Fremdrift, small: Small, slack: SlackStub
) -> None:
    await answered(app, small, slack)
    before = await row_counts()
    modal = await open_modal(slack, LEAD, "remark")
    modal.definition["callback_id"] = "xx_from_an_old_version"
    delivery = await slack.submit(LEAD, modal, {"fd_text": "Bemærkning"})
    await settle(app)
    assert delivery.acked
    assert await row_counts() == before
    assert modal.errors or told(slack, LEAD, "Den handling forstår jeg ikke")


async def test_a_remark_sent_after_the_round_closed_is_not_stored(
    app: Fremdrift, small: Small, slack: SlackStub
) -> None:
    await answered(app, small, slack)
    modal = await open_modal(slack, LEAD, "remark")
    await Round.filter(id=small.round.id).update(status=RoundStatus.CLOSED, open_slot=None)
    before = await row_counts()
    delivery = await slack.submit(LEAD, modal, {"fd_text": "For sent"})
    await settle(app)
    assert delivery.acked
    assert told(slack, LEAD, "Runden «12. møde» er lukket")
    assert await row_counts() == before
    assert (await Answer.get()).remark == ""


async def test_a_modal_opened_from_a_stale_message_is_not_opened(
    app: Fremdrift, small: Small, slack: SlackStub
) -> None:
    stale = copy.deepcopy(await answered(app, small, slack))
    await slack.click(LEAD, live(slack, LEAD), "fd:next:")
    await settle(app)
    before = await row_counts()
    delivery = await slack.click(LEAD, stale, "fdm:remark")
    await settle(app)
    assert delivery.acked
    assert slack.top_modal(LEAD) is None
    assert told(slack, LEAD, "Det spørgsmål er du allerede videre fra")
    assert await row_counts() == before


# -- buttons --------------------------------------------------------------------------------
async def test_a_value_button_for_a_milestone_no_longer_asked_moves_nothing(
    app: Fremdrift, small: Small, slack: SlackStub
) -> None:
    first = copy.deepcopy(await answered(app, small, slack))
    await slack.click(LEAD, live(slack, LEAD), "fd:next:")
    await settle(app)
    before = await row_counts()
    revisions = await AnswerRevision.all().count()
    delivery = await slack.click(LEAD, first, "fd:progress:reached")
    await settle(app)
    assert delivery.acked
    assert told(slack, LEAD, "Det spørgsmål er du allerede videre fra")
    assert (await Answer.get()).progress == "started"
    assert await row_counts() == before and await AnswerRevision.all().count() == revisions


async def test_a_button_naming_an_imported_round_changes_nothing(
    app: Fremdrift, small: Small, slack: SlackStub
) -> None:
    message = await started(app, small, slack)
    imported = await Round.create(
        programme=small.programme,
        name="11. møde (importeret)",
        status=RoundStatus.CLOSED,
        opened_at=OPENED - timedelta(days=90),
        closed_at=OPENED - timedelta(days=80),
        imported=True,
    )
    before = await row_counts()
    value = f"progress|1|{imported.id}|unit:syd|1.1|reached"
    delivery = await slack.click(
        LEAD, with_value(message, "fd:progress:reached", value), "fd:progress:reached"
    )
    await settle(app)
    assert delivery.acked
    assert told(slack, LEAD, "Runden «11. møde (importeret)» er lukket")
    assert await row_counts() == before


async def test_a_closed_round_is_told_in_english_to_an_english_reader(
    app: Fremdrift, small: Small, slack: SlackStub
) -> None:
    await started(app, small, slack, DEPUTY)
    await Round.filter(id=small.round.id).update(status=RoundStatus.CLOSED, open_slot=None)
    before = await row_counts()
    delivery = await slack.click(DEPUTY, live(slack, DEPUTY), "fd:progress:reached")
    await settle(app)
    assert delivery.acked
    assert told(slack, DEPUTY, 'The round "12. møde" is closed')
    assert await row_counts() == before


async def test_a_tampered_button_is_refused_in_english_to_an_english_reader(
    app: Fremdrift, small: Small, slack: SlackStub
) -> None:
    message = await started(app, small, slack, DEPUTY)
    before = await row_counts()
    value = f"progress|1|{small.round.id}|unit:nord|1.1|reached"
    delivery = await slack.click(
        DEPUTY, with_value(message, "fd:progress:reached", value), "fd:progress:reached"
    )
    await settle(app)
    assert delivery.acked
    assert await row_counts() == before
    assert told(slack, DEPUTY, "You are not set up to answer this checklist"), seen_by(
        slack, DEPUTY
    )


async def test_a_click_on_yesterdays_checklist_after_publication_is_refused(
    app: Fremdrift, small: Small, slack: SlackStub, clock: ManualClock
) -> None:
    old = copy.deepcopy(await answered(app, small, slack))
    await Round.filter(id=small.round.id).update(
        status=RoundStatus.PUBLISHED, open_slot=None, closed_at=NOW, published_at=NOW
    )
    clock.advance(timedelta(days=1))
    before = await row_counts()
    delivery = await slack.click(LEAD, old, "fd:progress:reached")
    await settle(app)
    assert delivery.acked
    assert told(slack, LEAD, "Runden «12. møde» er lukket, så svarene kan ikke længere ændres.")
    assert "er lukket" in str(live(slack, LEAD).blocks)  # the checklist shows it is closed
    assert await row_counts() == before
    assert (await Answer.get()).progress == "started"


async def test_a_conversation_state_is_never_touched_by_a_refusal(
    app: Fremdrift, small: Small, slack: SlackStub
) -> None:
    message = await started(app, small, slack)
    conversation = await Conversation.get()
    for value in ("garbage", f"skip|{conversation.version}|{small.round.id}|unit:nord||"):
        await slack.click(LEAD, with_value(message, "fd:skip:", value), "fd:skip:")
    await settle(app)
    again = await Conversation.get()
    assert (again.version, again.state) == (conversation.version, conversation.state)
    assert json.dumps(again.state) == json.dumps(conversation.state)
