"""The stand-in's payloads have the shape of real Slack samples, and it cleans up after itself."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from standins.slack import SlackStub

pytest_plugins = ["tests.slack_fixtures"]

SAMPLES = Path(__file__).parent / "fixtures" / "slack"


def sample(name: str) -> dict[str, Any]:
    data = json.loads((SAMPLES / f"{name}.json").read_text())
    assert isinstance(data, dict)
    return data


def missing_keys(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Keys present in the real sample but absent from ours, recursively."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = [f"{path}/{k}" for k in expected if k not in actual]
        for key in expected:
            if key in actual:
                out += missing_keys(expected[key], actual[key], f"{path}/{key}")
        return out
    if isinstance(expected, list) and isinstance(actual, list) and expected and actual:
        return missing_keys(expected[0], actual[0], f"{path}/0")
    return []


class RawApp:
    """A bare Socket Mode client that acks everything and keeps every frame."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []


@pytest.fixture
async def raw(slack: SlackStub) -> AsyncIterator[RawApp]:
    client = AsyncWebClient(base_url=slack.api_url)
    url = (await client.apps_connections_open(app_token=slack.identity.app_token))["url"]
    app = RawApp()
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        app.frames.append(await ws.receive_json())

        async def ack_all() -> None:
            async for message in ws:
                frame = json.loads(message.data)
                app.frames.append(frame)
                if "envelope_id" in frame:
                    await ws.send_json({"envelope_id": frame["envelope_id"]})

        task = asyncio.create_task(ack_all())
        yield app
        await ws.close()
        await task


async def test_hello_and_envelope_shapes(slack: SlackStub, raw: RawApp) -> None:
    await slack.command("alice", "/fremdrift", "round status")
    assert missing_keys(sample("socket_hello"), raw.frames[0]) == []
    assert missing_keys(sample("socket_envelope_slash_command"), raw.frames[1]) == []


async def test_slash_command_shape(slack: SlackStub, raw: RawApp) -> None:
    delivery = await slack.command("alice", "/fremdrift", "round status")
    assert missing_keys(sample("slash_command"), delivery.payload) == []


async def test_block_actions_shape(
    slack: SlackStub, raw: RawApp, slack_client: AsyncWebClient
) -> None:
    blocks = [
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "approve",
                    "text": {"type": "plain_text", "text": "Approve"},
                    "value": "v",
                }
            ],
        }
    ]
    posted = await slack_client.chat_postMessage(channel="C0GENERAL1", text="x", blocks=blocks)
    message = slack.messages(posted["channel"])[0]
    delivery = await slack.click("alice", message, "approve")
    assert missing_keys(sample("block_actions_message"), delivery.payload) == []


async def test_view_submission_shape(
    slack: SlackStub, raw: RawApp, slack_client: AsyncWebClient
) -> None:
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Progress"},
        "submit": {"type": "plain_text", "text": "Send"},
        "blocks": [
            {
                "type": "input",
                "block_id": "note",
                "label": {"type": "plain_text", "text": "Note"},
                "element": {"type": "plain_text_input", "action_id": "text"},
            }
        ],
    }
    opened = await slack_client.views_open(trigger_id=slack.trigger("alice"), view=view)
    delivery = await slack.submit("alice", opened["view"]["id"], {"text": "fine"})
    assert missing_keys(sample("view_submission"), delivery.payload) == []


async def test_event_callback_shape(slack: SlackStub, raw: RawApp) -> None:
    delivery = await slack.open_home("alice")
    assert missing_keys(sample("event_app_home_opened"), delivery.payload) == []


async def test_nothing_is_left_running() -> None:
    async with SlackStub() as slack:
        client = AsyncWebClient(base_url=slack.api_url)
        url = (await client.apps_connections_open(app_token=slack.identity.app_token))["url"]
        session = aiohttp.ClientSession()
        ws = await session.ws_connect(url)
        await ws.receive_json()
        api_url = slack.api_url
    closing = await ws.receive()
    await session.close()

    assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    assert asyncio.all_tasks() == {asyncio.current_task()}
    async with aiohttp.ClientSession() as probe:
        with pytest.raises(aiohttp.ClientConnectorError):
            await probe.post(f"{api_url}auth.test")
