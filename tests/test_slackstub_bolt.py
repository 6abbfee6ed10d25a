"""A tiny real bolt app driven through the stand-in, the same way over HTTP and Socket Mode."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from standins.slack import SlackStub
from standins.slack.harness import BoltOverHttp, BoltOverSocket

pytest_plugins = ["tests.slack_fixtures"]

APPROVE_BLOCKS: list[dict[str, Any]] = [
    {"type": "section", "block_id": "ask", "text": {"type": "mrkdwn", "text": "Approve *6.3*?"}},
    {
        "type": "actions",
        "block_id": "buttons",
        "elements": [
            {
                "type": "button",
                "action_id": "approve",
                "text": {"type": "plain_text", "text": "Approve"},
                "value": "milestone-6.3",
            }
        ],
    },
]
REPORT_VIEW = {
    "type": "modal",
    "callback_id": "report",
    "title": {"type": "plain_text", "text": "Progress"},
    "submit": {"type": "plain_text", "text": "Send"},
    "private_metadata": "round-7",
    "blocks": [
        {
            "type": "input",
            "block_id": "progress",
            "label": {"type": "plain_text", "text": "Percent done"},
            "element": {"type": "plain_text_input", "action_id": "percent"},
        }
    ],
}


def tiny_app(slack: SlackStub) -> AsyncApp:
    client = AsyncWebClient(token=slack.identity.bot_token, base_url=slack.api_url)
    app = AsyncApp(client=client, signing_secret=slack.identity.signing_secret)

    @app.command("/fremdrift")
    async def fremdrift(ack: Any, command: dict[str, Any], client: AsyncWebClient) -> None:
        if command["text"] == "report":
            await ack()
            await client.views_open(trigger_id=command["trigger_id"], view=REPORT_VIEW)
            return
        await ack(f"{command['text']}: 3 of 5 answered")

    @app.action("approve")
    async def approve(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.chat_update(
            channel=body["channel"]["id"],
            ts=body["message"]["ts"],
            text=f"Approved {body['actions'][0]['value']} by <@{body['user']['id']}>",
        )

    @app.view("report")
    async def report(ack: Any, view: dict[str, Any]) -> None:
        percent = view["state"]["values"]["progress"]["percent"]["value"]
        if not percent.isdigit():
            await ack(response_action="errors", errors={"progress": "Enter a whole number"})
            return
        await ack()

    return app


@pytest.fixture(params=["http", "socket"])
async def wired(request: pytest.FixtureRequest, slack: SlackStub) -> AsyncIterator[SlackStub]:
    app = tiny_app(slack)
    runner = BoltOverHttp(app, slack) if request.param == "http" else BoltOverSocket(app, slack)
    async with runner:
        yield slack


async def test_a_slash_command_reply_becomes_an_ephemeral(wired: SlackStub) -> None:
    delivery = await wired.command("alice", "/fremdrift", "round status")

    assert delivery.acked
    assert delivery.ack_payload == {"text": "round status: 3 of 5 answered"}
    assert [e.text for e in wired.ephemerals("alice")] == ["round status: 3 of 5 answered"]


async def test_a_button_click_updates_the_message(
    wired: SlackStub, slack_client: AsyncWebClient
) -> None:
    posted = await slack_client.chat_postMessage(
        channel="U0ALICE001", text="Approve 6.3?", blocks=APPROVE_BLOCKS
    )
    message = wired.messages(posted["channel"])[0]

    delivery = await wired.click("alice", message, "approve")
    updated = await wired.wait_for(lambda: wired.messages(posted["channel"])[0].edited)

    assert delivery.acked
    assert updated
    assert wired.messages(posted["channel"])[0].text == "Approved milestone-6.3 by <@U0ALICE001>"
    assert wired.messages(posted["channel"])[0].blocks is None


async def test_a_modal_refuses_bad_input_then_closes_on_good(wired: SlackStub) -> None:
    await wired.command("alice", "/fremdrift", "report")
    modal = await wired.wait_for(lambda: wired.top_modal("alice"))
    assert modal.callback_id == "report"

    refused = await wired.submit("alice", modal, {"percent": "most of it"})
    assert refused.ack_payload == {
        "response_action": "errors",
        "errors": {"progress": "Enter a whole number"},
    }
    assert wired.top_modal("alice") is modal
    assert modal.errors == {"progress": "Enter a whole number"}

    accepted = await wired.submit("alice", modal, {"percent": "60"})
    assert accepted.acked
    assert wired.top_modal("alice") is None
