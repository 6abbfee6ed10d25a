"""The real Fremdrift app against the Slack stand-in, over HTTP or Socket Mode.

`running_app` starts what `fremdrift serve` starts — the bolt app, its clients, the
deliveries — with Slack's URL pointed at the stand-in; the database is the test's own.
"""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import SecretStr

from bot.demo.checkout import demo_inputs
from bot.runtime import Fremdrift
from bot.settings import Settings
from conversations.clock import Clock
from models.people import Account, Platform
from standins.slack import SlackStub

ROOT = Path(__file__).parent.parent
KOL = ROOT / "programmes" / "kol-2018.yaml"
SEED000 = demo_inputs().seed


def settings_for(slack: SlackStub, transport: Literal["http", "socket"]) -> Settings:
    identity = slack.identity
    return Settings(
        slack_bot_token=SecretStr(identity.bot_token),
        slack_signing_secret=SecretStr(identity.signing_secret),
        slack_app_token=SecretStr(identity.app_token) if transport == "socket" else None,
        slack_api_url=slack.api_url,
        language="da",
    )


@asynccontextmanager
async def running_app(
    slack: SlackStub, transport: Literal["http", "socket"], clock: Clock | None = None
) -> AsyncIterator[Fremdrift]:
    app = Fremdrift(settings_for(slack, transport), clock=clock, manage_db=False)
    await app.start()
    try:
        if transport == "http":
            url = await app.serve_http("127.0.0.1", 0)
            slack.request_url = f"{url}/slack/events"
        else:
            await app.connect_socket()
            await slack.wait_for_socket(1)
        yield app
    finally:
        slack.request_url = None
        await app.stop()


async def join_workspace(slack: SlackStub) -> None:
    """Every person with a Slack account in the database becomes a user of the stand-in."""
    known = {user.id for user in slack.workspace.users.values()}
    for account in await Account.filter(platform=Platform.SLACK).prefetch_related("person"):
        if account.user_id not in known:
            language = account.person.language or "da"
            slack.workspace.add_user(
                account.person.key,
                user_id=account.user_id,
                real_name=account.person.name,
                locale="da-DK" if language == "da" else "en-GB",
            )


@dataclass(frozen=True)
class SeedAnswer:
    milestone: str
    unit: str
    progress: str
    delay: str
    critical: bool
    forecast: str
    remark: str


def seed000_answers(unit: str) -> dict[str, SeedAnswer]:
    """Seed 000's answers for one unit, transcribed in tests/fixtures/seed000.csv."""
    with SEED000.open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["unit"] == unit]
    return {
        row["milestone"]: SeedAnswer(
            row["milestone"],
            row["unit"],
            row["progress"],
            row["delay"],
            row["critical"] == "yes",
            row["forecast"],
            row["remark"],
        )
        for row in rows
    }
