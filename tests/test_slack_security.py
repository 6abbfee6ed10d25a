"""The Slack edge under bad input and bad weather: refused, deduplicated, nothing lost."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.runtime import Fremdrift
from bot.slack.messenger import SlackMessenger
from conversations.clock import ManualClock
from conversations.events import Start, encode
from models.answer import Answer, AnswerRevision
from models.conversation import Conversation, ProcessedEvent
from models.round import Round, RoundStatus
from standins.slack import Drop, HttpStatus, SlackStub, Tamper
from standins.slack.models import Message
from tests.factories import OPENED, Small, small_programme
from tests.slack_app import join_workspace, running_app

LEAD = "U0ALICE001"  # pl-syd in tests/factories.py
SYD = "unit:syd"
NOW = OPENED + timedelta(days=1)


@pytest.fixture
async def small(db: str) -> Small:
    return await small_programme()


@pytest.fixture
async def app(small: Small, slack: SlackStub) -> AsyncIterator[Fremdrift]:
    await join_workspace(slack)
    async with running_app(slack, "http", clock=ManualClock(NOW)) as running:
        yield running


async def invited(app: Fremdrift, small: Small, slack: SlackStub) -> Message:
    """The lead's checklist message, as the invitation job would post it."""
    assert app.deps is not None
    current = await app.deps.runner.current(small.lead, small.round.id, SYD)
    assert current.view is not None
    await SlackMessenger(app.jobs_client).send_checklist(small.lead.id, current.view, key="t")
    return slack.dm(LEAD)[-1]


def live(slack: SlackStub, user: str = LEAD) -> Message:
    return [m for m in slack.dm(user) if m.blocks][-1]


async def settle(app: Fremdrift) -> None:
    assert app.deps is not None
    await app.deps.deliveries.drain()


@pytest.mark.parametrize("tamper", list(Tamper))
async def test_a_request_not_from_slack_is_refused_and_stores_nothing(
    app: Fremdrift, small: Small, slack: SlackStub, tamper: Tamper
) -> None:
    message = await invited(app, small, slack)
    delivery = await slack.click(LEAD, message, "fd:start:", tamper=tamper)
    await settle(app)
    assert delivery.status is not None
    assert not 200 <= delivery.status < 300, (tamper, delivery.status)
    assert await Conversation.all().count() == 0
    assert await Answer.all().count() == 0


async def test_a_replayed_click_is_applied_once(
    app: Fremdrift, small: Small, slack: SlackStub
) -> None:
    await invited(app, small, slack)
    await slack.click(LEAD, live(slack), "fd:start:")
    await settle(app)
    first = await slack.click(LEAD, live(slack), "fd:progress:reached")
    await settle(app)
    again = await slack.replay(first)
    await settle(app)
    assert again.status == 200
    assert await AnswerRevision.all().count() == 1


async def test_a_double_click_on_next_moves_once(
    app: Fremdrift, small: Small, slack: SlackStub
) -> None:
    await invited(app, small, slack)
    await slack.click(LEAD, live(slack), "fd:start:")
    await settle(app)
    await slack.click(LEAD, live(slack), "fd:progress:reached")
    await settle(app)
    message = copy.deepcopy(live(slack))  # as it stands before any of the clicks redraws it
    for _ in range(3):
        await slack.click(LEAD, message, "fd:next:")
    await settle(app)
    conversation = await Conversation.get()
    assert conversation.state["code"] == "1.2"


async def test_a_retried_event_is_handled_once(
    app: Fremdrift, small: Small, slack: SlackStub
) -> None:
    delivery = await slack.open_home(LEAD)
    assert delivery.status == 200
    await slack.wait_for_call("views.publish")
    retried = await slack.retry_event(delivery, "http_timeout")
    assert retried.status == 200
    assert len(slack.calls_to("views.publish")) == 1
    assert await ProcessedEvent.all().count() == 1


