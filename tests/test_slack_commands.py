"""`/fremdrift` through the real app and the stand-in: rounds run from Slack, refusals worded."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.runtime import Fremdrift
from conversations.clock import ManualClock
from models.jobs import Job
from models.people import Person
from models.programme import Programme
from models.programme_file import load_programme_file
from models.round import Round, RoundStatus
from service.round_jobs import build_worker
from standins.slack import SlackStub
from tests.rounds_support import MONDAY_10
from tests.slack_app import KOL, join_workspace, running_app

ADMIN = "U0KOL000001"  # sekretariat
LEAD = "U0KOL000051"  # pl-syddanmark
DEPUTY = "U0KOL000052"
FUT = "U0KOL000090"
ALL_ASKED = {f"U0KOL0000{n}{d}" for n in range(1, 6) for d in (1, 2)} | {FUT}


@pytest.fixture
async def clock() -> ManualClock:
    return ManualClock(MONDAY_10)


@pytest.fixture
async def app(db: str, slack: SlackStub, clock: ManualClock) -> AsyncIterator[Fremdrift]:
    await load_programme_file(KOL)
    await Programme.filter(key="kol-2018").update(steering_channel="C0GENERAL1")
    await join_workspace(slack)
    slack.limits.disable()  # the clock is a manual one: a 429's Retry-After would never pass
    async with running_app(slack, "http", clock=clock) as running:
        yield running


async def command(slack: SlackStub, user: str, text: str) -> str:
    """The ephemeral reply to a slash command, as the person reads it."""
    delivery = await slack.command(user, "/fremdrift", text)
    assert delivery.status == 200, delivery
    ephemeral = slack.ephemerals(user)[-1]
    return (ephemeral.text or "") + " " + str(ephemeral.blocks or "")


async def run_jobs(app: Fremdrift) -> int:
    """What the replica's worker does between polls: every job that is due, once."""
    worker = build_worker(app.messenger(), clock=app.clock, settings=app.settings)
    return await worker.run_until_idle()


async def test_an_admin_opens_a_round_and_every_lead_deputy_and_reporter_gets_one_dm(
    app: Fremdrift, slack: SlackStub
) -> None:
    reply = await command(slack, ADMIN, "round open 12. møde, 20. juni 2018 deadline fredag kl. 12")
    assert "12. møde, 20. juni 2018" in reply
    assert "er åben" in reply
    ran = await run_jobs(app)
    assert ran >= len(ALL_ASKED)
    for user in ALL_ASKED:
        dms = [m for m in slack.dm(user) if m.blocks]
        assert len(dms) == 1, f"{user} got {len(dms)} invitations"
    invited = {call.params["channel"] for call in slack.calls_to("chat.postMessage")}
    assert invited >= ALL_ASKED
    round_ = await Round.get(name="12. møde, 20. juni 2018")
    assert round_.status is RoundStatus.OPEN
    assert round_.deadline is not None
    assert round_.deadline.weekday() == 4  # "fredag"


async def test_the_status_shows_every_unit_and_the_reporter(
    app: Fremdrift, slack: SlackStub
) -> None:
    await command(slack, ADMIN, "round open 12. møde deadline fredag")
    await run_jobs(app)
    reply = await command(slack, ADMIN, "round status")
    for unit in ("Hovedstaden", "Midtjylland", "Nordjylland", "Sjælland", "Syddanmark", "FUT"):
        assert unit in reply, unit
    assert "0 af" in reply


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("round open deadline fredag", "round open NAVN deadline DATO"),
        ("round open 12. møde", "round open NAVN deadline DATO"),
        ("round open 12. møde deadline", "round open NAVN deadline DATO"),
        ("round status now", "/fremdrift round status"),
        ("round close please", "/fremdrift round close"),
        ("round remind a b", "round remind [ENHED]"),
        ("round deadline", "round deadline DATO"),
        ("round", "round open|status"),
        ("round fly", "round open|status"),
        ("programme", "programme show"),
        ("me too", "/fremdrift me"),
        ("away", "away until DATO"),
        ("dance", "kender jeg ikke"),
        ("x" * 501, "500 tegn"),
    ],
)
async def test_a_command_with_missing_extra_or_bad_parts_gets_its_usage_line(
    app: Fremdrift, slack: SlackStub, text: str, words: str
) -> None:
    reply = await command(slack, ADMIN, text)
    assert words in reply
    assert await Round.all().count() == 0


@pytest.mark.parametrize(
    ("user", "text", "words"),
    [
        (LEAD, "round open 12. møde deadline fredag", "administratorer"),
        (LEAD, "round status", "administratorer"),
        (LEAD, "round close", "administratorer"),
        (LEAD, "round publish", "administratorer"),
        (ADMIN, "round open 12. møde deadline i går", "passeret"),
        (ADMIN, "round open 12. møde deadline snart", "kan ikke læse"),
        (ADMIN, "round open 12. møde deadline 31-02-2019", "kan ikke læse"),
    ],
)
async def test_admin_commands_refuse_with_a_clear_message(
    app: Fremdrift, slack: SlackStub, user: str, text: str, words: str
) -> None:
    reply = await command(slack, user, text)
    assert words in reply, reply
    assert await Round.all().count() == 0
    assert await Job.all().count() == 0


