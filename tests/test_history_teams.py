"""`round link` typed in Teams (the stand-in, the real app): an admin gets the history's
signed link in their personal chat; a lead is refused; in a channel, where everyone would
read it, nobody gets it. The menu of commands has no room for it (Teams allows ten)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from bot.runtime import Fremdrift
from conversations.clock import ManualClock
from models.programme_file import load_programme_file
from standins.teams import TeamsStub
from tests.rounds_support import MONDAY_10
from tests.scenario_platforms import join_tenant, running_teams_app, settle, teams_settings
from tests.slack_app import KOL
from tests.test_teams_commands import ADMIN, LEAD, say

pytest_plugins = ["tests.teams_fixtures"]

SECRET = "t" * 40


@pytest.fixture
async def app(db: str, teams: TeamsStub) -> AsyncIterator[Fremdrift]:
    await load_programme_file(KOL)
    await join_tenant(teams)
    teams.limits.disable()
    settings = teams_settings(teams).model_copy(update={"history_secret": SecretStr(SECRET)})
    async with running_teams_app(teams, ManualClock(MONDAY_10), settings) as running:
        for key in teams.users:
            assert all(d.ok for d in await teams.people.install(key))
        await settle(running)
        yield running


async def test_round_link_in_a_personal_chat_and_never_in_a_channel(
    app: Fremdrift, teams: TeamsStub
) -> None:
    public = app.settings.teams_public_url.rstrip("/")
    reply = await say(teams, app, ADMIN, "round link")
    assert "Historikken for kol-2018" in reply
    assert f"]({public}/history/kol-2018?expires=" in reply  # a link in card markdown

    refused = await say(teams, app, LEAD, "round link")
    assert "Kun programmets administratorer" in refused and "/history/" not in refused

    channel = teams.add_channel("sekretariatet", members=[ADMIN, LEAD])
    delivery = await teams.people.mention(ADMIN, "sekretariatet", "round link")
    assert delivery.ok
    await settle(app)
    posted = [p.text for p in teams.posted if p.conversation_id == channel.id]
    assert len(posted) == 1 and "din personlige chat" in posted[0]
    assert "/history/" not in posted[0]
