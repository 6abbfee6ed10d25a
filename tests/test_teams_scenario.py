"""One KOL round — open, invite every lead, a lead plays the whole checklist, reminders,
close and publish — played on Slack and on Teams: the same answers, revisions and matrix."""

from __future__ import annotations

import pytest

from conversations.clock import ManualClock
from models.programme_file import load_programme_file
from standins.slack import ManualClock as StandInClock
from standins.slack import SlackStub
from standins.teams import TeamsStub
from tests.scenario_checklist import LEAD, MONDAY_10, ROUND_NAME, Outcome, check, play_round
from tests.scenario_platforms import reset_database, slack_driver, teams_driver
from tests.slack_app import KOL

pytest_plugins = ["tests.teams_fixtures"]


async def on_teams() -> tuple[Outcome, list[str]]:
    await load_programme_file(KOL)
    async with (
        TeamsStub(clock=StandInClock()) as teams,
        teams_driver(teams, ManualClock(MONDAY_10)) as driver,
    ):
        outcome = await play_round(driver)
        assert not teams.too_big and not teams.bad_cards, (teams.too_big, teams.bad_cards)
        live = driver.live(LEAD)
        assert live.kind == "proactive", "the invitation came unasked"
        # every press redrew the card the lead pressed: the invitation, updated in place
        assert len(live.updates) == driver.presses
        return outcome, driver.published()


async def on_slack(slack: SlackStub) -> tuple[Outcome, list[str]]:
    await load_programme_file(KOL)
    async with slack_driver(slack, ManualClock(MONDAY_10)) as driver:
        return await play_round(driver), driver.published()


async def test_the_same_round_on_slack_and_on_teams_stores_the_same(
    db: str, slack: SlackStub, tmp_path_factory: pytest.TempPathFactory
) -> None:
    slack_outcome, slack_posts = await on_slack(slack)
    check(slack_outcome)
    await reset_database(db, tmp_path_factory.getbasetemp())
    teams_outcome, teams_posts = await on_teams()
    check(teams_outcome)
    assert teams_outcome == slack_outcome
    assert ROUND_NAME in slack_posts[0] and ROUND_NAME in teams_posts[0]
    assert len(teams_posts) == 3, teams_posts  # the summary, the matrix, the documents' links
