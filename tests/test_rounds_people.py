"""Absence: a lead away hands their invitation and reminders to the unit's deputies, the
deputies are told, admins see it; back again, the invitation comes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest

from conversations.clock import ManualClock
from conversations.errors import UserError
from models.jobs import Job
from models.people import Person
from render.i18n import catalogue
from service import people, rounds
from standins.slack import SlackStub
from tests.factories import small_programme
from tests.rounds_support import MONDAY_10, Outbox, round_worker

TUESDAY_9 = datetime(2018, 6, 12, 7, 0, tzinfo=UTC)


@pytest.fixture
async def out(db: str, slack: SlackStub) -> AsyncIterator[Outbox]:
    async with Outbox.open(slack) as outbox:
        yield outbox


async def test_an_away_lead_hands_over_to_the_deputy_until_back(out: Outbox) -> None:
    small = await small_programme(open_round=False)
    clock = ManualClock(MONDAY_10)
    away = await people.away(small.lead, "20. juni 2018", clock.now())
    assert away.until == date(2018, 6, 20)
    assert away.covered_by == ()  # no round is open yet
    opened = await rounds.open_round(
        small.programme, "13. møde", "15. juni 2018 kl. 12", small.admin, clock.now()
    )
    worker = round_worker(out, clock)
    await worker.run_until_idle()

    assert await out.to(small.lead) == []  # neither invitation nor anything else
    assert len(await out.to(small.deputy, "checklist")) == 1  # the deputy's own invitation
    handovers = await out.notices("round.handover", small.deputy)
    assert len(handovers) == 1
    resume = handovers[0].resume
    assert resume is not None and resume.scope == "unit:syd"
    # The deputy reads English (tests/factories.py); the lead is named either way.
    assert "Lene Syd" in handovers[0].message.text
    assert "20 June 2018" in handovers[0].message.text
    report = await rounds.status(small.programme, small.admin, clock.now())
    syd = next(line for line in report.units if line.title == "Syd")
    lead = next(p for p in syd.people if p.key == "pl-syd")
    assert (lead.away_until, lead.invitation) == (date(2018, 6, 20), "handed_over")

    clock.set(TUESDAY_9)
    await worker.run_until_idle()
    assert await out.to(small.lead) == []  # the reminder went to the deputy only
    assert len(await out.notices("round.reminder", small.deputy)) == 1
    assert len(await out.notices("round.handover", small.deputy)) == 1  # told once

    assert await people.back(small.lead, clock.now()) == 1
    await worker.run_until_idle()
    invitation = await out.to(small.lead, "checklist")
    assert len(invitation) == 1 and invitation[0].is_intro
    resume = invitation[0].resume
    assert resume is not None and resume.round_id == opened.round.id
    assert await people.back(small.lead, clock.now()) == 0  # the checklist is live now
    assert out.doubled() == []


async def test_going_away_mid_round_tells_the_deputy_at_once(out: Outbox) -> None:
    small = await small_programme(open_round=False)
    clock = ManualClock(MONDAY_10)
    await rounds.open_round(
        small.programme, "13. møde", "15. juni 2018 kl. 12", small.admin, clock.now()
    )
    worker = round_worker(out, clock)
    await worker.run_until_idle()
    away = await people.away(small.lead, "fredag", clock.now())
    assert away.until == date(2018, 6, 8)
    assert away.covered_by == (("Syd", ("Søren Syd",)),)
    await worker.run_until_idle()
    assert len(await out.notices("round.handover", small.deputy)) == 1
    # away through Friday: the reminder on Tuesday the 12th goes to the lead again
    clock.set(TUESDAY_9)
    await worker.run_until_idle()
    assert len(await out.notices("round.reminder", small.lead)) == 1


async def test_nobody_to_cover_means_the_away_person_keeps_their_dms(out: Outbox) -> None:
    small = await small_programme(open_round=False)
    clock = ManualClock(MONDAY_10)
    away = await people.away(small.other_lead, "20. juni 2018", clock.now())  # nord: no deputy
    await people.away(small.reporter, "20. juni 2018", clock.now())
    await rounds.open_round(
        small.programme, "13. møde", "15. juni 2018 kl. 12", small.admin, clock.now()
    )
    await round_worker(out, clock).run_until_idle()
    assert away.covered_by == ()
    assert len(await out.to(small.other_lead, "checklist")) == 1
    assert len(await out.to(small.reporter, "checklist")) == 1
    assert await out.notices("round.handover") == []


async def test_a_deputy_away_too_leaves_the_lead_their_dms(out: Outbox) -> None:
    small = await small_programme(open_round=False)
    clock = ManualClock(MONDAY_10)
    await people.away(small.deputy, "20. juni 2018", clock.now())
    await people.away(small.lead, "20. juni 2018", clock.now())
    await rounds.open_round(
        small.programme, "13. møde", "15. juni 2018 kl. 12", small.admin, clock.now()
    )
    await round_worker(out, clock).run_until_idle()
    # Both away, nobody present covers: each keeps their own invitation.
    assert len(await out.to(small.lead, "checklist")) == 1
    assert len(await out.to(small.deputy, "checklist")) == 1
    assert await Job.filter(kind="handover").count() == 0


@pytest.mark.parametrize(
    ("text", "key"),
    [("", "round.away_empty"), ("i går", "round.away_past"), ("snart", "round.away_unreadable")],
)
async def test_away_refuses_what_cannot_be_a_day_ahead(db: str, text: str, key: str) -> None:
    small = await small_programme(open_round=False)
    with pytest.raises(UserError) as refused:
        await people.away(small.lead, text, MONDAY_10)
    assert refused.value.key == key
    for language in ("da", "en"):
        assert catalogue(language).error(refused.value)
    assert (await Person.get(id=small.lead.id)).away_until is None


async def test_snooze_needs_no_open_round(db: str) -> None:
    small = await small_programme(open_round=False)
    until = await people.snooze(small.lead, MONDAY_10)
    assert until == MONDAY_10 + timedelta(days=1)
    assert (await Person.get(id=small.lead.id)).snoozed_until == until
    assert not await Job.exists(kind="remind")