@pytest.mark.parametrize(
    ("value", "key_words"),
    [
        ("progress|1|999|unit:syd|1.1|reached", "Runden findes ikke"),  # another round
        ("progress|1|{round}|unit:nord|1.1|reached", "ikke sat til at besvare"),  # another unit
        ("progress|1|{round}|reporter:fut|6.1 A|reached", "ikke sat til at besvare"),
        ("progress|1|{round}|unit:syd|9.9|reached", "videre fra"),  # no such milestone
        ("progress|1|{round}|unit:syd|1.1|finished", "forstår jeg ikke"),  # not a progress
        ("garbage", "forstår jeg ikke"),
    ],
)
async def test_a_tampered_button_value_is_refused_with_a_message(
    app: Fremdrift, small: Small, slack: SlackStub, value: str, key_words: str
) -> None:
    message = await invited(app, small, slack)
    await slack.click(LEAD, message, "fd:start:")
    await settle(app)
    live_message = live(slack)
    for block in live_message.blocks or []:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("action_id") == "fd:progress:reached":
                element["value"] = value.format(round=small.round.id)
    delivery = await slack.click(LEAD, live_message, "fd:progress:reached")
    await settle(app)
    assert delivery.status == 200
    notes = [e.text for e in slack.ephemerals(LEAD)] + [p.text for p in slack.response_url_posts]
    assert any(key_words in (note or "") for note in notes), notes
    assert await Answer.all().count() == 0


async def test_an_unknown_action_is_acknowledged_with_a_message(
    app: Fremdrift, small: Small, slack: SlackStub
) -> None:
    message = await invited(app, small, slack)
    blocks = message.blocks or []
    blocks[-1]["elements"][0]["action_id"] = "xx:from-an-old-version"
    delivery = await slack.click(LEAD, message, "xx:from-an-old-version")
    await settle(app)
    assert delivery.status == 200
    assert any("forstår jeg ikke" in (e.text or "") for e in slack.ephemerals(LEAD))


async def test_a_stranger_clicking_is_told_who_to_ask(
    app: Fremdrift, small: Small, slack: SlackStub
) -> None:
    stranger = slack.workspace.add_user("stranger", user_id="U0NOBODY01")
    message = await invited(app, small, slack)
    delivery = await slack.click(stranger.id, message, "fd:start:")
    await settle(app)
    assert delivery.status == 200
    assert any("kender dig ikke" in (e.text or "") for e in slack.ephemerals(stranger.id))
    assert await Conversation.all().count() == 0


async def test_a_failing_response_url_falls_back_to_chat_update(
    app: Fremdrift, small: Small, slack: SlackStub
) -> None:
    await invited(app, small, slack)
    slack.faults.add("response_url", HttpStatus(503), times=None)
    await slack.click(LEAD, live(slack), "fd:start:")
    await settle(app)
    assert slack.calls_to("chat.update"), "the message should be updated another way"
    assert any(b.get("block_id") == "fd_progress" for b in live(slack).blocks or [])


async def test_when_slack_cannot_redraw_the_answer_is_still_stored(
    app: Fremdrift, small: Small, slack: SlackStub
) -> None:
    await invited(app, small, slack)
    await slack.click(LEAD, live(slack), "fd:start:")
    await settle(app)
    stale = copy.deepcopy(live(slack))
    slack.faults.add("response_url", HttpStatus(503), times=None)
    slack.faults.add("chat.update", HttpStatus(500), times=None)
    await slack.click(LEAD, stale, "fd:progress:started")
    await settle(app)
    assert (await Answer.get()).progress == "started"
    slack.faults.clear()
    await slack.click(LEAD, stale, "fd:skip:")  # from the message Slack never redrew
    await settle(app)
    assert await AnswerRevision.all().count() == 1
    assert (await Conversation.get()).state["code"] == "1.1", "a stale navigation is refused"
    notes = [e.text or "" for e in slack.ephemerals(LEAD)] + [
        p.text or "" for p in slack.response_url_posts
    ]
    assert any("videre fra" in note for note in notes)
    assert "Milepæl igangsat" in str(live(slack).blocks), "the current view is shown again"


async def test_a_dropped_socket_mid_envelope_is_redelivered_and_applied_once(
    small: Small, slack: SlackStub, db: str
) -> None:
    await join_workspace(slack)
    async with running_app(slack, "socket", clock=ManualClock(NOW)) as running:
        message = await invited(running, small, slack)
        await slack.click(LEAD, message, "fd:start:", transport="socket")
        await settle(running)
        slack.faults.add("socket", Drop())
        await slack.click(LEAD, live(slack), "fd:progress:reached", transport="socket")
        await slack.wait_for(lambda: slack.acks and len(slack.acks) >= 2, within=15)
        await settle(running)
    assert await AnswerRevision.all().count() == 1
    assert (await Answer.get()).progress == "reached"


