"""Bad input at `/fremdrift`, in a DM and at the programme file, through the real app.

tests/test_slack_commands.py holds the first usage lines and refusals; these are the rest
of the catalogue (docs/bad-input.md): missing, extra and malformed parts of every command,
dates that cannot be read, names over their limit, people outside their role (in Danish
and, for English readers, in English), rounds in the wrong state — an imported one too —
and a deputy taken out of the programme file. Each changes nothing in the database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.runtime import Fremdrift
from conversations.clock import ManualClock
from models.answer import Answer
from models.people import Person
from models.programme import Programme
from models.programme_file import load_programme_file
from models.round import Round
from service import rounds
from service.imports import import_round
from standins.slack import SlackStub
from tests.faults_support import checklist_message, live, row_counts, settle, told
from tests.rounds_support import MONDAY_10
from tests.slack_app import KOL, SEED000, join_workspace, running_app

ADMIN = "U0KOL000001"  # sekretariat
LEAD = "U0KOL000051"  # pl-syddanmark
DEPUTY = "U0KOL000052"  # stf-syddanmark


@pytest.fixture
async def clock() -> ManualClock:
    return ManualClock(MONDAY_10)


@pytest.fixture
async def app(db: str, slack: SlackStub, clock: ManualClock) -> AsyncIterator[Fremdrift]:
    await load_programme_file(KOL)
    await Programme.filter(key="kol-2018").update(steering_channel="C0GENERAL1")
    await join_workspace(slack)
    slack.limits.disable()
    async with running_app(slack, "http", clock=clock) as running:
        yield running


async def reply_to(slack: SlackStub, user: str, text: str) -> str:
    """The ephemeral answer to a slash command, as the person reads it."""
    delivery = await slack.command(user, "/fremdrift", text)
    assert delivery.status == 200, delivery
    ephemeral = slack.ephemerals(user)[-1]
    return (ephemeral.text or "") + " " + str(ephemeral.blocks or "")


async def open_round(slack: SlackStub) -> None:
    assert "er åben" in await reply_to(slack, ADMIN, "round open 13. møde deadline om 5 dage")


@pytest.mark.parametrize(
    ("user", "text", "words"),
    [
        (ADMIN, "help me", "Sådan skrives den: /fremdrift help"),
        (LEAD, "back now", "Sådan skrives den: /fremdrift back"),
        (ADMIN, "round reopen now", "Sådan skrives den: /fremdrift round reopen"),
        (ADMIN, "round publish now", "Sådan skrives den: /fremdrift round publish"),
        (LEAD, "programme show all", "Sådan skrives den: /fremdrift programme show"),
        (LEAD, "away until", "Sådan skrives den: /fremdrift away until DATO"),
        (ADMIN, "kol-2019 round status", "Den kommando kender jeg ikke («kol-2019 round status»)"),
        (
            ADMIN,
            "round open " + "x" * 201 + " deadline fredag",
            "Rundens navn må højst være 200 tegn.",
        ),
        (LEAD, "away until snart", "Jeg kan ikke læse «snart» som en dato."),
        (LEAD, "away until i går", "«i går» er allerede passeret."),
        (LEAD, "away until 31-02-2019", "Jeg kan ikke læse «31-02-2019» som en dato."),
    ],
    ids=[
        "help-extra",
        "back-extra",
        "reopen-extra",
        "publish-extra",
        "programme-show-extra",
        "away-no-date",
        "unknown-programme-key",
        "round-name-too-long",
        "away-unreadable",
        "away-past",
        "away-impossible-date",
    ],
)
async def test_a_command_with_a_bad_part_is_told_what_is_wrong(
    app: Fremdrift, slack: SlackStub, user: str, text: str, words: str
) -> None:
    before = await row_counts()
    reply = await reply_to(slack, user, text)
    assert words in reply, reply
    assert await row_counts() == before
    assert (await Person.get(key="pl-syddanmark")).away_until is None


@pytest.mark.parametrize(
    ("user", "text", "words"),
    [
        (ADMIN, "round deadline snart", "Jeg kan ikke læse «snart» som en frist."),
        (ADMIN, "round deadline i går", "og det er allerede passeret. Vælg en frist i fremtiden."),
        (ADMIN, "round deadline", "Sådan skrives den: /fremdrift round deadline DATO"),
        (
            ADMIN,
            "round remind atlantis",
            "Programmet kol-2018 har ingen enhed med nøglen «atlantis»",
        ),
        (ADMIN, "round remind syddanmark fyn", "Sådan skrives den: /fremdrift round remind"),
        (ADMIN, "round reopen", "Runden «13. møde» er allerede åben."),
        (ADMIN, "round publish", "Runden «13. møde» er stadig åben. Luk den med «round close»"),
        (ADMIN, "round open 14. møde deadline fredag", "Runden «13. møde» er stadig åben."),
        (LEAD, "round remind", "Kun programmets administratorer kan styre runder i kol-2018"),
        (LEAD, "round deadline fredag", "Kun programmets administratorer"),
        (LEAD, "round reopen", "Kun programmets administratorer"),
        (LEAD, "kol-2018 round close", "Kun programmets administratorer"),
    ],
    ids=[
        "deadline-unreadable",
        "deadline-past",
        "deadline-missing",
        "remind-unknown-unit",
        "remind-extra",
        "reopen-while-open",
        "publish-while-open",
        "second-open-round",
        "lead-remind",
        "lead-deadline",
        "lead-reopen",
        "lead-close-with-key",
    ],
)
async def test_a_command_on_an_open_round_refuses_what_cannot_be(
    app: Fremdrift, slack: SlackStub, user: str, text: str, words: str
) -> None:
    await open_round(slack)
    round_ = await Round.get(name="13. møde")
    before = await row_counts()
    reply = await reply_to(slack, user, text)
    assert words in reply, reply
    assert await row_counts() == before
    after = await Round.get(id=round_.id)
    assert (after.status, after.deadline) == (round_.status, round_.deadline)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("round status", "Only the programme's admins can run rounds in kol-2018"),
        ("round fly", "Write it like this: /fremdrift round open|status|remind"),
        ("away until soon", 'I can\'t read "soon" as a date.'),
        ("dance", 'I don\'t know that command ("dance").'),
    ],
    ids=["not-admin", "usage", "away-unreadable", "unknown-command"],
)
async def test_an_english_reader_is_refused_in_english(
    app: Fremdrift, slack: SlackStub, text: str, words: str
) -> None:
    await Person.filter(key="stf-syddanmark").update(language="en")
    before = await row_counts()
    reply = await reply_to(slack, DEPUTY, text)
    assert words in reply, reply
    assert await row_counts() == before


async def test_a_lead_typing_nonsense_in_the_dm_is_told_what_works(
    app: Fremdrift, slack: SlackStub
) -> None:
    before = await row_counts()
    await slack.say(LEAD, "hej, hvordan virker det?")
    answers = await slack.wait_for(lambda: [m for m in slack.dm(LEAD) if m.user != LEAD])
    assert "Den kommando kender jeg ikke («hej, hvordan virker»)" in (answers[-1].text or "")
    assert await row_counts() == before


@pytest.mark.parametrize(
    "text",
    ["round remind", "round close", "round publish", "round reopen"],
    ids=["remind", "close", "publish", "reopen"],
)
async def test_commands_on_an_imported_round_say_there_is_no_round_to_run(
    app: Fremdrift, slack: SlackStub, text: str
) -> None:
    await import_round("kol-2018", "12. møde, 20. juni 2018", SEED000.read_bytes(), MONDAY_10)
    before = await row_counts()
    reply = await reply_to(slack, ADMIN, text)
    assert "Programmet kol-2018 har endnu ingen runder. Åbn en med «round open»." in reply, reply
    assert await row_counts() == before


async def test_a_deputy_taken_out_of_the_programme_file_can_no_longer_answer(
    app: Fremdrift, slack: SlackStub, clock: ManualClock, tmp_path: Path
) -> None:
    programme = await Programme.get(key="kol-2018")
    admin = await Person.get(key="sekretariat")
    opened = await rounds.open_round(programme, "13. møde", "om 5 dage", admin, clock.now())
    deputy = await Person.get(key="stf-syddanmark")
    message = await checklist_message(
        app, slack, deputy, opened.round.id, "unit:syddanmark", DEPUTY
    )
    await slack.click(DEPUTY, message, "fd:start:")
    await settle(app)
    old = live(slack, DEPUTY)

    edited = tmp_path / "kol-2018.yaml"
    source = KOL.read_text(encoding="utf-8")
    assert "    deputies: [stf-syddanmark]\n" in source
    edited.write_text(source.replace("    deputies: [stf-syddanmark]\n", ""), encoding="utf-8")
    await load_programme_file(edited)  # the secretariat reloads the programme

    clock.advance(timedelta(hours=1))
    before = await row_counts()
    delivery = await slack.click(DEPUTY, old, "fd:progress:reached")
    await settle(app)
    assert delivery.acked
    assert told(slack, DEPUTY, "Du er ikke sat til at besvare denne tjekliste.")
    assert await row_counts() == before
    assert not await Answer.exists(round_id=opened.round.id)
