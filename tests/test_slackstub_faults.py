"""Injected faults surface through the real SDK exactly as the network would make them."""

from __future__ import annotations

import types

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry import async_handler
from slack_sdk.web.async_client import AsyncWebClient

from standins.slack import Drop, HttpStatus, RateLimited, SlackError, SlackStub, Slow

pytest_plugins = ["tests.slack_fixtures"]

ALICE = "U0ALICE001"


@pytest.fixture
def retry_pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The SDK's back-off between retries, recorded instead of slept."""
    pauses: list[float] = []

    async def note(seconds: float) -> None:
        pauses.append(seconds)

    monkeypatch.setattr(async_handler, "asyncio", types.SimpleNamespace(sleep=note))
    return pauses


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_an_http_error_is_a_slack_api_error_with_that_status(
    status: int, slack: SlackStub, slack_client: AsyncWebClient
) -> None:
    slack.faults.add("chat.postMessage", HttpStatus(status))
    with pytest.raises(SlackApiError) as raised:
        await slack_client.chat_postMessage(channel=ALICE, text="x")
    assert raised.value.response.status_code == status
    assert slack.dm("alice") == []
    assert (await slack_client.chat_postMessage(channel=ALICE, text="x"))["ok"] is True


async def test_a_dropped_connection_is_retried_once_by_default(
    slack: SlackStub, slack_client: AsyncWebClient, retry_pauses: list[float]
) -> None:
    slack.faults.add("chat.postMessage", Drop())
    answer = await slack_client.chat_postMessage(channel=ALICE, text="once")
    assert answer["ok"] is True
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [0, 200]
    assert len(retry_pauses) == 1


async def test_two_drops_surface_as_a_disconnect(
    slack: SlackStub, slack_client: AsyncWebClient, retry_pauses: list[float]
) -> None:
    slack.faults.add("chat.postMessage", Drop(), times=2)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await slack_client.chat_postMessage(channel=ALICE, text="x")
    assert slack.dm("alice") == []


async def test_a_slow_answer_times_out_but_the_message_still_lands(slack: SlackStub) -> None:
    """Why a message that must go out once needs its own check before resending."""
    slack.faults.add("chat.postMessage", Slow(0.3))
    impatient = AsyncWebClient(token=slack.identity.bot_token, base_url=slack.api_url, timeout=0.05)  # type: ignore[arg-type]  # slack_sdk types timeout as int; it takes a float
    with pytest.raises(TimeoutError):
        await impatient.chat_postMessage(channel=ALICE, text="did it?")
    landed = await slack.wait_for(lambda: slack.dm("alice"))
    assert [m.text for m in landed] == ["did it?"]


async def test_an_ok_false_error_of_our_choosing(
    slack: SlackStub, slack_client: AsyncWebClient
) -> None:
    slack.faults.add("views.publish", SlackError("fatal_error"))
    with pytest.raises(SlackApiError) as raised:
        await slack_client.views_publish(user_id=ALICE, view={"type": "home", "blocks": []})
    assert raised.value.response.status_code == 200
    assert raised.value.response.data == {"ok": False, "error": "fatal_error"}
    assert slack.home("alice") is None


async def test_a_forced_429(slack: SlackStub, slack_client: AsyncWebClient) -> None:
    slack.faults.add("auth.test", RateLimited(retry_after=7))
    with pytest.raises(SlackApiError) as raised:
        await slack_client.auth_test()
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "7"


async def test_a_fraction_of_calls_fails_deterministically(
    slack: SlackStub, slack_client: AsyncWebClient
) -> None:
    slack.faults.add("*", SlackError("internal_error"), times=None, ratio=0.5)
    outcomes = []
    for _ in range(6):
        try:
            await slack_client.auth_test()
            outcomes.append("ok")
        except SlackApiError as error:
            outcomes.append(error.response["error"])
    assert outcomes == ["ok", "internal_error"] * 3


async def test_faults_queue_in_order_and_are_consumed(
    slack: SlackStub, slack_client: AsyncWebClient
) -> None:
    slack.faults.add("auth.test", SlackError("first"))
    slack.faults.add("auth.test", SlackError("second"))
    errors = []
    for _ in range(2):
        with pytest.raises(SlackApiError) as raised:
            await slack_client.auth_test()
        errors.append(raised.value.response["error"])
    assert errors == ["first", "second"]
    assert slack.faults.pending("auth.test") == 0
    assert (await slack_client.auth_test())["ok"] is True


async def test_a_failing_upload_url(slack: SlackStub, slack_client: AsyncWebClient) -> None:
    slack.faults.add("upload", HttpStatus(500))
    with pytest.raises(SlackRequestError, match="status: 500"):
        await slack_client.files_upload_v2(channel="C0GENERAL1", content=b"x", filename="x.txt")
    assert slack.calls_to("files.completeUploadExternal") == []
    assert slack.files[0].data is None