async def test_resume_from_a_command_reply_posts_a_fresh_checklist_message(
    app: Fremdrift, small: Small, slack: SlackStub
) -> None:
    reply = await slack.command(LEAD, "/fremdrift", "me")
    assert reply.status == 200
    ephemeral = slack.ephemerals(LEAD)[-1]
    await slack.click(LEAD, ephemeral, "fd:start:")
    await settle(app)
    assert any(b.get("block_id") == "fd_progress" for b in live(slack).blocks or [])
    assert encode(small.round.id, SYD, Start()) in str(ephemeral.blocks)


# -- Slack's own escaping, and numbers past 64 bits (issue 17, item 7) ------------------------
@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Q1 &amp; Q2", "Q1 & Q2"),
        ("&lt;b&gt;fed&lt;/b&gt;", "<b>fed</b>"),
        ("A &amp;lt; B", "A &lt; B"),
    ],
    ids=["ampersand", "angle-brackets", "an-escape-typed-as-text"],
)
async def test_slash_command_text_is_unescaped_as_slack_sends_it(
    app: Fremdrift, small: Small, slack: SlackStub, typed: str, stored: str
) -> None:
    """Slack sends &, < and > in a command's text as &amp;, &lt; and &gt; (the stand-in
    sends what it is given, so the test sends what Slack would)."""
    await Round.filter(id=small.round.id).update(status=RoundStatus.CLOSED, open_slot=None)
    delivery = await slack.command(
        "U0ADMIN001", "/fremdrift", f"round open {typed} deadline om 5 dage"
    )
    assert delivery.status == 200
    assert await Round.filter(name=stored).count() == 1, [r.name for r in await Round.all()]


@pytest.mark.parametrize(
    "value",
    [
        "progress|1|99999999999999999999|unit:syd|1.1|reached",
        "progress|99999999999999999999|{round}|unit:syd|1.1|reached",
        "progress|1|-9223372036854775809|unit:syd|1.1|reached",
    ],
    ids=["round-id", "version", "below-int64"],
)
async def test_a_button_value_with_a_number_past_64_bits_is_400(
    app: Fremdrift, small: Small, slack: SlackStub, value: str
) -> None:
    message = await invited(app, small, slack)
    await slack.click(LEAD, message, "fd:start:")
    await settle(app)
    tampered = copy.deepcopy(live(slack))
    for block in tampered.blocks or []:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("action_id") == "fd:progress:reached":
                element["value"] = value.format(round=small.round.id)
    delivery = await slack.click(LEAD, tampered, "fd:progress:reached")
    assert delivery.status == 400
    assert await Answer.all().count() == 0


@pytest.mark.parametrize(
    "change",
    [{"r": 2**64}, {"r": "99999999999999999999"}, {"v": 1e400}, {"v": 2**63}],
    ids=["round-id", "round-id-as-text", "version-infinite", "version-2-63"],
)
async def test_modal_metadata_with_a_number_past_64_bits_is_400(
    app: Fremdrift, small: Small, slack: SlackStub, change: dict[str, object]
) -> None:
    await invited(app, small, slack)
    await slack.click(LEAD, live(slack), "fd:start:")
    await settle(app)
    await slack.click(LEAD, live(slack), "fd:progress:started")
    await settle(app)
    revisions = await AnswerRevision.all().count()
    await slack.click(LEAD, live(slack), "fdm:remark")
    modal = await slack.wait_for(lambda: slack.top_modal(LEAD))
    assert modal is not None
    metadata = {**json.loads(modal.definition["private_metadata"]), **change}
    modal.definition["private_metadata"] = json.dumps(metadata)
    delivery = await slack.submit(LEAD, modal, {"fd_text": "Bemærkning"})
    assert delivery.status == 400
    assert await AnswerRevision.all().count() == revisions


async def test_a_socket_mode_envelope_of_a_shape_slack_never_sends_is_acked_and_dropped(
    small: Small, slack: SlackStub, db: str
) -> None:
    await join_workspace(slack)
    async with running_app(slack, "socket", clock=ManualClock(NOW)) as running:
        message = await invited(running, small, slack)
        click = await slack.click(LEAD, message, "fd:start:", transport="socket")
        await settle(running)
        assert click.acked
        hostile = copy.deepcopy(click.payload)
        hostile["actions"] = []
        dropped = await slack.sender.send("interaction", hostile, transport="socket")
        nested = copy.deepcopy(click.payload)
        nested["user"] = {"id": "U0ALICE001", "deep": json.loads("[" * 80 + "]" * 80)}
        too_deep = await slack.sender.send("interaction", nested, transport="socket")
    assert dropped.acked and too_deep.acked  # not sent again and again
    assert await Conversation.all().count() == 1  # the first click's, nothing more
