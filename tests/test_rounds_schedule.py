"""Reminders and the deadline on a manual clock: who is reminded, when, how often; the
round closing itself; the schedule moving with the deadline; all across a restart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import cast

import pytest

from conversations.clock import ManualClock
from models.db import close_db, open_db
from models.jobs import Job, JobStatus
from models.people import Person
from models.programme import Programme
from models.round import Round, RoundStatus, Submission
from service import people, rounds
from service.round_jobs import reminders_sent
from standins.slack import SlackStub
from tests.factories import Small, small_programme
from tests.rounds_support import MONDAY_10, Outbox, round_worker

TUESDAY_9 = datetime(2018, 6, 12, 7, 0, tzinfo=UTC)  # 09:00 in Copenhagen
THURSDAY_9 = datetime(2018, 6, 14, 7, 0, tzinfo=UTC)
FRIDAY_12 = datetime(2018, 6, 15, 10, 0, tzinfo=UTC)  # the deadline


@pytest.fixture
async def out(db: str, slack: SlackStub) -> AsyncIterator[Outbox]:
    async with Outbox.open(slack) as outbox:
        yield outbox


async def opened(clock: ManualClock, **settings: object) -> tuple[Small, Round]:
    small = await small_programme(open_round=False)
    if settings:
        await Programme.filter(id=small.programme.id).update(
            settings={**small.programme.settings, **settings}
        )
        small.programme = await Programme.get(id=small.programme.id)
    result = await rounds.open_round(
        small.programme, "13. møde", "15. juni 2018 kl. 12", small.admin, clock.now()
    )
    assert result.reminders == (TUESDAY_9, THURSDAY_9)
    assert result.closes_at == FRIDAY_12
    return small, result.round


async def submit(small: Small, round_: Round, scope: str, who: Person, at: datetime) -> None:
    await Submission.create(round=round_, scope=scope, submitted_by=who, submitted_at=at)


async def test_reminders_reach_only_those_who_have_not_submitted(out: Outbox) -> None:
    clock = ManualClock(MONDAY_10)
    small, round_ = await opened(clock)
    worker = round_worker(out, clock)
    await worker.run_until_idle()
    await submit(small, round_, "unit:syd", small.lead, clock.now())
    clock.set(TUESDAY_9)
    await worker.run_until_idle()
    reminders = await out.notices("round.reminder")
    reminded = {(s.person_id, s.resume.scope if s.resume else None) for s in reminders}
    assert reminded == {(small.other_lead.id, "unit:nord"), (small.reporter.id, "reporter:fut")}
    reminder = (await out.notices("round.reminder", small.other_lead))[0]
    assert reminder.resume is not None and reminder.resume.round_id == round_.id
    for shown in reminders:
        text = shown.message.text + str(shown.message.blocks)
        assert "<!" not in text and "<@" not in text  # DMs, no mentions
    assert "Nord" in reminder.message.text
    assert "15. juni 2018 kl. 12:00" in reminder.message.text  # the deadline, in Danish


async def test_the_round_closes_itself_at_the_deadline_across_a_restart(
    out: Outbox, db: str
) -> None:
    clock = ManualClock(MONDAY_10)
    small, round_ = await opened(clock)
    # Slack (the stand-in) outlives the process
    await round_worker(out, clock, worker_id="before").run_until_idle()
    await close_db()  # the process stops …

    await open_db(db, run_migrations=False)  # … and a new one starts, same database
    worker = round_worker(out, clock, worker_id="after")
    clock.set(TUESDAY_9 - timedelta(seconds=1))
    assert await worker.run_until_idle() == 0
    clock.set(TUESDAY_9)
    await worker.run_until_idle()
    assert len(await out.notices("round.reminder")) == 4
    clock.set(THURSDAY_9)
    await worker.run_until_idle()
    assert len(await out.notices("round.reminder")) == 8
    clock.set(FRIDAY_12 - timedelta(seconds=1))
    await worker.run_until_idle()
    assert (await Round.get(id=round_.id)).status is RoundStatus.OPEN
    clock.set(FRIDAY_12)
    await worker.run_until_idle()
    closed = await Round.get(id=round_.id)
    assert (closed.status, closed.open_slot, closed.closed_at) == (
        RoundStatus.PUBLISHED,
        None,
        FRIDAY_12,
    )
    assert closed.published_at == FRIDAY_12
    notes = await out.notices("round.admin.closed", small.admin)
    assert len(notes) == 1
    assert [m["title"] for m in notes[0].params["missing"]] == [
        "Nord",
        "Syd",
        "Fælles Udbud",
    ]
    assert "Mangler: Nord" in notes[0].message.text
    assert [p.job.round_id for p in await out.publications() if p.job] == [round_.id]
    assert out.doubled() == []


async def test_a_moved_deadline_moves_the_reminders_and_the_close(out: Outbox) -> None:
    clock = ManualClock(MONDAY_10)
    small, round_ = await opened(clock)
    moved = await rounds.set_deadline(
        small.programme, "22. juni 2018 kl. 12", small.admin, clock.now()
    )
    assert moved.reminders == (TUESDAY_9 + timedelta(days=7), THURSDAY_9 + timedelta(days=7))
    assert moved.closes_at == FRIDAY_12 + timedelta(days=7)
    cancelled = cast(
        list[str], await Job.filter(status=JobStatus.CANCELLED).values_list("kind", flat=True)
    )
    assert sorted(cancelled) == ["close", "reminders", "reminders"]
    worker = round_worker(out, clock)
    clock.set(FRIDAY_12)
    await worker.run_until_idle()
    assert (await Round.get(id=round_.id)).status is RoundStatus.OPEN
    assert await out.notices("round.reminder") == []
    for reminder in moved.reminders:
        clock.set(reminder)
        await worker.run_until_idle()
    assert len(await out.notices("round.reminder")) == 8
    clock.set(FRIDAY_12 + timedelta(days=7))
    await worker.run_until_idle()
    assert (await Round.get(id=round_.id)).status is RoundStatus.PUBLISHED


async def test_a_deadline_moved_away_and_back_revives_its_cancelled_jobs(db: str) -> None:
    clock = ManualClock(MONDAY_10 + timedelta(days=28))
    small = await small_programme(open_round=False)
    result = await rounds.open_round(
        small.programme, "14. møde", "13. juli 2018 kl. 12", small.admin, clock.now()
    )
    first = result.closes_at
    assert first is not None
    await rounds.set_deadline(small.programme, "20. juli 2018 kl. 12", small.admin, clock.now())
    back = await rounds.set_deadline(
        small.programme, "13. juli 2018 kl. 12", small.admin, clock.now()
    )
    assert back.closes_at == first
    close_jobs = await Job.filter(round_id=result.round.id, kind="close").order_by("id")
    assert [(j.run_at, j.status) for j in close_jobs] == [
        (first, JobStatus.PENDING),
        (first + timedelta(days=7), JobStatus.CANCELLED),
    ]


async def test_a_manual_reminder_goes_now_to_one_unit_or_everyone(out: Outbox) -> None:
    clock = ManualClock(MONDAY_10)
    small, _ = await opened(clock)
    worker = round_worker(out, clock)
    await worker.run_until_idle()
    assert await rounds.remind(small.programme, small.admin, clock.now(), unit="syd") == 2
    await worker.run_until_idle()
    assert {s.person_id for s in await out.notices("round.reminder")} == {
        small.lead.id,
        small.deputy.id,
    }
    clock.advance(timedelta(hours=1))
    assert await rounds.remind(small.programme, small.admin, clock.now()) == 4
    await worker.run_until_idle()
    assert len(await out.notices("round.reminder")) == 6


async def test_a_manual_reminder_in_quiet_hours_waits_for_the_morning(out: Outbox) -> None:
    clock = ManualClock(MONDAY_10)
    small, _ = await opened(clock)
    worker = round_worker(out, clock)
    await worker.run_until_idle()
    clock.set(MONDAY_10 + timedelta(hours=13))  # 23:00 in Copenhagen
    await rounds.remind(small.programme, small.admin, clock.now(), unit="nord")
    await worker.run_until_idle()
    assert await out.notices("round.reminder") == []
    job = await Job.get(kind="remind")
    assert (job.status, job.attempts, job.run_at) == (
        JobStatus.PENDING,
        0,
        MONDAY_10 + timedelta(hours=22),  # 08:00
    )
    clock.set(job.run_at)
    await worker.run_until_idle()
    assert len(await out.notices("round.reminder", small.other_lead)) == 1


async def test_snooze_skips_a_day_then_reminds_once_and_max_reminders_holds(
    out: Outbox,
) -> None:
    clock = ManualClock(MONDAY_10)
    small, round_ = await opened(clock)
    worker = round_worker(out, clock)
    await worker.run_until_idle()
    clock.set(TUESDAY_9)
    await worker.run_until_idle()

    async def reminders() -> int:
        return len(await out.notices("round.reminder", small.other_lead))

    assert await reminders() == 1
    until = await people.snooze(small.other_lead, clock.now())
    assert until == TUESDAY_9 + timedelta(days=1)
    await rounds.remind(small.programme, small.admin, clock.now(), unit="nord")
    await worker.run_until_idle()
    assert await reminders() == 1  # snoozed
    clock.set(until)
    await worker.run_until_idle()
    assert await reminders() == 2  # the day is over
    clock.set(THURSDAY_9)
    await worker.run_until_idle()
    assert await reminders() == 3
    assert await reminders_sent(round_.id, small.other_lead.id) == 3
    await rounds.remind(small.programme, small.admin, clock.now(), unit="nord")
    await worker.run_until_idle()
    assert await reminders() == 3  # max_reminders: 3
    skipped = await Job.filter(kind="remind", status=JobStatus.DONE).order_by("-id").first()
    assert skipped is not None and skipped.result == {"skipped": "max_reminders"}
    report = await rounds.status(small.programme, small.admin, clock.now())
    nord = next(line for line in report.units if line.title == "Nord")
    assert nord.people[0].reminders == 3


async def test_with_auto_close_off_the_round_waits_for_the_admin(out: Outbox) -> None:
    clock = ManualClock(MONDAY_10)
    small = await small_programme(open_round=False)
    await Programme.filter(id=small.programme.id).update(
        settings={"auto_close": False, "late_answers": "refuse"}
    )
    programme = await Programme.get(id=small.programme.id)
    result = await rounds.open_round(
        programme, "13. møde", "15. juni 2018 kl. 12", small.admin, clock.now()
    )
    assert result.closes_at is None
    assert not await Job.exists(kind="close")
    clock.set(FRIDAY_12 + timedelta(days=1))
    await round_worker(out, clock).run_until_idle()
    assert (await Round.get(id=result.round.id)).status is RoundStatus.OPEN
    assert await out.publications() == []
