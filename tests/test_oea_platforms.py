"""A topic owner plays their ØA20 checklist (seed 004) in Slack and in Teams, through the real
app and each platform's stand-in: the same answers stored, the same round published in table
layout, without colours (tests/scenario_oea.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conversations.clock import ManualClock
from models.programme_file import load_programme_file
from standins.slack import ManualClock as StandInClock
from standins.slack import SlackStub
from standins.teams import TeamsStub
from tests.scenario_oea import ADMIN, MONDAY_10, OWNER, Outcome, check, play_oea_round
from tests.scenario_platforms import reset_database, slack_driver, teams_driver

pytest_plugins = ["tests.teams_fixtures"]

OEA = Path(__file__).parent.parent / "programmes" / "oea-2020.yaml"


async def on_slack(slack: SlackStub) -> tuple[Outcome, list[str]]:
    await load_programme_file(OEA)
    async with slack_driver(slack, ManualClock(MONDAY_10), "oea-2020") as driver:
        outcome = await play_oea_round(driver)
        topic = str(driver._live(OWNER).blocks)
        return outcome, [topic]


async def on_teams() -> tuple[Outcome, list[str]]:
    await load_programme_file(OEA)
    # ØA20 invites sixteen people at once: over Teams' 50 calls a second for an app, on a
    # stand-in clock that does not move while the jobs run. The app's answer to a 429 is
    # tests/test_teams_faults.py's; here the limits are off.
    async with (
        TeamsStub(clock=StandInClock(), rate_limits=False) as teams,
        teams_driver(teams, ManualClock(MONDAY_10), "oea-2020", ADMIN) as driver,
    ):
        outcome = await play_oea_round(driver)
        assert not teams.too_big and not teams.bad_cards, (teams.too_big, teams.bad_cards)
        return outcome, [str(driver.live(OWNER).card)]


async def test_a_topic_owner_answers_oea_on_slack_and_on_teams_alike(
    db: str, slack: SlackStub, tmp_path_factory: pytest.TempPathFactory
) -> None:
    slack_outcome, slack_views = await on_slack(slack)
    check(slack_outcome)
    assert "AKJ er indsendt" in slack_views[0]
    await reset_database(db, tmp_path_factory.getbasetemp())
    teams_outcome, teams_views = await on_teams()
    check(teams_outcome)
    assert "AKJ er indsendt" in teams_views[0]
    assert teams_outcome.answers == slack_outcome.answers
    assert teams_outcome.submitted == slack_outcome.submitted
    assert len(teams_outcome.posts) >= 3, "the summary, the items, the documents' links"
