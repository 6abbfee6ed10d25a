"""Rounds run from Teams: the same command language and the same refusals as /fremdrift, in a
personal chat or by @mention in a channel; the checklist card's other buttons (resume,
snooze) and a stale card answered with the dialogue's "moved on"."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.runtime import Fremdrift
from conversations.clock import ManualClock
from conversations.events import decode
from models.answer import Answer
from models.jobs import Job
from models.people import Person
from models.programme_file import load_programme_file
from models.round import Round, RoundStatus
from render.i18n import Target, catalogue
from service.round_jobs import build_worker
from standins.teams import Posted, TeamsStub
from tests.rounds_support import MONDAY_10
from tests.scenario_checklist import ASKED
from tests.scenario_platforms import join_tenant, running_teams_app, settle
from tests.slack_app import KOL

pytest_plugins = ["tests.teams_fixtures"]

ADMIN = "sekretariat"
LEAD = "pl-syddanmark"


@pytest.fixture
async def app(db: str, teams: TeamsStub) -> AsyncIterator[Fremdrift]:
    await load_programme_file(KOL)
    await join_tenant(teams)
    teams.limits.disable()  # these tests press faster than a person; the limits have their own
    async with running_teams_app(teams, ManualClock(MONDAY_10)) as running:
        for key in teams.users:
            assert all(d.ok for d in await teams.people.install(key))
        await settle(running)
        yield running


async def say(teams: TeamsStub, app: Fremdrift, person: str, text: str) -> str:
    """What the bot answers `person` in their personal chat."""
    before = len(teams.chat(person))
    delivery = await teams.people.say(person, text)
    assert delivery.ok, delivery
    await settle(app)
    return "\n".join(p.text for p in teams.chat(person)[before:])


async def run_jobs(app: Fremdrift) -> int:
    return await build_worker(
        app.messenger(), clock=app.clock, settings=app.settings
    ).run_until_idle()


def wire_named(name: str, argument: str = "") -> Any:
    def match(data: dict[str, Any]) -> bool:
        wire = data.get("fd")
        if not isinstance(wire, str):
            return False
        event = decode(wire).event
        return event.name == name and (not argument or event.argument() == argument)

    return match


async def test_an_admin_opens_a_round_from_a_personal_chat_and_everyone_is_invited(
    app: Fremdrift, teams: TeamsStub
) -> None:
    reply = await say(
        teams, app, ADMIN, "round open 12. møde, 20. juni 2018 deadline fredag kl. 12"
    )
    assert "12. møde, 20. juni 2018" in reply and "er åben" in reply
    assert await run_jobs(app) >= len(ASKED)
    for person in ASKED:
        invitations = [p for p in teams.cards(person) if p.kind == "proactive"]
        assert len(invitations) == 1, person
    round_ = await Round.get(name="12. møde, 20. juni 2018")
    assert round_.status is RoundStatus.OPEN and round_.deadline is not None
    assert round_.deadline.weekday() == 4


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("round open deadline fredag", "Sådan skrives den: round open NAVN deadline DATO"),
        ("round open 12. møde", "round open NAVN deadline DATO"),
        ("round status now", "Sådan skrives den: round status"),
        ("round remind a b", "round remind [ENHED]"),
        ("round fly", "round open|status"),
        ("me too", "Sådan skrives den: me"),
        ("dance", "Skriv help for at se"),
        ("x" * 501, "500 tegn"),
    ],
)
async def test_a_bad_command_gets_its_usage_line_without_slash_commands(
    app: Fremdrift, teams: TeamsStub, text: str, words: str
) -> None:
    reply = await say(teams, app, ADMIN, text)
    assert words in reply, reply
    assert "/fremdrift" not in reply
    assert await Round.all().count() == 0


@pytest.mark.parametrize(
    ("person", "text", "words"),
    [
        (LEAD, "round open 12. møde deadline fredag", "administratorer"),
        (LEAD, "round status", "administratorer"),
        (LEAD, "round publish", "administratorer"),
        (ADMIN, "round open 12. møde deadline i går", "passeret"),
        (ADMIN, "round open 12. møde deadline 31-02-2019", "kan ikke læse"),
    ],
)
async def test_admin_commands_refuse_as_they_do_in_slack(
    app: Fremdrift, teams: TeamsStub, person: str, text: str, words: str
) -> None:
    reply = await say(teams, app, person, text)
    assert words in reply, reply
    assert await Round.all().count() == 0
    assert await Job.all().count() == 0


async def test_a_command_in_a_channel_is_answered_in_its_thread(
    app: Fremdrift, teams: TeamsStub
) -> None:
    channel = teams.add_channel("sekretariatet", members=[ADMIN, LEAD])
    await say(teams, app, ADMIN, "round open 12. møde deadline fredag")
    delivery = await teams.people.mention(ADMIN, "sekretariatet", "round status")
    assert delivery.ok
    await settle(app)
    replies = [p for p in teams.posted if p.conversation_id == channel.id]
    assert len(replies) == 1 and replies[0].thread == delivery.activity["id"]
    for unit in ("Hovedstaden", "Syddanmark", "FUT"):
        assert unit in replies[0].text
    refused = await teams.people.mention(LEAD, "sekretariatet", "round close")
    await settle(app)
    assert refused.ok and "administratorer" in teams.posted[-1].text
    assert (await Round.get(name="12. møde")).status is RoundStatus.OPEN


async def test_a_stranger_gets_a_clear_answer(app: Fremdrift, teams: TeamsStub) -> None:
    teams.add_user("gaest", "Gitte Gæst", "gitte@elsewhere.example")
    await teams.people.install("gaest")
    await settle(app)
    reply = await say(teams, app, "gaest", "round status")
    assert reply == catalogue("da", Target.TEAMS_PLAIN).text("teams.unknown_person")


async def test_me_resumes_in_a_fresh_card_and_a_stale_card_is_told_it_moved_on(
    app: Fremdrift, teams: TeamsStub
) -> None:
    await say(teams, app, ADMIN, "round open 12. møde deadline om 5 dage")
    await run_jobs(app)
    invitation = teams.cards(LEAD)[-1]
    assert "intet at besvare" not in await say(teams, app, LEAD, "me")
    listing = teams.cards(LEAD)[-1]
    assert (await teams.people.press(LEAD, listing, lambda d: "fd_fresh" in d)).ok
    await settle(app)
    live = teams.cards(LEAD)[-1]
    assert live.id not in (invitation.id, listing.id), "a fresh card, the list left as it was"
    assert listing.updates == [] and invitation.updates == []
    await teams.people.press(LEAD, live, wire_named("progress", "reached"))
    await settle(app)
    old_view = Posted(live.id, live.conversation_id, live.current, live.kind)
    await teams.people.press(LEAD, live, wire_named("next"))
    await settle(app)
    on_second = decode(_first_wire(live)).event.code
    chat = len(teams.chat(LEAD))
    stale = await teams.people.press(LEAD, old_view, wire_named("review"))  # an old button
    await settle(app)
    assert stale.ok
    moved_on = catalogue("da", Target.TEAMS_PLAIN).text("checklist.moved_on")
    assert [p.text for p in teams.chat(LEAD)[chat:]] == [moved_on]
    assert decode(_first_wire(live)).event.code == on_second, "still asking the second"


def _first_wire(posted: Posted) -> str:
    for action_set in posted.card["body"] if posted.card else []:
        if action_set.get("id") == "fd_progress":
            return str(action_set["actions"][0]["data"]["fd"])
    raise AssertionError("not a milestone card")


async def test_typed_text_is_saved_with_any_button(app: Fremdrift, teams: TeamsStub) -> None:
    await say(teams, app, ADMIN, "round open 12. møde deadline om 5 dage")
    await run_jobs(app)
    card = teams.cards(LEAD)[-1]
    await teams.people.press(LEAD, card, wire_named("start"))
    await settle(app)
    code = decode(_first_wire(card)).event.code
    await teams.people.press(LEAD, card, wire_named("progress", "started"))
    await settle(app)
    typed = {"fd_remark": "Afventer leverandør", "fd_forecast": "2. kvartal 2019"}
    assert (await teams.people.press(LEAD, card, wire_named("next"), typed)).ok
    await settle(app)
    answer = await Answer.get(milestone__code=code, scope="syddanmark")
    assert (answer.remark, answer.forecast_text) == ("Afventer leverandør", "2. kvartal 2019")
    assert decode(_first_wire(card)).event.code != code, "and then moved on"


async def test_snoozing_a_reminder_says_until_when(app: Fremdrift, teams: TeamsStub) -> None:
    await say(teams, app, ADMIN, "round open 12. møde deadline om 5 dage")
    await run_jobs(app)
    await say(teams, app, ADMIN, "round remind syddanmark")
    await run_jobs(app)
    reminder = [p for p in teams.cards(LEAD) if "fd_snooze" in str(p.card)][-1]
    before = len(teams.chat(LEAD))
    assert (await teams.people.press(LEAD, reminder, lambda d: "fd_snooze" in d)).ok
    await settle(app)
    assert "minder dig om det igen" in teams.chat(LEAD)[before].text
    assert (await Person.get(key=LEAD)).snoozed_until is not None
