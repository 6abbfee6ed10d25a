"""Block Kit limits: accepted at the limit, refused one over it, in Slack's words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from standins.slack import SlackStub

pytest_plugins = ["tests.slack_fixtures"]

ALICE = "U0ALICE001"
Json = dict[str, Any]


def text(n: int, kind: str = "plain_text") -> Json:
    return {"type": kind, "text": "x" * n}


def section(n: int = 1) -> Json:
    return {"type": "section", "text": text(n, "mrkdwn")}


def button(action_id: str = "b", **fields: Any) -> Json:
    return {"type": "button", "action_id": action_id, "text": text(2), **fields}


def actions(*elements: Json) -> Json:
    return {"type": "actions", "elements": list(elements)}


def option(n_text: int = 1, n_value: int = 1, tag: str = "") -> Json:
    return {"text": text(n_text), "value": tag + "v" * n_value}


def select(options: list[Json]) -> Json:
    return {"type": "static_select", "action_id": "s", "options": options}


def modal(blocks: list[Json] | None = None, **fields: Any) -> Json:
    return {"type": "modal", "title": text(5), "blocks": blocks or [section()], **fields}


def input_block(element: Json, label: int = 5) -> Json:
    return {"type": "input", "block_id": "in", "label": text(label), "element": element}


@dataclass(frozen=True)
class Limit:
    """``build(n)`` makes a payload with the measured thing at size ``n``."""

    name: str
    surface: str  # message | modal | home
    limit: int
    build: Callable[[int], Any]
    refusal: str


LIMITS = [
    Limit("message blocks", "message", 50, lambda n: [{"type": "divider"}] * n,
          "no more than 50 items allowed [json-pointer:/blocks]"),
    Limit("modal blocks", "modal", 100, lambda n: modal([{"type": "divider"}] * n),
          "no more than 100 items allowed [json-pointer:/view/blocks]"),
    Limit("home blocks", "home", 100,
          lambda n: {"type": "home", "blocks": [{"type": "divider"}] * n},
          "no more than 100 items allowed [json-pointer:/view/blocks]"),
    Limit("section text", "message", 3000, lambda n: [section(n)],
          "must be less than 3001 characters [json-pointer:/blocks/0/text/text]"),
    Limit("section fields", "message", 10, lambda n: [{"type": "section", "fields": [text(1)] * n}],
          "no more than 10 items allowed [json-pointer:/blocks/0/fields]"),
    Limit("section field text", "message", 2000,
          lambda n: [{"type": "section", "fields": [text(n, "mrkdwn")]}],
          "must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]"),
    Limit("header text", "message", 150, lambda n: [{"type": "header", "text": text(n)}],
          "must be less than 151 characters [json-pointer:/blocks/0/text/text]"),
    Limit("context elements", "message", 10,
          lambda n: [{"type": "context", "elements": [text(1, "mrkdwn")] * n}],
          "no more than 10 items allowed [json-pointer:/blocks/0/elements]"),
    Limit("actions elements", "message", 25,
          lambda n: [actions(*[button(f"b{i}") for i in range(n)])],
          "no more than 25 items allowed [json-pointer:/blocks/0/elements]"),
    Limit("button text", "message", 75,
          lambda n: [actions({"type": "button", "action_id": "b", "text": text(n)})],
          "must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]"),
    Limit("button value", "message", 2000, lambda n: [actions(button(value="v" * n))],
          "must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]"),
    Limit("button url", "message", 3000,
          lambda n: [actions(button(url="https://e.x/" + "u" * (n - 12)))],
          "must be less than 3001 characters [json-pointer:/blocks/0/elements/0/url]"),
    Limit("action_id", "message", 255, lambda n: [actions(button("a" * n))],
          "must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]"),
    Limit("block_id", "message", 255, lambda n: [{"type": "divider", "block_id": "b" * n}],
          "must be less than 256 characters [json-pointer:/blocks/0/block_id]"),
    Limit("static_select options", "message", 100,
          lambda n: [actions(select([option(tag=str(i)) for i in range(n)]))],
          "no more than 100 items allowed [json-pointer:/blocks/0/elements/0/options]"),
    Limit("option text", "message", 75, lambda n: [actions(select([option(n_text=n)]))],
          "must be less than 76 characters "
          "[json-pointer:/blocks/0/elements/0/options/0/text/text]"),
    Limit("option value", "message", 150, lambda n: [actions(select([option(n_value=n)]))],
          "must be less than 151 characters [json-pointer:/blocks/0/elements/0/options/0/value]"),
    Limit("overflow options", "message", 5,
          lambda n: [actions({"type": "overflow", "action_id": "o",
                              "options": [option(tag=str(i)) for i in range(n)]})],
          "no more than 5 items allowed [json-pointer:/blocks/0/elements/0/options]"),
    Limit("modal title", "modal", 24, lambda n: modal(title=text(n)),
          "must be less than 25 characters [json-pointer:/view/title/text]"),
    Limit("modal submit", "modal", 24, lambda n: modal(submit=text(n)),
          "must be less than 25 characters [json-pointer:/view/submit/text]"),
    Limit("modal close", "modal", 24, lambda n: modal(close=text(n)),
          "must be less than 25 characters [json-pointer:/view/close/text]"),
    Limit("private_metadata", "modal", 3000, lambda n: modal(private_metadata="m" * n),
          "must be less than 3001 characters [json-pointer:/view/private_metadata]"),
    Limit("callback_id", "modal", 255, lambda n: modal(callback_id="c" * n),
          "must be less than 256 characters [json-pointer:/view/callback_id]"),
    Limit("plain_text_input max_length", "modal", 3000,
          lambda n: modal([input_block({"type": "plain_text_input", "action_id": "t",
                                        "max_length": n})], submit=text(4)),
          "must be less than or equal to 3000 [json-pointer:/view/blocks/0/element/max_length]"),
    Limit("input label", "modal", 2000,
          lambda n: modal([input_block({"type": "plain_text_input", "action_id": "t"}, label=n)],
                          submit=text(4)),
          "must be less than 2001 characters [json-pointer:/view/blocks/0/label/text]"),
]  # fmt: skip


async def send(slack: SlackStub, client: AsyncWebClient, surface: str, payload: Any) -> Any:
    if surface == "message":
        return await client.chat_postMessage(channel=ALICE, text="fallback", blocks=payload)
    if surface == "modal":
        return await client.views_open(trigger_id=slack.trigger(ALICE), view=payload)
    return await client.views_publish(user_id=ALICE, view=payload)


async def refusal(slack: SlackStub, client: AsyncWebClient, surface: str, payload: Any) -> Json:
    with pytest.raises(SlackApiError) as raised:
        await send(slack, client, surface, payload)
    data = raised.value.response.data
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("limit", LIMITS, ids=[limit.name for limit in LIMITS])
async def test_limit(limit: Limit, slack: SlackStub, slack_client: AsyncWebClient) -> None:
    accepted = await send(slack, slack_client, limit.surface, limit.build(limit.limit))
    refused = await refusal(slack, slack_client, limit.surface, limit.build(limit.limit + 1))

    assert accepted["ok"] is True
    assert refused["error"] == (
        "invalid_blocks" if limit.surface == "message" else "invalid_arguments"
    )
    assert f"[ERROR] {limit.refusal}" in refused["response_metadata"]["messages"]


REFUSALS = [
    ("unknown block type", [{"type": "sections"}],
     "unsupported type: sections [json-pointer:/blocks/0/type]"),
    ("unknown element type", [actions({"type": "buttons", "action_id": "b"})],
     "unsupported type: buttons [json-pointer:/blocks/0/elements/0/type]"),
    ("element not allowed in actions", [actions({"type": "image", "image_url": "https://e.x/i.png",
                                                  "alt_text": "i"})],
     "unsupported element: image [json-pointer:/blocks/0/elements/0]"),
    ("section without text or fields", [{"type": "section"}],
     "must provide either `text` or `fields` [json-pointer:/blocks/0]"),
    ("text object without type", [{"type": "section", "text": {"text": "hi"}}],
     "missing required field: type [json-pointer:/blocks/0/text]"),
    ("button text must be plain_text", [actions({"type": "button", "action_id": "b",
                                                  "text": text(3, "mrkdwn")})],
     "must be a valid enum value [json-pointer:/blocks/0/elements/0/text/type]"),
    ("button without text", [actions({"type": "button", "action_id": "b"})],
     "missing required field: text [json-pointer:/blocks/0/elements/0]"),
    ("header must be plain_text", [{"type": "header", "text": text(3, "mrkdwn")}],
     "must be a valid enum value [json-pointer:/blocks/0/text/type]"),
    ("empty section text", [section(0)],
     "must be more than 0 characters [json-pointer:/blocks/0/text/text]"),
    ("typo in a field name", [{"type": "divider", "blockid": "x"}],
     "invalid additional property: blockid [json-pointer:/blocks/0]"),
    ("duplicate block_id",
     [{"type": "divider", "block_id": "d"}, {"type": "divider", "block_id": "d"}],
     "duplicate block_id: d [json-pointer:/blocks/1/block_id]"),
    ("duplicate action_id in a block", [actions(button("same"), button("same"))],
     "duplicate action_id: same [json-pointer:/blocks/0/elements/1/action_id]"),
    ("initial_option not among the options",
     [actions({**select([option()]), "initial_option": option(tag="z")})],
     "must match one of the provided options [json-pointer:/blocks/0/elements/0/initial_option]"),
    ("empty actions block", [actions()],
     "must provide at least 1 items [json-pointer:/blocks/0/elements]"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("blocks", "message"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
async def test_message_refusal(
    blocks: list[Json], message: str, slack: SlackStub, slack_client: AsyncWebClient
) -> None:
    refused = await refusal(slack, slack_client, "message", blocks)
    assert refused["error"] == "invalid_blocks"
    assert refused["response_metadata"]["messages"] == [f"[ERROR] {message}"]
    assert refused["errors"] == [message]
    assert slack.dm("alice") == []


async def test_the_same_action_id_in_different_blocks_is_fine(
    slack: SlackStub, slack_client: AsyncWebClient
) -> None:
    answer = await send(
        slack, slack_client, "message", [actions(button("x")), actions(button("x"))]
    )
    assert answer["ok"] is True


@pytest.mark.parametrize(
    ("view", "message"),
    [
        (
            modal(title=text(5, "mrkdwn")),
            "must be a valid enum value [json-pointer:/view/title/type]",
        ),
        (
            {"type": "modal", "blocks": [section()]},
            "missing required field: title [json-pointer:/view]",
        ),
        (
            modal([input_block({"type": "plain_text_input", "action_id": "t"})]),
            "must define `submit` to use an `input` block in modals "
            "[json-pointer:/view/blocks/0/input]",
        ),
        (
            modal(
                [input_block({"type": "button", "action_id": "b", "text": text(2)})], submit=text(2)
            ),
            "unsupported element: button [json-pointer:/view/blocks/0/element]",
        ),
        (modal(colour="red"), "invalid additional property: colour [json-pointer:/view]"),
    ],
    ids=[
        "title plain_text",
        "title required",
        "submit with input",
        "input element",
        "unknown field",
    ],
)
async def test_modal_refusal(
    view: Json, message: str, slack: SlackStub, slack_client: AsyncWebClient
) -> None:
    refused = await refusal(slack, slack_client, "modal", view)
    assert refused["error"] == "invalid_arguments"
    assert f"[ERROR] {message}" in refused["response_metadata"]["messages"]
    assert slack.modals("alice") == []


async def test_blocks_that_are_not_json(slack: SlackStub) -> None:
    form = {"channel": ALICE, "text": "x", "blocks": "[{not json"}
    headers = {"Authorization": f"Bearer {slack.identity.bot_token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{slack.api_url}chat.postMessage", data=form, headers=headers) as response,
    ):
        body = await response.json()
    assert response.status == 200
    assert body == {"ok": False, "error": "invalid_blocks_format"}


async def test_a_view_over_250_kb_is_too_large(
    slack: SlackStub, slack_client: AsyncWebClient
) -> None:
    fields = [{"type": "section", "fields": [text(2000)] * 10} for _ in range(13)]
    refused = await refusal(slack, slack_client, "home", {"type": "home", "blocks": fields})
    assert refused["error"] == "view_too_large"
