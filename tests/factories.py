"""Small programmes built through the ORM, for tests that need a few rows, not a whole file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from conversations.vocabulary import ALL_UNITS
from models.people import Account, Person, Platform, Role, RoleKind
from models.programme import BaselineDeadline, Milestone, MilestoneGroup, Programme, Unit
from models.round import Round, RoundStatus

OPENED = datetime(2018, 6, 1, 8, 0, tzinfo=UTC)


@dataclass
class Small:
    """Two units, three national milestones (one answered by a reporter), one local item."""

    programme: Programme
    north: Unit
    south: Unit
    admin: Person
    lead: Person
    deputy: Person
    other_lead: Person
    reporter: Person
    stranger: Person
    round: Round


async def person(
    key: str, name: str, slack: str | None = None, language: str | None = None
) -> Person:
    found = await Person.create(key=key, name=name, language=language)
    if slack:
        await Account.create(person=found, platform=Platform.SLACK, user_id=slack)
    return found


async def small_programme(*, late_answers: str = "refuse", open_round: bool = True) -> Small:
    programme = await Programme.create(
        key="mini",
        title="Fremdrift (mini)",
        language="da",
        source="Tests",
        steering_channel="C0GENERAL1",
        settings={"late_answers": late_answers},
    )
    north = await Unit.create(programme=programme, key="nord", name="Nord", position=0)
    south = await Unit.create(programme=programme, key="syd", name="Syd", position=1)
    group = await MilestoneGroup.create(
        programme=programme, number="1", title="Opstart", position=0
    )
    tech = await MilestoneGroup.create(programme=programme, number="6", title="Teknik", position=1)
    m11 = await Milestone.create(
        programme=programme, group=group, code="1.1", title="Styregruppe", position=0
    )
    await Milestone.create(
        programme=programme, group=group, code="1.2", title="Programgrundlag", position=1
    )
    await Milestone.create(programme=programme, group=tech, code="6.1 A", title="Udbud", position=2)
    await Milestone.create(
        programme=programme, unit=south, code="SYD-1", title="Leveranceplan", position=3
    )
    await BaselineDeadline.create(
        milestone=m11,
        scope=ALL_UNITS,
        text="Medio 2018",
        earliest_date=datetime(2018, 5, 1).date(),
        latest_date=datetime(2018, 8, 31).date(),
    )
    await BaselineDeadline.create(
        milestone=m11,
        scope="syd",
        text="2. kvartal 2018",
        earliest_date=datetime(2018, 4, 1).date(),
        latest_date=datetime(2018, 6, 30).date(),
    )
    admin = await person("sekretariat", "Sekretariatet", "U0ADMIN001")
    lead = await person("pl-syd", "Lene Syd", "U0ALICE001")
    deputy = await person("stf-syd", "Søren Syd", "U0BOB00001", language="en")
    other = await person("pl-nord", "Niels Nord", "U0NORD0001")
    reporter = await person("fut", "Fælles Udbud", "U0FUT00001")
    stranger = await person("fremmed", "Frank Fremmed", "U0STRANGE1")
    for who, kind, scope in (
        (admin, RoleKind.ADMIN, ""),
        (lead, RoleKind.LEAD, "syd"),
        (deputy, RoleKind.DEPUTY, "syd"),
        (other, RoleKind.LEAD, "nord"),
        (reporter, RoleKind.REPORTER, "6.1 A"),
    ):
        await Role.create(programme=programme, person=who, kind=kind, scope=scope)
    round_ = await Round.create(
        programme=programme,
        name="12. møde",
        status=RoundStatus.OPEN if open_round else RoundStatus.CLOSED,
        open_slot=programme.id if open_round else None,
        opened_at=OPENED,
        deadline=OPENED + timedelta(days=14),
    )
    return Small(programme, north, south, admin, lead, deputy, other, reporter, stranger, round_)
