"""`/fremdrift round list` and a dated `round open` through the real app and the Slack
stand-in: the admin reads the programme's rounds in date order, in Danish."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest

from bot.runtime import Fremdrift
from conversations.clock import ManualClock
from models.programme import Programme
from models.programme_file import load_programme_file
from models.round import Round
from service.imports import import_round
from standins.slack import SlackStub
from tests.matrix_support import SEED000_CSV
from tests.rounds_support import MONDAY_10
from tests.slack_app import KOL, join_workspace, running_app

ADMIN = "U0KOL000001"  # sekretariat
LEAD = "U0KOL000051"  # pl-syddanmark


@pytest.fixture
async def app(db: str, slack: SlackStub) -> AsyncIterator[Fremdrift]:
    await load_programme_file(KOL)
    await Programme.filter(key="kol-2018").update(steering_channel="C0GENERAL1")
    await join_workspace(slack)
    slack.limits.disable()
    async with running_app(slack, "http", clock=ManualClock(MONDAY_10)) as running:
        yield running


async def reply_to(slack: SlackStub, user: str, text: str) -> str:
    delivery = await slack.command(user, "/fremdrift", text)
    assert delivery.status == 200, delivery
    ephemeral = slack.ephemerals(user)[-1]
    return (ephemeral.text or "") + " " + str(ephemeral.blocks or "")


async def test_an_admin_lists_the_rounds_in_date_order(app: Fremdrift, slack: SlackStub) -> None:
    await import_round(
        "kol-2018", "12. møde", SEED000_CSV.read_bytes(), MONDAY_10, date_text="2018-06-20"
    )
    await import_round(
        "kol-2018", "11. møde", SEED000_CSV.read_bytes(), MONDAY_10, date_text="2018-03-01"
    )
    opened = await reply_to(
        slack, ADMIN, "round open 13. møde deadline fredag kl. 12 date 2018-09-20"
    )
    assert "Runden «13. møde» i kol-2018 er åben" in opened
    assert (await Round.get(name="13. møde")).date == date(2018, 9, 20)
    listed = await reply_to(slack, ADMIN, "round list")
    eleven = listed.index("2018-03-01  11. møde – importeret: 160 svar")
    twelve = listed.index("2018-06-20  12. møde – importeret: 160 svar")
    thirteen = listed.index("2018-09-20  13. møde – åben: 0 svar, 0 indsendte tjeklister")
    assert eleven < twelve < thirteen


async def test_a_lead_may_not_list_rounds(app: Fremdrift, slack: SlackStub) -> None:
    reply = await reply_to(slack, LEAD, "round list")
    assert "Kun programmets administratorer kan styre runder i kol-2018" in reply
