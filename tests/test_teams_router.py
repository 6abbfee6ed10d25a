"""Slack and Teams at once: one process serves both, and the job worker writes to each person
on their own platform — Slack first when they have both, Teams when Slack cannot reach them —
and publishes on every platform the programme has a steering channel on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aiohttp
import pytest
from pydantic import SecretStr

from bot.runtime import Fremdrift
from bot.settings import Settings
from conversations.clock import ManualClock
from conversations.views import View
from models.people import Account, Platform
from models.programme import Programme
from models.round import Round, RoundStatus
from service.messenger import Notice, PermanentFailure, Sent, TransientFailure, Unreachable
from service.messenger_router import MessengerRouter, Route
from service.round_jobs import build_worker
from standins.slack import SlackStub
from standins.teams import TeamsStub
from tests.factories import Small, small_programme
from tests.rounds_support import MONDAY_10
from tests.scenario_platforms import join_tenant, settle, teams_settings
from tests.slack_app import join_workspace

pytest_plugins = ["tests.teams_fixtures"]


@dataclass
class Fake:
    platform: str
    unreachable: set[int] = field(default_factory=set)
    failing: bool = False
    sent: list[tuple[str, int | None, str]] = field(default_factory=list)

    async def send_checklist(
        self, person_id: int, view: View, *, key: str, maybe_sent: bool = False
    ) -> Sent:
        return self._send("checklist", person_id, key)

    async def send_notice(
        self, person_id: int, notice: Notice, *, key: str, maybe_sent: bool = False
    ) -> Sent:
        return self._send("notice", person_id, key)

    async def publish(self, round_id: int, *, key: str, maybe_sent: bool = False) -> Sent:
        if self.failing:
            raise TransientFailure("503")
        return self._send("publish", None, key)

    def _send(self, what: str, person_id: int | None, key: str) -> Sent:
        if person_id in self.unreachable:
            raise Unreachable("gone")
        self.sent.append((what, person_id, key))
        return Sent({"platform": self.platform, "key": key})


def routes(
    slack: Fake, teams: Fake, *, slack_channel: bool = True, teams_channel: bool = True
) -> MessengerRouter:
    return MessengerRouter(
        [
            Route("slack", slack, lambda programme: slack_channel),
            Route("teams", teams, lambda programme: teams_channel),
        ]
    )


async def give_teams_account(person_id: int, object_id: str) -> None:
    await Account.create(
        person_id=person_id, platform=Platform.TEAMS, workspace="t", user_id=object_id
    )


async def test_a_person_with_both_accounts_gets_slack_and_teams_when_slack_cannot(
    db: str,
) -> None:
    small = await small_programme()
    await give_teams_account(small.lead.id, "lead-object-id")
    await Account.filter(person=small.deputy, platform=Platform.SLACK).delete()
    await give_teams_account(small.deputy.id, "deputy-object-id")
    slack, teams = Fake("slack"), Fake("teams")
    router = routes(slack, teams)
    notice = Notice("round.reminder")
    assert (await router.send_notice(small.lead.id, notice, key="a")).ref["platform"] == "slack"
    assert (await router.send_notice(small.deputy.id, notice, key="b")).ref["platform"] == "teams"
    slack.unreachable.add(small.lead.id)
    assert (await router.send_notice(small.lead.id, notice, key="c")).ref["platform"] == "teams"
    teams.unreachable.add(small.lead.id)
    with pytest.raises(Unreachable):
        await router.send_notice(small.lead.id, notice, key="d")
    await Account.filter(person=small.stranger).delete()
    with pytest.raises(Unreachable):  # no account on a platform this bot serves
        await router.send_notice(small.stranger.id, notice, key="e")
    assert [key for _, _, key in slack.sent + teams.sent] == ["a", "b", "c"]


async def test_a_round_is_published_on_every_platform_with_a_channel(db: str) -> None:
    small = await small_programme()
    slack, teams = Fake("slack"), Fake("teams", failing=True)
    with pytest.raises(TransientFailure):
        await routes(slack, teams).publish(small.round.id, key="p")
    assert slack.sent == [("publish", None, "p")], "Slack published although Teams failed"
    teams.failing = False
    await routes(slack, teams).publish(small.round.id, key="p", maybe_sent=True)
    assert teams.sent == [("publish", None, "p")]
    with pytest.raises(PermanentFailure):
        await routes(slack, teams, slack_channel=False, teams_channel=False).publish(
            small.round.id, key="q"
        )


@pytest.fixture
async def both(
    db: str, slack: SlackStub, teams: TeamsStub
) -> AsyncIterator[tuple[Fremdrift, Small]]:
    small = await small_programme(open_round=False)
    await join_workspace(slack)
    slack.limits.disable()
    await join_tenant(teams)
    steering = teams.add_channel("styregruppe", members=["sekretariat"])
    base = teams_settings(teams, teams_steering_channels={"mini": steering.id})
    settings = Settings(
        _env_file=None,
        **{
            **base.model_dump(),
            "slack_bot_token": SecretStr(slack.identity.bot_token),
            "slack_signing_secret": SecretStr(slack.identity.signing_secret),
            "slack_api_url": slack.api_url,
        },
    )
    app = Fremdrift(settings, clock=ManualClock(MONDAY_10), manage_db=False)
    await app.start()
    try:
        url = await app.serve_http("127.0.0.1", 0)
        slack.request_url = f"{url}/slack/events"
        teams.bot_url = f"{url}/api/messages"
        yield app, small
    finally:
        slack.request_url = None
        teams.bot_url = None
        await app.stop()


async def test_one_process_serves_slack_and_teams_and_routes_each_person(
    both: tuple[Fremdrift, Small], slack: SlackStub, teams: TeamsStub
) -> None:
    app, small = both
    # the lead has Slack and installs Teams too; the deputy is on Teams only
    for key in ("pl-syd", "stf-syd", "sekretariat"):
        assert all(d.ok for d in await teams.people.install(key))
    await settle(app)
    await Account.filter(person=small.deputy, platform=Platform.SLACK).delete()
    async with aiohttp.ClientSession() as session, session.get(app_url(slack) + "/healthz") as up:
        assert up.status == 200
    reply = await slack.command("U0ADMIN001", "/fremdrift", "round open 13. møde deadline fredag")
    assert reply.status == 200
    await build_worker(app.messenger(), clock=app.clock, settings=app.settings).run_until_idle()
    assert len([m for m in slack.dm("U0ALICE001") if m.blocks]) == 1, "the lead: on Slack"
    assert not [p for p in teams.cards("pl-syd") if p.kind == "proactive"], "and not twice"
    assert len([p for p in teams.cards("stf-syd") if p.kind == "proactive"]) == 1
    assert slack.dm("U0BOB00001") == []
    await slack.command("U0ADMIN001", "/fremdrift", "round close")
    await build_worker(app.messenger(), clock=app.clock, settings=app.settings).run_until_idle()
    programme = await Programme.get(key="mini")
    assert slack.messages(programme.steering_channel), "published in Slack's channel"
    assert teams.channel_posts("styregruppe"), "and in Teams'"
    assert (await Round.get(name="13. møde")).status is RoundStatus.PUBLISHED


def app_url(slack: SlackStub) -> str:
    assert slack.request_url is not None
    return slack.request_url.removesuffix("/slack/events")
