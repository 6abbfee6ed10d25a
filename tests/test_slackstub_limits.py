"""Rate limits by tier on the injectable clock, and the SDK's retry handler waiting them out."""

from __future__ import annotations

import types
from collections.abc import Awaitable

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_async_handlers
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from standins.slack import ManualClock, SlackStub

pytest_plugins = ["tests.slack_fixtures"]

ALICE, BOB = "U0ALICE001", "U0BOB00001"


async def limited(call: Awaitable[object]) -> SlackApiError:
    with pytest.raises(SlackApiError) as raised:
        await call
    return raised.value


async def test_tier_3_allows_a_burst_of_10_then_asks_to_wait(
    slack_clock: ManualClock, slack: SlackStub, slack_client: AsyncWebClient
) -> None:
    for _ in range(10):
        await slack_client.conversations_open(users=ALICE)
    error = await limited(slack_client.conversations_open(users=ALICE))

    assert error.response.status_code == 429
    assert error.response.headers["Retry-After"] == "2"
    assert error.response.data == {"ok": False, "error": "ratelimited"}
    slack_clock.advance(1.2)
    assert (await slack_client.conversations_open(users=ALICE))["ok"] is True


async def test_post_message_is_about_one_per_second_per_channel(
    slack_clock: ManualClock, slack: SlackStub, slack_client: AsyncWebClient
) -> None:
    for n in range(3):
        await slack_client.chat_postMessage(channel=ALICE, text=f"burst {n}")
    error = await limited(slack_client.chat_postMessage(channel=ALICE, text="one too many"))
    other_channel = await slack_client.chat_postMessage(channel=BOB, text="elsewhere")
    slack_clock.advance(1.0)
    after_a_second = await slack_client.chat_postMessage(channel=ALICE, text="later")

    assert error.response.status_code == 429
    assert error.response.headers["Retry-After"] == "1"
    assert other_channel["ok"]
    assert after_a_second["ok"]
    assert [m.text for m in slack.dm("alice")] == ["burst 0", "burst 1", "burst 2", "later"]


async def test_post_message_has_a_workspace_wide_ceiling(
    slack: SlackStub, slack_client: AsyncWebClient
) -> None:
    slack.limits.set_limit("chat.postMessage", per_minute=60, burst=2)
    await slack_client.chat_postMessage(channel=ALICE, text="1")
    await slack_client.chat_postMessage(channel=BOB, text="2")
    error = await limited(slack_client.chat_postMessage(channel="C0GENERAL1", text="3"))
    assert error.response.status_code == 429


async def test_fan_out_by_user_id_beats_opening_each_dm(
    slack: SlackStub, slack_client: AsyncWebClient
) -> None:
    """Fifty leads: chat.postMessage to user ids fits the burst; conversations.open does not."""
    leads = [slack.workspace.add_user(f"lead{n}").id for n in range(50)]
    posted = [await slack_client.chat_postMessage(channel=lead, text="Round 7") for lead in leads]
    statuses = []
    for lead in leads[:11]:
        try:
            await slack_client.conversations_open(users=lead)
            statuses.append(200)
        except SlackApiError as error:
            statuses.append(error.response.status_code)

    assert all(p["ok"] for p in posted)
    assert statuses == [200] * 10 + [429]


async def test_a_test_can_set_disable_and_scale_limits(
    slack_clock: ManualClock, slack: SlackStub, slack_client: AsyncWebClient
) -> None:
    """On a manual clock: a loaded machine must not let the limit refill between calls."""
    slack.limits.set_limit("users.info", per_minute=1, burst=1)
    await slack_client.users_info(user=ALICE)
    assert (await limited(slack_client.users_info(user=ALICE))).response.headers[
        "Retry-After"
    ] == "60"

    slack.limits.disable()
    for _ in range(30):
        await slack_client.users_info(user=ALICE)

    slack.limits.enable()
    slack.limits.scale(10)
    for _ in range(100):
        await slack_client.conversations_open(users=ALICE)
    assert (await limited(slack_client.conversations_open(users=ALICE))).response.status_code == 429


async def test_the_sdk_retry_handler_waits_out_retry_after(
    slack_clock: ManualClock, slack: SlackStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []

    async def sleep_on_the_stub_clock(seconds: float) -> None:
        slept.append(seconds)
        slack_clock.advance(seconds)

    monkeypatch.setattr(
        builtin_async_handlers, "asyncio", types.SimpleNamespace(sleep=sleep_on_the_stub_clock)
    )
    slack.limits.set_limit("users.info", per_minute=1, burst=1)
    client = AsyncWebClient(
        token=slack.identity.bot_token,
        base_url=slack.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )

    await client.users_info(user=ALICE)
    answer = await client.users_info(user=ALICE)

    assert answer["user"]["id"] == ALICE
    assert len(slept) == 1
    assert 60 <= slept[0] < 61
    assert [c.status for c in slack.calls_to("users.info")] == [200, 429, 200]


async def test_limits_can_be_off_from_the_start() -> None:
    async with SlackStub(rate_limits=False) as slack:
        client = AsyncWebClient(token=slack.identity.bot_token, base_url=slack.api_url)
        for n in range(20):
            await client.chat_postMessage(channel=ALICE, text=str(n))
        assert len(slack.dm("alice")) == 20
