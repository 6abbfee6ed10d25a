"""The scenario's drivers: Slack and Teams, each through the real app and its stand-in.

`SlackDriver` clicks Block Kit buttons and fills modals in tests/slackstub; `TeamsDriver`
presses Adaptive Card buttons, with typed text in the card's inputs, in tests/teamsstub. Both
run the job worker the way `serve` does, with `Fremdrift.messenger()`. `running_teams_app`
starts what `fremdrift serve` starts for Teams, with Teams' URLs pointed at the stand-in.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from tortoise import Tortoise

from bot.runtime import Fremdrift
from bot.settings import Settings
from conversations.clock import ManualClock
from conversations.events import decode
from models.db import close_db, is_postgres, tortoise_config
from models.people import Account, Person, Platform
from models.programme import Programme
from service.round_jobs import build_worker
from standins.slack import ManualClock as SlackClock
from standins.slack import SlackStub
from standins.slack.models import Message
from standins.teams import Posted, TeamsStub, walk
from tests.conftest import _truncate_postgres, sqlite_template
from tests.slack_app import join_workspace, running_app

CHECKLIST_SETS = {
    "fd_intro": "intro",
    "fd_progress": "milestone",
    "fd_confirm": "confirm_forecast",
    "fd_baseline": "confirm_baseline",
    "fd_read_only": "read_only",
    "fd_review_nav": "review",
    "fd_submitted": "submitted",
    "fd_paused": "paused",
}
STEERING = "styregruppe"
HUMAN_PACE = 1.0  # seconds a person takes between two presses (Teams' limits are per second)


def email_of(key: str) -> str:
    return f"{key}@kol.example"


# --- Slack -----------------------------------------------------------------------------------


class SlackDriver:
    platform = "slack"

    def __init__(self, app: Fremdrift, slack: SlackStub, clock: ManualClock, users: dict[str, str]):
        self.app = app
        self.slack = slack
        self.clock = clock
        self.users = users  # person key -> Slack user id
        self.channel = ""

    async def command(self, person: str, text: str) -> str:
        delivery = await self.slack.command(self.users[person], "/fremdrift", text)
        assert delivery.status == 200, delivery
        reply = self.slack.ephemerals(self.users[person])[-1]
        return (reply.text or "") + " " + str(reply.blocks or "")

    async def run_jobs(self) -> None:
        worker = build_worker(self.app.messenger(), clock=self.clock, settings=self.app.settings)
        await worker.run_until_idle()

    def received(self, person: str) -> list[str]:
        return [m.text for m in self.slack.dm(self.users[person])]

    def _live(self, person: str) -> Message:
        for message in reversed(self.slack.dm(self.users[person])):
            if any(b.get("block_id") in CHECKLIST_SETS for b in message.blocks or []):
                return message
        raise AssertionError("no checklist in the DM")

    def checklist(self, person: str) -> tuple[str, str | None]:
        for block in self._live(person).blocks or []:
            kind = CHECKLIST_SETS.get(str(block.get("block_id")))
            if kind is not None:
                code = decode(block["elements"][0]["value"]).event.code or None
                return kind, code
        raise AssertionError("not a checklist message")

    def shown(self, person: str) -> str:
        """Everything the live checklist message says, as one text (its blocks' JSON)."""
        return json.dumps(self._live(person).blocks, ensure_ascii=False)

    async def _click(self, person: str, action_id: str) -> None:
        delivery = await self.slack.click(self.users[person], self._live(person), action_id)
        assert delivery.acked, delivery
        assert self.app.deps is not None
        await self.app.deps.deliveries.drain()

    async def press(self, person: str, name: str, argument: str = "") -> None:
        if name == "critical":
            argument = ""
        await self._click(person, f"fd:{name}:{argument}")

    async def write(self, person: str, field: str, text: str) -> None:
        await self._click(person, f"fdm:{field}")
        user = self.users[person]
        modal = await self.slack.wait_for(lambda: self.slack.top_modal(user))
        delivery = await self.slack.submit(user, modal, {"fd_text": text})
        assert delivery.acked and self.slack.top_modal(user) is None
        assert self.app.deps is not None
        await self.app.deps.deliveries.drain()

    def published(self) -> list[str]:
        posts = []
        for message in self.slack.messages(self.channel):
            posts.append(message.text)
            posts += [reply.text for reply in self.slack.thread(self.channel, message.ts)]
        return posts


@asynccontextmanager
async def slack_driver(
    slack: SlackStub, clock: ManualClock, programme_key: str = "kol-2018"
) -> AsyncIterator[SlackDriver]:
    await join_workspace(slack)
    programme = await Programme.get(key=programme_key)
    channel = slack.workspace.add_channel(STEERING, channel_id="C0STEERING1")
    await Programme.filter(id=programme.id).update(steering_channel=channel.id)
    slack.limits.disable()  # the app's clock is a manual one; a Retry-After would never pass
    users = {
        str(a.person.key): a.user_id
        for a in await Account.filter(platform=Platform.SLACK).prefetch_related("person")
    }
    async with running_app(slack, "http", clock=clock) as app:
        driver = SlackDriver(app, slack, clock, users)
        driver.channel = channel.id
        yield driver


# --- Teams -----------------------------------------------------------------------------------


def teams_settings(teams: TeamsStub, **more: Any) -> Settings:
    identity = teams.identity
    values: dict[str, Any] = {
        "teams_app_id": identity.app_id,
        "teams_app_password": SecretStr(identity.password),
        "teams_tenant_id": identity.tenant_id,
        "teams_openid_metadata_url": teams.metadata_url,
        "teams_token_url": teams.token_url,
        "teams_service_url": teams.service_url,
        "teams_public_url": "https://fremdrift.kol.example",
        "language": "da",
        **more,
    }
    return Settings(_env_file=None, **values)


@asynccontextmanager
async def running_teams_app(
    teams: TeamsStub, clock: ManualClock, settings: Settings | None = None
) -> AsyncIterator[Fremdrift]:
    """The app with Teams alone (or as `settings` say), its /api/messages given to Teams."""
    app = Fremdrift(settings or teams_settings(teams), clock=clock, manage_db=False)
    await app.start()
    try:
        url = await app.serve_http("127.0.0.1", 0)
        teams.bot_url = f"{url}/api/messages"
        yield app
    finally:
        teams.bot_url = None
        await app.stop()


async def join_tenant(teams: TeamsStub) -> None:
    """Every person of the database becomes a user of the stand-in's tenant, with the e-mail
    address that links them (set on the person, as a programme file would)."""
    for person in await Person.all():
        if person.key not in teams.users:
            await Person.filter(id=person.id).update(email=email_of(person.key))
            locale = "en-GB" if person.language == "en" else "da-DK"
            teams.add_user(person.key, person.name, email_of(person.key), locale=locale)


async def settle(app: Fremdrift) -> None:
    """Until every card update and note of the clicks so far has reached Teams."""
    assert app.teams is not None
    await app.teams.deliveries.drain()


class TeamsDriver:
    platform = "teams"

    def __init__(self, app: Fremdrift, teams: TeamsStub, clock: ManualClock, pace: SlackClock):
        self.app = app
        self.teams = teams
        self.clock = clock
        self.pace = pace
        self.presses = 0

    async def command(self, person: str, text: str) -> str:
        before = len(self.teams.chat(person))
        delivery = await self.teams.people.say(person, text)
        assert delivery.ok, delivery
        await settle(self.app)
        return "\n".join(p.text for p in self.teams.chat(person)[before:])

    async def run_jobs(self) -> None:
        worker = build_worker(self.app.messenger(), clock=self.clock, settings=self.app.settings)
        await worker.run_until_idle()

    def received(self, person: str) -> list[str]:
        return [p.text for p in self.teams.chat(person)]

    def live(self, person: str) -> Posted:
        for posted in reversed(self.teams.cards(person)):
            if self._kind(posted) is not None:
                return posted
        raise AssertionError("no checklist card in the chat")

    @staticmethod
    def _kind(posted: Posted) -> tuple[str, str | None] | None:
        for action_set in walk(posted.card, "ActionSet"):
            kind = CHECKLIST_SETS.get(str(action_set.get("id")))
            if kind is not None:
                data = action_set["actions"][0]["data"]
                wire = data.get("fd") or data["fd_text"]  # a row of typed answers saves text
                return kind, decode(wire).event.code or None
        return None

    def checklist(self, person: str) -> tuple[str, str | None]:
        found = self._kind(self.live(person))
        assert found is not None
        return found

    def shown(self, person: str) -> str:
        """Everything the live checklist card says, as one text (its JSON)."""
        return json.dumps(self.live(person).card, ensure_ascii=False)

    async def _press(self, person: str, match: Any, typed: dict[str, str] | None = None) -> None:
        self.pace.advance(HUMAN_PACE)
        self.presses += 1
        delivery = await self.teams.people.press(person, self.live(person), match, typed)
        assert delivery.ok, delivery
        await settle(self.app)

    async def press(self, person: str, name: str, argument: str = "") -> None:
        def match(data: dict[str, Any]) -> bool:
            wire = data.get("fd")
            if not isinstance(wire, str):
                return False
            event = decode(wire).event
            return event.name == name and (not argument or event.argument() == argument)

        await self._press(person, match)

    async def write(self, person: str, field: str, text: str) -> None:
        await self._press(person, lambda data: "fd_text" in data, {f"fd_{field}": text})

    def published(self) -> list[str]:
        return [p.text for p in self.teams.channel_posts(STEERING)]


@asynccontextmanager
async def teams_driver(
    teams: TeamsStub,
    clock: ManualClock,
    programme_key: str = "kol-2018",
    admin: str = "sekretariat",
) -> AsyncIterator[TeamsDriver]:
    """The programme's people (KOL's by default) installed in Teams, the steering channel,
    the app; the stand-in must run on a manual clock, moved at a person's pace (Teams' rate
    limits are real)."""
    pace = teams.clock
    assert isinstance(pace, SlackClock), "start the stand-in with TeamsStub(clock=ManualClock())"
    await join_tenant(teams)
    channel = teams.add_channel(STEERING, members=[admin])
    settings = teams_settings(teams, teams_steering_channels={programme_key: channel.id})
    async with running_teams_app(teams, clock, settings) as app:
        for person in teams.users:
            for delivery in await teams.people.install(person):
                assert delivery.ok, delivery
        await settle(app)
        yield TeamsDriver(app, teams, clock, pace)


async def reset_database(database_url: str, folder: Path) -> None:
    """Empty the test's database again, so a second platform plays on a clean one."""
    if is_postgres(database_url):
        await _truncate_postgres()
        return
    await close_db()
    path = Path(database_url.removeprefix("sqlite://"))
    shutil.copyfile(await sqlite_template(folder), path)
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)
