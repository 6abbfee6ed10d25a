"""pytest fixtures for the Slack stand-in.

Use with ``pytest_plugins = ["tests.slack_fixtures"]`` (or import the fixtures).
``slack`` is a started :class:`SlackStub` on the real monotonic clock, unless the test
also asks for ``slack_clock``: then the stand-in runs on that :class:`ManualClock`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from standins.slack.clock import ManualClock
from standins.slack.stub import SlackStub


@pytest.fixture
def slack_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def slack(request: pytest.FixtureRequest) -> AsyncIterator[SlackStub]:
    if "slack_clock" in request.fixturenames:
        clock: ManualClock = request.getfixturevalue("slack_clock")
        stub = SlackStub(clock=clock)
    else:
        stub = SlackStub()
    async with stub:
        yield stub


@pytest.fixture
async def slack_client(slack: SlackStub) -> AsyncIterator[AsyncWebClient]:
    """A real AsyncWebClient with the bot token, sharing one aiohttp session."""
    async with aiohttp.ClientSession() as session:
        yield AsyncWebClient(
            token=slack.identity.bot_token, base_url=slack.api_url, session=session
        )
