"""Socket Mode, Slack's side: hello, envelopes and acks, reconnects, redelivery, the 10 cap."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from standins.slack import Drop, ManualClock, SlackStub
from standins.slack.harness import BoltOverSocket

pytest_plugins = ["tests.slack_fixtures"]


def counting_app(slack: SlackStub, homes: list[dict[str, Any]]) -> AsyncApp:
    client = AsyncWebClient(token=slack.identity.bot_token, base_url=slack.api_url)
    app = AsyncApp(client=client, signing_secret=slack.identity.signing_secret)

    @app.event("app_home_opened")
    async def home(event: dict[str, Any]) -> None:
        homes.append(event)

    @app.command("/fremdrift")
    async def command(ack: Any) -> None:
        await ack(text="pong")

    return app


@pytest.fixture
async def socket_app(slack: SlackStub) -> AsyncIterator[tuple[SlackStub, list[dict[str, Any]]]]:
    homes: list[dict[str, Any]] = []
    async with BoltOverSocket(counting_app(slack, homes), slack):
        yield slack, homes


async def socket_url(slack: SlackStub) -> str:
    client = AsyncWebClient(base_url=slack.api_url)
    answer = await client.apps_connections_open(app_token=slack.identity.app_token)
    return str(answer["url"])


async def test_hello_comes_first(slack: SlackStub) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(await socket_url(slack)) as ws,
    ):
        hello = await ws.receive_json()
    assert hello["type"] == "hello"
    assert hello["num_connections"] == 1
    assert hello["connection_info"] == {"app_id": slack.identity.app_id}
    assert hello["debug_info"]["approximate_connection_time"] > 0


async def test_a_ticket_opens_one_connection_only(slack: SlackStub) -> None:
    url = await socket_url(slack)
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(url) as ws:
            assert (await ws.receive_json())["type"] == "hello"
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(url)
    assert refused.value.status == 401


async def test_an_envelope_is_acked_by_id(socket_app: tuple[SlackStub, list[Any]]) -> None:
    slack, homes = socket_app
    delivery = await slack.open_home("alice")
    envelope = delivery.envelope
    assert envelope is not None

    assert delivery.transport == "socket"
    assert delivery.acked
    assert envelope.type == "events_api"
    assert envelope.accepts_response_payload is False
    assert [a.envelope_id for a in slack.acks] == [envelope.envelope_id]
    await slack.wait_for(lambda: homes)
    assert homes[0]["user"] == "U0ALICE001"


async def test_a_command_ack_carries_its_payload(socket_app: tuple[SlackStub, list[Any]]) -> None:
    slack, _ = socket_app
    delivery = await slack.command("bob", "/fremdrift", "ping")
    assert delivery.envelope is not None
    assert delivery.envelope.type == "slash_commands"
    assert delivery.envelope.accepts_response_payload is True
    assert slack.acks[-1].payload == {"text": "pong"}
    assert [e.text for e in slack.ephemerals("bob")] == ["pong"]


@pytest.mark.parametrize("reason", ["refresh_requested", "link_disabled", "too_many_websockets"])
async def test_disconnect_makes_the_app_reconnect(
    socket_app: tuple[SlackStub, list[Any]], reason: str
) -> None:
    slack, _ = socket_app
    first = slack.socket.open_connections[0]

    await slack.socket.disconnect(reason)
    await slack.wait_for(lambda: not first.open and slack.socket.open_connections)

    assert len(slack.socket.connections) == 2
    assert (await slack.command("bob", "/fremdrift", "again")).ack_payload == {"text": "pong"}


async def test_a_warning_leaves_the_connection_open_a_refresh_can_close_it(
    slack: SlackStub,
) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(await socket_url(slack)) as ws,
    ):
        await ws.receive_json()
        await slack.socket.disconnect("warning")
        warning = await ws.receive_json()
        still_open = not ws.closed and len(slack.socket.open_connections) == 1
        await slack.socket.disconnect("refresh_requested", close=True)
        refresh = await ws.receive_json()
        closing = await ws.receive()
    assert warning["reason"] == "warning"
    assert still_open
    assert refresh["reason"] == "refresh_requested"
    assert closing.type == aiohttp.WSMsgType.CLOSE
    await slack.wait_for(lambda: not slack.socket.open_connections)


async def test_an_abrupt_drop_is_survived(socket_app: tuple[SlackStub, list[Any]]) -> None:
    slack, _ = socket_app
    slack.socket.drop()
    await slack.wait_for(
        lambda: len(slack.socket.connections) == 2 and slack.socket.open_connections
    )
    assert (await slack.command("bob", "/fremdrift", "back")).acked


async def test_an_envelope_cut_mid_frame_is_redelivered_after_reconnect(
    socket_app: tuple[SlackStub, list[Any]],
) -> None:
    slack, homes = socket_app
    slack.faults.add("socket", Drop())

    delivery = await slack.open_home("alice")
    envelope = delivery.envelope
    assert envelope is not None

    assert delivery.acked
    assert envelope.sends == 2
    assert envelope.retry_attempt == 1
    assert envelope.retry_reason == "timeout"
    assert len(slack.socket.connections) == 2
    await slack.wait_for(lambda: homes)
    assert len(homes) == 1


async def test_an_unacked_envelope_times_out_on_the_clock(
    slack_clock: ManualClock, socket_app: tuple[SlackStub, list[Any]]
) -> None:
    slack, _ = socket_app
    sending = asyncio.create_task(
        slack.send_event({"type": "reaction_added", "user": "U0BOB00001"})
    )
    await slack.wait_for(lambda: any(e.sent_at for e in slack.socket.envelopes.values()))
    slack_clock.advance(3.01)
    delivery = await sending
    assert delivery.timed_out
    assert not delivery.acked
    assert slack.acks == []


async def test_the_eleventh_connection_is_refused(slack: SlackStub) -> None:
    slack.limits.set_limit("apps.connections.open", per_minute=50, burst=20)
    async with aiohttp.ClientSession() as session:
        sockets = []
        for _ in range(10):
            ws = await session.ws_connect(await socket_url(slack))
            assert (await ws.receive_json())["type"] == "hello"
            sockets.append(ws)
        eleventh = await session.ws_connect(await socket_url(slack))
        refusal = await eleventh.receive_json()
        closed = await eleventh.receive()
        open_count = len(slack.socket.open_connections)
        for ws in [*sockets, eleventh]:
            await ws.close()
    assert refusal == {
        "type": "disconnect",
        "reason": "too_many_websockets",
        "debug_info": {"host": "applink-stub-1"},
    }
    assert closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    assert open_count == 10
    assert slack.socket.refused == 1


async def test_acks_from_a_raw_client_are_recorded_with_payload(slack: SlackStub) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(await socket_url(slack)) as ws,
    ):
        await ws.receive_json()
        sending = asyncio.create_task(slack.command("bob", "/fremdrift", "raw"))
        envelope = await ws.receive_json()
        await ws.send_str(
            json.dumps({"envelope_id": envelope["envelope_id"], "payload": {"text": "hi"}})
        )
        delivery = await sending
    assert envelope["type"] == "slash_commands"
    assert envelope["payload"]["command"] == "/fremdrift"
    assert delivery.ack_payload == {"text": "hi"}
    assert slack.acks[0].payload == {"text": "hi"}
