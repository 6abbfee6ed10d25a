"""Slack's side of HTTP: signed requests to bolt, spoiled ones refused, events and retries."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from standins.slack import SlackStub, Tamper
from standins.slack.harness import BoltOverHttp

pytest_plugins = ["tests.slack_fixtures"]

BUTTON = [
    {
        "type": "actions",
        "block_id": "b",
        "elements": [
            {
                "type": "button",
                "action_id": "replace",
                "text": {"type": "plain_text", "text": "Go"},
                "value": "v",
            }
        ],
    }
]


class Seen:
    def __init__(self) -> None:
        self.commands: list[dict[str, Any]] = []
        self.clicks: list[dict[str, Any]] = []
        self.events: list[tuple[dict[str, Any], str | None, str | None]] = []
        self.release = asyncio.Event()


def listening_app(slack: SlackStub, seen: Seen, **options: Any) -> AsyncApp:
    client = AsyncWebClient(token=slack.identity.bot_token, base_url=slack.api_url)
    app = AsyncApp(client=client, signing_secret=slack.identity.signing_secret, **options)

    @app.command("/fremdrift")
    async def command(ack: Any, command: dict[str, Any], respond: Any) -> None:
        seen.commands.append(command)
        await ack()
        if command["text"] == "announce":
            await respond(text="Round 7 is open", response_type="in_channel")

    @app.action("replace")
    async def click(ack: Any, body: dict[str, Any], respond: Any) -> None:
        seen.clicks.append(body)
        await ack()
        await respond(text="Thanks, recorded", replace_original=True)

    @app.event("app_home_opened")
    async def home(event: dict[str, Any], request: AsyncBoltRequest) -> None:
        retry = request.headers.get("x-slack-retry-num", [None])[0]
        reason = request.headers.get("x-slack-retry-reason", [None])[0]
        seen.events.append((event, retry, reason))

    @app.event("app_mention")
    async def stuck(event: dict[str, Any]) -> None:
        await seen.release.wait()

    return app


@pytest.fixture
def seen() -> Seen:
    return Seen()


@pytest.fixture
async def bolt(slack: SlackStub, seen: Seen) -> AsyncIterator[SlackStub]:
    async with BoltOverHttp(listening_app(slack, seen), slack):
        yield slack


async def test_a_signed_command_is_accepted(bolt: SlackStub, seen: Seen) -> None:
    delivery = await bolt.command("bob", "/fremdrift", "round status", channel="C0GENERAL1")

    assert delivery.status == 200
    assert delivery.acked
    assert delivery.request_headers["X-Slack-Signature"].startswith("v0=")
    assert seen.commands[0]["text"] == "round status"
    assert seen.commands[0]["channel_id"] == "C0GENERAL1"
    assert seen.commands[0]["trigger_id"] == delivery.trigger_id


@pytest.mark.parametrize("tamper", list(Tamper), ids=[t.value for t in Tamper])
async def test_a_spoiled_request_is_refused_and_runs_nothing(
    bolt: SlackStub, seen: Seen, tamper: Tamper
) -> None:
    delivery = await bolt.command("bob", "/fremdrift", "x", tamper=tamper)
    assert delivery.status is not None
    assert not 200 <= delivery.status < 300
    assert not delivery.acked
    assert seen.commands == []


async def test_a_replay_within_five_minutes_is_not_caught_by_bolt(
    bolt: SlackStub, seen: Seen
) -> None:
    """Bolt checks signature and age only; a verbatim replay runs the listener again."""
    first = await bolt.command("bob", "/fremdrift", "once")
    again = await bolt.replay(first)
    assert again.request_body == first.request_body
    assert again.request_headers == first.request_headers
    assert again.status == 200
    assert len(seen.commands) == 2


async def test_url_verification_echoes_the_challenge(bolt: SlackStub) -> None:
    delivery = await bolt.url_verification("abc123")
    assert delivery.status == 200
    assert delivery.json == {"challenge": "abc123"}


async def test_an_event_and_its_retry_carry_the_retry_headers(bolt: SlackStub, seen: Seen) -> None:
    first = await bolt.open_home("alice")
    retry = await bolt.retry_event(first, reason="http_timeout")
    await bolt.wait_for(lambda: len(seen.events) == 2)

    assert first.acked
    assert retry.acked
    assert retry.payload["event_id"] == first.payload["event_id"]
    assert retry.request_headers["X-Slack-Retry-Num"] == "1"
    assert [(r, why) for _, r, why in seen.events] == [(None, None), ("1", "http_timeout")]
    assert seen.events[0][0]["type"] == "app_home_opened"


async def test_interactions_are_never_retried(
    bolt: SlackStub, slack_client: AsyncWebClient
) -> None:
    posted = await slack_client.chat_postMessage(channel="U0BOB00001", text="x", blocks=BUTTON)
    click = await bolt.click("bob", bolt.messages(posted["channel"])[0], "replace")
    with pytest.raises(ValueError, match="never interactions"):
        await bolt.retry_event(click)


async def test_an_unhandled_event_is_not_acked_and_slack_would_retry(bolt: SlackStub) -> None:
    delivery = await bolt.send_event({"type": "reaction_added", "user": "U0BOB00001"})
    assert delivery.status == 404
    assert not delivery.acked
    assert delivery.slack_would_retry


async def test_a_slow_app_times_out_like_slack(slack: SlackStub, seen: Seen) -> None:
    app = listening_app(slack, seen, process_before_response=True)
    slack.sender.http_timeout = 0.1
    async with BoltOverHttp(app, slack):
        delivery = await slack.send_event({"type": "app_mention", "user": "U0BOB00001"})
        seen.release.set()
    assert delivery.timed_out
    assert delivery.status is None
    assert delivery.slack_would_retry


async def test_respond_replaces_the_clicked_message(
    bolt: SlackStub, seen: Seen, slack_client: AsyncWebClient
) -> None:
    posted = await slack_client.chat_postMessage(channel="U0BOB00001", text="Pick", blocks=BUTTON)
    message = bolt.messages(posted["channel"])[0]

    delivery = await bolt.click("bob", message, "replace")
    await bolt.wait_for(lambda: bolt.response_url_posts)

    assert delivery.acked
    assert seen.clicks[0]["container"]["message_ts"] == message.ts
    assert seen.clicks[0]["actions"][0]["value"] == "v"
    post = bolt.response_url_posts[0]
    assert post.replace_original
    assert post.status == 200
    assert bolt.messages(posted["channel"])[0].text == "Thanks, recorded"


async def test_respond_in_channel_posts_where_the_command_was_typed(
    bolt: SlackStub, seen: Seen
) -> None:
    await bolt.command("bob", "/fremdrift", "announce", channel="C0GENERAL1")
    await bolt.wait_for(lambda: bolt.messages("C0GENERAL1"))
    assert [m.text for m in bolt.messages("C0GENERAL1")] == ["Round 7 is open"]
    assert bolt.response_url_posts[0].response_type == "in_channel"
