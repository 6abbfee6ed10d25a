"""/metrics counts answers stored from Teams as it does from Slack: the runner counts them once
committed, so a card's button with typed text counts every answer it stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.runtime import Fremdrift
from conversations.clock import ManualClock
from conversations.events import decode
from models.answer import Answer
from models.programme_file import load_programme_file
from service.round_jobs import build_worker
from standins.teams import TeamsStub
from tests.rounds_support import MONDAY_10
from tests.scenario_platforms import join_tenant, running_teams_app, settle
from tests.slack_app import KOL

pytest_plugins = ["tests.teams_fixtures"]

ADMIN = "sekretariat"
LEAD = "pl-syddanmark"
STORED = "fremdrift_answers_stored_total"


@pytest.fixture
async def app(db: str, teams: TeamsStub) -> AsyncIterator[Fremdrift]:
    await load_programme_file(KOL)
    await join_tenant(teams)
    teams.limits.disable()  # faster than a person; the limits have tests of their own
    async with running_teams_app(teams, ManualClock(MONDAY_10)) as running:
        for key in teams.users:
            assert all(d.ok for d in await teams.people.install(key))
        await settle(running)
        yield running


async def answers_stored(teams: TeamsStub) -> float:
    """fremdrift_answers_stored_total as /metrics serves it."""
    assert teams.bot_url is not None
    url = teams.bot_url.removesuffix("/api/messages") + "/metrics"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200
        body = await response.text()
    samples = [s for f in text_string_to_metric_families(body) for s in f.samples]
    return next((s.value for s in samples if s.name == STORED), 0.0)


def named(name: str, argument: str = "") -> Any:
    def match(data: dict[str, Any]) -> bool:
        wire = data.get("fd")
        if not isinstance(wire, str):
            return False
        event = decode(wire).event
        return event.name == name and (not argument or event.argument() == argument)

    return match


async def press(
    app: Fremdrift, teams: TeamsStub, match: Any, typed: dict[str, str] | None = None
) -> None:
    card = teams.cards(LEAD)[-1]
    assert (await teams.people.press(LEAD, card, match, typed)).ok
    await settle(app)


async def test_answers_stored_from_a_teams_card_are_counted_with_its_typed_text(
    app: Fremdrift, teams: TeamsStub
) -> None:
    assert (await teams.people.say(ADMIN, "round open 12. møde deadline om 5 dage")).ok
    await settle(app)
    await build_worker(app.messenger(), clock=app.clock, settings=app.settings).run_until_idle()
    before = await answers_stored(teams)

    await press(app, teams, named("start"))
    assert await answers_stored(teams) == before, "opening the checklist stores nothing"
    await press(app, teams, named("progress", "started"))
    assert await answers_stored(teams) == before + 1
    typed = {"fd_remark": "Afventer leverandør", "fd_forecast": "2. kvartal 2019"}
    await press(app, teams, named("next"), typed)
    assert await answers_stored(teams) == before + 3, "the remark and the forecast"
    assert await Answer.filter(remark="Afventer leverandør").count() == 1
