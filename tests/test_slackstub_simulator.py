"""People in the stand-in: modals that update, push and clear, forms the client blocks,
Home tabs, menus, DMs, and what Slack does with each answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from standins.slack import ManualClock, SlackStub, SubmissionBlocked, View
from standins.slack.harness import BoltOverHttp

pytest_plugins = ["tests.slack_fixtures"]


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def form(callback_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain("Report"),
        "submit": plain("Next"),
        "blocks": [
            {
                "type": "input",
                "block_id": "note",
                "label": plain("Note"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "text",
                    "min_length": 2,
                    "max_length": 20,
                },
            },
            {
                "type": "input",
                "block_id": "band",
                "optional": True,
                "label": plain("Delay band"),
                "element": {
                    "type": "static_select",
                    "action_id": "choice",
                    "options": [
                        {"text": plain("On time"), "value": "green"},
                        {"text": plain("Late"), "value": "red"},
                    ],
                },
            },
        ],
        **extra,
    }


HOME: dict[str, Any] = {
    "type": "home",
    "blocks": [
        {
            "type": "actions",
            "elements": [
                {"type": "button", "action_id": "start", "text": plain("Start"), "value": "r7"},
                {
                    "type": "static_select",
                    "action_id": "round",
                    "options": [
                        {"text": plain("Round 6"), "value": "6"},
                        {"text": plain("Round 7"), "value": "7"},
                    ],
                },
            ],
        }
    ],
}


class Log:
    def __init__(self) -> None:
        self.actions: list[dict[str, Any]] = []
        self.closed: list[dict[str, Any]] = []
        self.dms: list[dict[str, Any]] = []


def modal_app(slack: SlackStub, log: Log) -> AsyncApp:
    client = AsyncWebClient(token=slack.identity.bot_token, base_url=slack.api_url)
    app = AsyncApp(client=client, signing_secret=slack.identity.signing_secret)

    @app.command("/fremdrift")
    async def command(ack: Any, command: dict[str, Any], client: AsyncWebClient) -> None:
        if command["text"] == "shout":
            await ack(text="Round 7 closes Friday", response_type="in_channel")
            return
        await ack()
        await client.views_open(
            trigger_id=command["trigger_id"], view=form(command["text"], notify_on_close=True)
        )

    @app.view("update")
    async def update(ack: Any) -> None:
        await ack(response_action="update", view=form("done", title=plain("Thanks")))

    @app.view("push")
    async def push(ack: Any) -> None:
        await ack(response_action="push", view=form("second"))

    @app.view("clear")
    async def clear(ack: Any) -> None:
        await ack(response_action="clear")

    @app.view("second")
    async def second(ack: Any) -> None:
        await ack()

    @app.view_closed("close")
    async def closed(ack: Any, body: dict[str, Any]) -> None:
        log.closed.append(body)
        await ack()

    @app.event("app_home_opened")
    async def home(event: dict[str, Any], client: AsyncWebClient) -> None:
        await client.views_publish(user_id=event["user"], view=HOME)

    @app.action("start")
    @app.action("round")
    async def act(ack: Any, body: dict[str, Any]) -> None:
        log.actions.append(body)
        await ack()

    @app.message("hello")
    async def hello(message: dict[str, Any], say: Any) -> None:
        log.dms.append(message)
        await say(f"Hi <@{message['user']}>")

    return app


@pytest.fixture
def log() -> Log:
    return Log()


@pytest.fixture
async def app(slack: SlackStub, log: Log) -> AsyncIterator[SlackStub]:
    async with BoltOverHttp(modal_app(slack, log), slack):
        yield slack


async def opened(slack: SlackStub, callback_id: str) -> View:
    await slack.command("alice", "/fremdrift", callback_id)
    return await slack.wait_for(lambda: slack.top_modal("alice"))


async def test_update_replaces_the_modal_in_place(app: SlackStub) -> None:
    modal = await opened(app, "update")
    delivery = await app.submit("alice", modal, {"text": "on track", "choice": "green"})

    submitted = delivery.payload["view"]["state"]["values"]
    assert submitted["note"]["text"] == {"type": "plain_text_input", "value": "on track"}
    assert submitted["band"]["choice"]["selected_option"]["value"] == "green"
    assert app.top_modal("alice") is modal
    assert modal.definition["title"]["text"] == "Thanks"
    assert len(modal.versions) == 2


async def test_push_stacks_a_second_modal_then_an_empty_ack_pops_it(app: SlackStub) -> None:
    first = await opened(app, "push")
    await app.submit("alice", first, {"text": "more"})
    second = app.top_modal("alice")
    assert second is not None
    assert second.previous_view_id == first.id
    assert [v.id for v in app.modals("alice")] == [first.id, second.id]

    await app.submit("alice", second, {"text": "ok"})
    assert [v.id for v in app.modals("alice")] == [first.id]


async def test_clear_closes_every_modal(app: SlackStub) -> None:
    modal = await opened(app, "clear")
    await app.submit("alice", modal, {"text": "bye"})
    assert app.modals("alice") == []
    assert not modal.open


@pytest.mark.parametrize(
    ("values", "why"),
    [({}, "note: required"), ({"text": "x"}, "shorter than 2"), ({"text": "y" * 21}, "longer")],
)
async def test_the_client_blocks_an_incomplete_form(
    app: SlackStub, values: dict[str, str], why: str
) -> None:
    modal = await opened(app, "update")
    sent_before = len(app.deliveries)
    with pytest.raises(SubmissionBlocked, match=why):
        await app.submit("alice", modal, values)
    assert len(app.deliveries) == sent_before


async def test_closing_tells_the_app_only_when_asked(app: SlackStub, log: Log) -> None:
    modal = await opened(app, "close")
    delivery = await app.close_modal("alice", modal)
    assert delivery is not None
    assert delivery.acked
    assert log.closed[0]["view"]["id"] == modal.id
    assert app.modals("alice") == []


async def test_opening_home_gets_it_published(app: SlackStub) -> None:
    delivery = await app.open_home("alice")
    home = await app.wait_for(lambda: app.home("alice"))
    assert delivery.payload["event"]["channel"] == app.dm_channel("alice")
    assert home.type == "home"

    again = await app.open_home("alice")
    assert again.payload["event"]["view"]["id"] == home.id


async def test_clicks_on_home_carry_the_view_and_the_choice(app: SlackStub, log: Log) -> None:
    await app.open_home("alice")
    home = await app.wait_for(lambda: app.home("alice"))

    await app.click("alice", home, "start")
    await app.click("alice", home, "round", "7")

    button, menu = log.actions
    assert button["container"] == {"type": "view", "view_id": home.id}
    assert button["actions"][0]["value"] == "r7"
    assert menu["actions"][0]["selected_option"] == {
        "text": {**plain("Round 7"), "emoji": True},
        "value": "7",
    }
    with pytest.raises(LookupError, match="no option with value '8'"):
        await app.click("alice", home, "round", "8")
    with pytest.raises(LookupError, match="no element with action_id"):
        await app.click("alice", home, "stop")


async def test_a_dm_to_the_app_is_a_message_event(app: SlackStub, log: Log) -> None:
    delivery = await app.say("alice", "hello there")
    reply = await app.wait_for(lambda: [m for m in app.dm("alice") if m.bot_id])
    assert delivery.payload["event"]["channel_type"] == "im"
    assert log.dms[0]["text"] == "hello there"
    assert [m.text for m in app.dm("alice")] == ["hello there", "Hi <@U0ALICE001>"]
    assert reply[0].user == app.identity.bot_user_id


async def test_an_in_channel_command_answer_is_posted(app: SlackStub) -> None:
    await app.command("bob", "/fremdrift", "shout", channel="C0GENERAL1")
    assert [m.text for m in app.messages("C0GENERAL1")] == ["Round 7 closes Friday"]
    assert app.ephemerals("bob") == []


async def test_ephemerals_can_be_clicked(app: SlackStub, log: Log) -> None:
    client = AsyncWebClient(token=app.identity.bot_token, base_url=app.api_url)
    await client.chat_postEphemeral(
        channel="C0GENERAL1", user="U0BOB00001", text="start?", blocks=HOME["blocks"]
    )
    await app.click("bob", app.ephemerals("bob")[0], "start")
    container = log.actions[0]["container"]
    assert container["is_ephemeral"] is True
    assert "message" not in log.actions[0]


# -- response_url rules -----------------------------------------------------------------------
async def post(url: str, body: dict[str, Any]) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.post(url, json=body) as response:
        return response.status, await response.text()


async def test_a_response_url_defaults_to_ephemeral_and_wears_out(slack: SlackStub) -> None:
    url = slack.response_url("bob", "C0GENERAL1")

    answers = [await post(url, {"text": f"n{n}"}) for n in range(6)]

    assert answers[:5] == [(200, "ok")] * 5
    assert answers[5] == (404, "used_url")
    assert [e.text for e in slack.ephemerals("bob")] == [f"n{n}" for n in range(5)]
    assert [p.status for p in slack.response_url_posts] == [200] * 5 + [404]


async def test_a_response_url_expires_after_30_minutes(
    slack_clock: ManualClock, slack: SlackStub
) -> None:
    url = slack.response_url("bob", "C0GENERAL1")
    slack_clock.advance(30 * 60 + 1)
    assert await post(url, {"text": "late"}) == (404, "expired_url")


async def test_a_response_url_can_delete_the_original(
    slack: SlackStub, slack_client: AsyncWebClient
) -> None:
    posted = await slack_client.chat_postMessage(channel="C0GENERAL1", text="vote")
    url = slack.response_url("bob", "C0GENERAL1", posted["ts"])
    assert await post(url, {"delete_original": True}) == (200, "ok")
    assert slack.messages("C0GENERAL1") == []


async def test_a_response_url_refuses_bad_blocks(slack: SlackStub) -> None:
    url = slack.response_url("bob", "C0GENERAL1")
    assert await post(url, {"blocks": [{"type": "nope"}]}) == (400, "invalid_blocks")
    assert slack.ephemerals("bob") == []