async def test_a_second_open_round_and_commands_on_a_closed_round_are_refused(
    app: Fremdrift, slack: SlackStub
) -> None:
    await command(slack, ADMIN, "round open 12. møde deadline fredag")
    reply = await command(slack, ADMIN, "round open 13. møde deadline fredag")
    assert "12. møde" in reply
    assert await Round.all().count() == 1
    closed = await command(slack, ADMIN, "round close")
    assert "lukket" in closed
    for text in ("round remind", "round deadline fredag", "round close"):
        reply = await command(slack, ADMIN, text)
        assert "er lukket, så det kan ikke lade sig gøre nu" in reply, (text, reply)


async def test_a_stranger_and_a_dm_from_a_stranger_get_a_clear_answer(
    app: Fremdrift, slack: SlackStub
) -> None:
    stranger = slack.workspace.add_user("stranger", user_id="U0STRANGER")
    reply = await command(slack, stranger.id, "round status")
    assert "kender dig ikke" in reply
    await slack.say(stranger.id, "hej")
    answer = await slack.wait_for(
        lambda: [m for m in slack.dm(stranger.id) if m.user != stranger.id]
    )
    assert "kender dig ikke" in (answer[-1].text or "")


async def test_help_me_and_programme_show(app: Fremdrift, slack: SlackStub) -> None:
    assert "round open NAVN deadline DATO" in await command(slack, LEAD, "help")
    assert "intet at besvare" in await command(slack, LEAD, "me")
    shown = await command(slack, LEAD, "programme show")
    assert "5 enheder" in shown
    assert "32 milepæle" in shown


async def test_away_hands_the_reminders_to_the_deputy_and_back_returns_them(
    app: Fremdrift, slack: SlackStub
) -> None:
    await command(slack, ADMIN, "round open 12. møde deadline om 5 dage")
    reply = await command(slack, LEAD, "away until 30. juni 2018")
    assert "30. juni 2018" in reply
    assert "Stedfortræder, Syddanmark" in reply
    lead = await Person.get(key="pl-syddanmark")
    assert lead.away_until is not None
    back = await command(slack, LEAD, "back")
    assert "Velkommen tilbage" in back
    assert (await Person.get(key="pl-syddanmark")).away_until is None


async def test_snoozing_a_reminder_says_until_when(app: Fremdrift, slack: SlackStub) -> None:
    await command(slack, ADMIN, "round open 12. møde deadline om 5 dage")
    await run_jobs(app)
    await command(slack, ADMIN, "round remind syddanmark")
    await run_jobs(app)
    reminder = [m for m in slack.dm(LEAD) if "Påmindelse" in (m.text or "")]
    assert reminder, [m.text for m in slack.dm(LEAD)]
    delivery = await slack.click(LEAD, reminder[-1], "fd_snooze")
    assert delivery.status == 200
    assert app.deps is not None
    await app.deps.deliveries.drain()
    notes = [p.text or "" for p in slack.response_url_posts]
    assert any("minder dig om det igen" in note for note in notes), notes
    assert (await Person.get(key="pl-syddanmark")).snoozed_until is not None


async def test_the_admins_app_home_shows_the_round(app: Fremdrift, slack: SlackStub) -> None:
    await command(slack, ADMIN, "round open 12. møde deadline fredag")
    await slack.open_home(ADMIN)
    await slack.wait_for_call("views.publish")
    home = slack.home(ADMIN)
    assert home is not None
    text = str(home.blocks)
    assert "12. møde" in text
    assert "Syddanmark" in text
    await slack.open_home(LEAD)
    await slack.wait_for_call("views.publish", count=2)
    lead_home = slack.home(LEAD)
    assert lead_home is not None
    assert "fd:start:" in str(lead_home.blocks)


async def test_the_admins_are_told_once_when_a_checklist_is_submitted(
    app: Fremdrift, slack: SlackStub
) -> None:
    from conversations.events import Next, SetProgress, Start, Submit
    from conversations.views import MilestoneView
    from conversations.vocabulary import Progress

    await command(slack, ADMIN, "round open 12. møde deadline fredag")
    await run_jobs(app)
    assert app.deps is not None
    lead = await Person.get(key="pl-syddanmark")
    round_ = await Round.get()
    reply = await app.deps.runner.handle(lead, round_.id, "unit:syddanmark", Start())
    while isinstance(reply.view, MilestoneView):
        code = reply.view.code
        reply = await app.deps.runner.handle(
            lead,
            round_.id,
            "unit:syddanmark",
            SetProgress(progress=Progress.NONE, code=code, version=reply.version),
        )
        reply = await app.deps.runner.handle(
            lead, round_.id, "unit:syddanmark", Next(code=code, version=reply.version)
        )
    for _ in range(2):  # submitted, then submitted again after a look at the review
        reply = await app.deps.runner.handle(
            lead, round_.id, "unit:syddanmark", Submit(version=reply.version)
        )
    await run_jobs(app)
    notes = [m.text or "" for m in slack.dm(ADMIN) if "har indsendt" in (m.text or "")]
    assert notes == [notes[0]]
    assert "Syddanmark" in notes[0]
    assert "12. møde" in notes[0]
