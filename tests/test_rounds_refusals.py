"""Every admin command refuses a non-admin, a second open round, a deadline in the past or
unreadable, and a round in the wrong state — each with its message in Danish and English."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from conversations.errors import UserError
from conversations.vocabulary import LANGUAGES
from models.jobs import Job
from models.people import Person
from models.round import Round, RoundStatus
from render.i18n import catalogue
from service import rounds
from tests.factories import Small, small_programme
from tests.rounds_support import MONDAY_10

NOW = MONDAY_10
Command = Callable[[Small, Person], Awaitable[object]]

COMMANDS: dict[str, Command] = {
    "open": lambda s, who: rounds.open_round(s.programme, "13. møde", "fredag", who, NOW),
    "remind": lambda s, who: rounds.remind(s.programme, who, NOW),
    "deadline": lambda s, who: rounds.set_deadline(s.programme, "fredag", who, NOW),
    "close": lambda s, who: rounds.close(s.programme, who, NOW),
    "reopen": lambda s, who: rounds.reopen(s.programme, who, NOW),
    "publish": lambda s, who: rounds.publish(s.programme, who, NOW),
    "status": lambda s, who: rounds.status(s.programme, who, NOW),
}


def assert_worded(error: UserError, *expected: str) -> None:
    """The refusal has a message in every language, each naming what it is about."""
    texts = {language: catalogue(language).error(error) for language in LANGUAGES}
    for language, text in texts.items():
        assert text and "{{" not in text, language
        for word in expected:
            assert word in text, (language, text)
    assert texts["da"] != texts["en"]


async def refused(command: Awaitable[object]) -> UserError:
    with pytest.raises(UserError) as caught:
        await command
    assert caught.value.key.startswith("round.")
    return caught.value


@pytest.mark.parametrize("name", sorted(COMMANDS))
@pytest.mark.parametrize("who", ["lead", "stranger"])
async def test_every_admin_command_refuses_a_non_admin(db: str, name: str, who: str) -> None:
    small = await small_programme(open_round=name not in ("open", "reopen", "publish"))
    jobs_before = await Job.all().count()
    error = await refused(COMMANDS[name](small, getattr(small, who)))
    assert error.key == "round.not_admin"
    assert_worded(error, "mini")
    assert await Job.all().count() == jobs_before


async def test_a_second_open_round_is_refused(db: str) -> None:
    small = await small_programme(open_round=True)  # "12. møde" is open
    error = await refused(
        rounds.open_round(small.programme, "13. møde", "fredag", small.admin, NOW)
    )
    assert error.key == "round.already_open"
    assert_worded(error, "12. møde")
    assert await Round.all().count() == 1


async def test_a_round_name_used_before_is_refused(db: str) -> None:
    small = await small_programme(open_round=False)
    error = await refused(
        rounds.open_round(small.programme, "12. møde", "fredag", small.admin, NOW)
    )
    assert error.key == "round.name_taken"
    assert_worded(error, "12. møde")


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ("i går", "round.deadline_past", ("i går",)),
        ("2018-06-01 12:00", "round.deadline_past", ("2018-06-01 12:00",)),
        ("når vi er klar", "round.deadline_unreadable", ("når vi er klar",)),
        ("", "round.deadline_empty", ()),
        ("x" * 201, "round.deadline_too_long", ("200",)),
    ],
)
@pytest.mark.parametrize("command", ["open", "deadline"])
async def test_a_deadline_in_the_past_or_unreadable_is_refused(
    db: str, text: str, key: str, words: tuple[str, ...], command: str
) -> None:
    small = await small_programme(open_round=command == "deadline")
    before = await Round.all().values_list("id", "deadline")
    if command == "open":
        call = rounds.open_round(small.programme, "13. møde", text, small.admin, NOW)
    else:
        call = rounds.set_deadline(small.programme, text, small.admin, NOW)
    error = await refused(call)
    assert error.key == key
    assert_worded(error, *words)
    assert await Round.all().values_list("id", "deadline") == before
    assert await Job.all().count() == 0


@pytest.mark.parametrize("name", ["remind", "deadline", "close"])
async def test_commands_for_an_open_round_refuse_a_closed_one(db: str, name: str) -> None:
    small = await small_programme(open_round=False)
    error = await refused(COMMANDS[name](small, small.admin))
    assert error.key == "round.not_open"
    assert_worded(error, "12. møde")
    assert await Job.all().count() == 0


async def test_reopen_and_publish_refuse_an_open_round(db: str) -> None:
    small = await small_programme(open_round=True)
    error = await refused(rounds.reopen(small.programme, small.admin, NOW))
    assert error.key == "round.is_open"
    assert_worded(error, "12. møde")
    error = await refused(rounds.publish(small.programme, small.admin, NOW))
    assert error.key == "round.still_open"
    assert_worded(error, "12. møde")


async def test_a_published_round_can_be_neither_reopened_nor_published_again(db: str) -> None:
    small = await small_programme(open_round=False)
    await Round.filter(id=small.round.id).update(status=RoundStatus.PUBLISHED)
    for call in (rounds.reopen, rounds.publish):
        error = await refused(call(small.programme, small.admin, NOW))
        assert error.key == "round.already_published"
        assert_worded(error, "12. møde")


async def test_a_programme_without_rounds_says_so(db: str) -> None:
    small = await small_programme(open_round=False)
    await Round.all().delete()
    for call in (rounds.close, rounds.reopen, rounds.publish, rounds.status):
        error = await refused(call(small.programme, small.admin, NOW))
        assert error.key == "round.no_round"
        assert_worded(error, "mini")


async def test_an_unknown_unit_or_programme_or_person_is_named(db: str) -> None:
    small = await small_programme(open_round=True)
    error = await refused(rounds.remind(small.programme, small.admin, NOW, unit="vest"))
    assert error.key == "round.unknown_unit"
    assert_worded(error, "vest")
    assert_worded(await refused(rounds.find_programme("kol-2019")), "kol-2019")
    assert_worded(await refused(rounds.find_person("ingen")), "ingen")


@pytest.mark.parametrize(
    ("name", "key"), [("  ", "round.name_empty"), ("x" * 300, "round.name_too_long")]
)
async def test_a_round_needs_a_name(db: str, name: str, key: str) -> None:
    small = await small_programme(open_round=False)
    error = await refused(rounds.open_round(small.programme, name, "fredag", small.admin, NOW))
    assert error.key == key
    assert_worded(error)


async def test_the_deadline_is_read_in_the_programmes_time_zone(db: str) -> None:
    small = await small_programme(open_round=False)
    opened = await rounds.open_round(small.programme, "13. møde", "fredag", small.admin, NOW)
    assert opened.round.deadline is not None
    # Friday 8 June 2018, 23:59 in Copenhagen (summer time) is 21:59 UTC.
    assert opened.round.deadline == NOW + timedelta(days=4, hours=13, minutes=59)
