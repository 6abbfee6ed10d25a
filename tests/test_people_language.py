"""The one rule for the language a person reads, and "remind me tomorrow" once for every
platform (service/people.py): own language, the programme's, the first programme's, the
deployment's; a day counted in the programme's time zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from tortoise.transactions import in_transaction

from models.people import Person, Role, RoleKind
from models.programme import Programme
from render.i18n import catalogue
from service import people
from tests.factories import person, small_programme

FALLBACK = "en"  # not the programme's, so a test sees which branch answered


class Undone(Exception):
    """Rolls a test's schema change back."""


async def without_roles(say: Callable[[str], None], *readers: Person) -> None:
    """The refusal languages of `readers` while the roles cannot be read, then undone."""
    async with in_transaction() as connection:
        await connection.execute_query('DROP TABLE "role"')
        for reader in readers:
            say(await people.refusal_language(reader, fallback=FALLBACK))
        raise Undone


async def english_programme() -> Programme:
    return await Programme.create(key="eng", title="English", language="en", source="Tests")


async def test_a_person_with_a_language_of_their_own_reads_it_whatever_the_programme(
    db: str,
) -> None:
    small = await small_programme()  # Danish
    deputy = small.deputy  # their own language: English
    assert await people.reader_language(deputy, small.programme, fallback="da") == "en"
    assert await people.reader_language(deputy, fallback="da") == "en"


async def test_without_one_they_read_the_programme_named(db: str) -> None:
    small = await small_programme()
    english = await english_programme()
    assert await people.reader_language(small.lead, english, fallback="da") == "en"
    assert await people.reader_language(small.lead, small.programme, fallback=FALLBACK) == "da"


async def test_with_no_programme_named_they_read_the_first_they_were_given_a_role_in(
    db: str,
) -> None:
    small = await small_programme()  # the lead's first role: Danish
    english = await english_programme()
    await Role.create(programme=english, person=small.lead, kind=RoleKind.ADMIN, scope="")
    assert await people.reader_language(small.lead, fallback=FALLBACK) == "da"
    newcomer = await person("ny", "Nina Ny")
    await Role.create(programme=english, person=newcomer, kind=RoleKind.ADMIN, scope="")
    await Role.create(programme=small.programme, person=newcomer, kind=RoleKind.ADMIN, scope="")
    assert await people.reader_language(newcomer, fallback="da") == "en"


async def test_with_no_programme_at_all_they_read_the_deployments(db: str) -> None:
    small = await small_programme()
    assert await people.reader_language(small.stranger, fallback=FALLBACK) == FALLBACK
    assert await people.reader_language(None, fallback=FALLBACK) == FALLBACK
    assert await people.reader_language(None, small.programme, fallback=FALLBACK) == "da"


async def test_a_refusal_is_said_in_the_deployments_language_when_the_database_fails(
    db: str,
) -> None:
    small = await small_programme()
    assert await people.refusal_language(small.lead, fallback=FALLBACK) == "da"
    assert await people.refusal_language(small.deputy, fallback="da") == "en"
    said: list[str] = []
    with pytest.raises(Undone):
        await without_roles(said.append, small.lead, small.deputy)
    assert said == [FALLBACK, "en"]
    assert await Role.exists(person=small.lead)


# -- "remind me tomorrow" -------------------------------------------------------------------

SATURDAY_10_SUMMER_TIME = datetime(2018, 10, 27, 8, 0, tzinfo=UTC)  # 10:00 in Copenhagen
"""The night after, Copenhagen's clocks go back an hour: tomorrow at 10:00 is 25 hours on."""


async def test_snooze_counts_the_day_in_the_programmes_time_zone(db: str) -> None:
    small = await small_programme()
    said = await people.remind_me_tomorrow(
        small.lead, f"{small.round.id}|unit:syd", SATURDAY_10_SUMMER_TIME, fallback=FALLBACK
    )
    until = SATURDAY_10_SUMMER_TIME + timedelta(hours=25)
    assert said == people.Said(
        "round.snoozed", {"until": until, "timezone": "Europe/Copenhagen"}, "da"
    )
    assert (await Person.get(id=small.lead.id)).snoozed_until == until
    assert "28. oktober 2018 kl. 10:00" in catalogue(said.language).text(said.key, **said.params)


async def test_snooze_is_said_in_the_readers_language_and_the_rounds_programme(
    db: str,
) -> None:
    small = await small_programme()
    await Programme.filter(id=small.programme.id).update(timezone="America/New_York")
    said = await people.remind_me_tomorrow(
        small.deputy, f"{small.round.id}|unit:syd", SATURDAY_10_SUMMER_TIME, fallback="da"
    )
    assert (said.language, said.params["timezone"]) == ("en", "America/New_York")
    assert said.params["until"] == SATURDAY_10_SUMMER_TIME + timedelta(days=1)  # no change there


async def test_a_snooze_button_without_a_round_uses_the_persons_first_programme_or_utc(
    db: str,
) -> None:
    small = await small_programme()
    for target in ("", "999|unit:syd", "x|unit:syd"):
        said = await people.remind_me_tomorrow(
            small.lead, target, SATURDAY_10_SUMMER_TIME, fallback=FALLBACK
        )
        assert (said.language, said.params["timezone"]) == ("da", "Europe/Copenhagen")
    said = await people.remind_me_tomorrow(
        small.stranger, "", SATURDAY_10_SUMMER_TIME, fallback=FALLBACK
    )
    assert said == people.Said(
        "round.snoozed",
        {"until": SATURDAY_10_SUMMER_TIME + timedelta(hours=24), "timezone": "UTC"},
        FALLBACK,
    )
