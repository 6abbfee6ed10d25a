"""The Teams edge under bad input: tokens that are not Bot Framework's for us are refused
with 401 and leave nothing behind; an activity Teams sends again is carried out once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from bot.runtime import Fremdrift
from conversations.clock import ManualClock
from conversations.events import decode
from models.answer import AnswerRevision
from models.conversation import Conversation, ProcessedEvent
from models.people import Account, Platform
from standins.teams import Posted, Tamper, TeamsStub
from tests.factories import OPENED, Small, small_programme
from tests.scenario_platforms import join_tenant, running_teams_app, settle, teams_settings

pytest_plugins = ["tests.teams_fixtures"]

NOW = OPENED + timedelta(days=1)
SYD = "unit:syd"
LEAD = "pl-syd"


@pytest.fixture
async def small(db: str) -> Small:
    return await small_programme()


@pytest.fixture
async def app(small: Small, teams: TeamsStub) -> AsyncIterator[Fremdrift]:
    await join_tenant(teams)
    async with running_teams_app(teams, ManualClock(NOW)) as running:
        yield running


def button(name: str) -> Any:
    def match(data: dict[str, Any]) -> bool:
        wire = data.get("fd")
        return isinstance(wire, str) and decode(wire).event.name == name

    return match


def progress(value: str) -> Any:
    def match(data: dict[str, Any]) -> bool:
        wire = data.get("fd")
        return isinstance(wire, str) and decode(wire).event.argument() == value

    return match


async def invited(app: Fremdrift, small: Small, teams: TeamsStub) -> Posted:
    """The lead's checklist card, as the invitation job would post it."""
    assert app.teams is not None
    for delivery in await teams.people.install(LEAD):
        assert delivery.ok
    current = await app.teams.runner.current(small.lead, small.round.id, SYD)
    assert current.view is not None
    await app.teams.messenger().send_checklist(small.lead.id, current.view, key="invite")
    return teams.cards(LEAD)[-1]


async def stored() -> tuple[int, int, int, int]:
    return (
        await ProcessedEvent.all().count(),
        await Account.filter(platform=Platform.TEAMS).count(),
        await Conversation.all().count(),
        await AnswerRevision.all().count(),
    )


@pytest.mark.parametrize("tamper", list(Tamper))
async def test_an_activity_not_from_bot_framework_for_us_is_refused_and_stores_nothing(
    app: Fremdrift, teams: TeamsStub, tamper: Tamper
) -> None:
    deliveries = await teams.people.install(LEAD, tamper=tamper)
    await settle(app)
    assert [d.status for d in deliveries] == [401, 401], tamper
    assert await stored() == (0, 0, 0, 0)
    assert teams.posted == [], "the bot said nothing to a caller it could not trust"


@pytest.mark.parametrize("tamper", [Tamper.FORGED, Tamper.EXPIRED, Tamper.WRONG_SERVICE_URL])
async def test_a_forged_click_changes_no_answer(
    app: Fremdrift, small: Small, teams: TeamsStub, tamper: Tamper
) -> None:
    card = await invited(app, small, teams)
    before = await stored()
    refused = await teams.people.press(LEAD, card, button("start"), tamper=tamper)
    await settle(app)
    assert refused.status == 401
    assert await stored() == before
    posted = teams.posted_by_id(card.id)
    assert posted is not None
    assert posted.updates == []


async def test_another_tenants_activity_is_refused(small: Small, teams: TeamsStub) -> None:
    await join_tenant(teams)
    settings = teams_settings(teams, teams_tenant_id="11111111-2222-3333-4444-555555555555")
    async with running_teams_app(teams, ManualClock(NOW), settings):
        deliveries = await teams.people.install(LEAD)
    assert [d.status for d in deliveries] == [401, 401]
    assert await stored() == (0, 0, 0, 0)


async def test_an_activity_sent_again_is_carried_out_once(
    app: Fremdrift, small: Small, teams: TeamsStub
) -> None:
    card = await invited(app, small, teams)
    assert (await teams.people.press(LEAD, card, button("start"))).ok
    await settle(app)
    first = await teams.people.press(LEAD, teams.cards(LEAD)[-1], progress("reached"))
    await settle(app)
    updates = len(card.updates)
    again = await teams.sender.deliver(first.activity)
    await settle(app)
    assert first.ok and again.ok
    assert await AnswerRevision.all().count() == 1
    assert len(card.updates) == updates, "nothing was redrawn for the copy"


async def test_a_navigation_sent_again_moves_once(
    app: Fremdrift, small: Small, teams: TeamsStub
) -> None:
    card = await invited(app, small, teams)
    await teams.people.press(LEAD, card, button("start"))
    await settle(app)
    skipped = await teams.people.press(LEAD, card, button("skip"))
    await settle(app)
    await teams.sender.deliver(skipped.activity)
    await settle(app)
    conversation = await Conversation.get(person=small.lead, scope=SYD)
    assert conversation.state["code"] == "1.2", "skipped once: the second milestone, not the third"
