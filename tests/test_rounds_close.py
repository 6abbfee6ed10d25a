"""Closing, reopening and publishing: once each, whoever races; a reopened round's queued
publication is void; a failed publication can be queued again."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot import rounds
from bot.jobs import enqueue
from bot.messenger import PermanentFailure
from conversations.clock import ManualClock
from models.jobs import Job, JobStatus
from models.round import Round, RoundStatus
from tests.factories import Small, small_programme
from tests.rounds_support import MONDAY_10, RecordingMessenger, round_worker


async def open_round(clock: ManualClock, policy: str = "refuse") -> tuple[Small, Round]:
    small = await small_programme(open_round=False, late_answers=policy)
    opened = await rounds.open_round(
        small.programme, "13. møde", "15. juni 2018 kl. 12", small.admin, clock.now()
    )
    return small, opened.round


async def test_two_closers_at_once_close_note_and_publish_once(db: str) -> None:
    clock = ManualClock(MONDAY_10)
    _, round_ = await open_round(clock)
    results = await asyncio.gather(
        rounds.close_round(round_.id, clock.now()), rounds.close_round(round_.id, clock.now())
    )
    assert sorted(r is None for r in results) == [False, True]
    assert await Job.filter(kind="publish").count() == 1
    assert await Job.filter(kind="note").count() == 1  # one admin, one note
    pending = await Job.filter(kind__in=["reminders", "close"]).values_list("status", flat=True)
    assert set(pending) == {JobStatus.CANCELLED}
    messenger = RecordingMessenger()
    await asyncio.gather(
        round_worker(messenger, clock, worker_id="a").run_until_idle(),
        round_worker(messenger, clock, worker_id="b").run_until_idle(),
    )
    assert [d.what for d in messenger.deliveries].count("publish") == 1
    assert (await Round.get(id=round_.id)).status is RoundStatus.PUBLISHED


async def test_closing_by_command_reports_what_is_missing(db: str) -> None:
    clock = ManualClock(MONDAY_10)
    small, round_ = await open_round(clock)
    closed = await rounds.close(small.programme, small.admin, clock.now())
    assert closed.missing == ("Nord", "Syd", "Fælles Udbud")
    assert closed.publishing
    row = await Round.get(id=round_.id)
    assert (row.status, row.open_slot, row.closed_at) == (RoundStatus.CLOSED, None, clock.now())


async def test_reopening_voids_the_queued_publication_until_closed_again(db: str) -> None:
    clock = ManualClock(MONDAY_10)
    small, round_ = await open_round(clock)
    await rounds.close(small.programme, small.admin, clock.now())
    reopened = await rounds.reopen(small.programme, small.admin, clock.now())
    assert (reopened.status, reopened.open_slot) == (RoundStatus.OPEN, small.programme.id)
    void = await Job.get(kind="publish")
    assert void.status is JobStatus.CANCELLED and void.dedupe_key != f"publish:{round_.id}"
    # the deadline is still ahead: its reminders and close are back in the queue
    assert await Job.filter(kind="close", status=JobStatus.PENDING).count() == 1
    messenger = RecordingMessenger()
    worker = round_worker(messenger, clock)
    await worker.run_until_idle()
    assert [d for d in messenger.deliveries if d.what == "publish"] == []
    clock.advance(timedelta(hours=1))
    await rounds.close(small.programme, small.admin, clock.now())
    await worker.run_until_idle()
    assert [d.key for d in messenger.deliveries if d.what == "publish"] == [f"publish:{round_.id}"]
    assert len(messenger.notices("round.admin.closed", small.admin)) == 2  # one per close


async def test_publish_by_command_is_idempotent(db: str) -> None:
    clock = ManualClock(MONDAY_10)
    small, _ = await open_round(clock, policy="accept")
    await rounds.close(small.programme, small.admin, clock.now())
    assert not await Job.exists(kind="publish")  # late answers accepted: waits for the admin
    await rounds.publish(small.programme, small.admin, clock.now())
    await rounds.publish(small.programme, small.admin, clock.now())
    assert await Job.filter(kind="publish").count() == 1


async def test_a_publication_that_failed_can_be_queued_again(db: str) -> None:
    clock = ManualClock(MONDAY_10)
    small, round_ = await open_round(clock)
    messenger = RecordingMessenger()
    worker = round_worker(messenger, clock)
    await worker.run_until_idle()
    await rounds.close(small.programme, small.admin, clock.now())
    messenger.failing["publish"] = [PermanentFailure("channel_not_found")]
    await worker.run_until_idle()
    assert (await Job.get(kind="publish")).status is JobStatus.FAILED
    notes = messenger.notices("round.admin.publish_failed", small.admin)
    assert len(notes) == 1 and notes[0].notice is not None
    assert "channel_not_found" in str(notes[0].notice.params["reason"])
    await rounds.publish(small.programme, small.admin, clock.now())
    await worker.run_until_idle()
    assert [d.what for d in messenger.deliveries].count("publish") == 1
    assert (await Round.get(id=round_.id)).status is RoundStatus.PUBLISHED


async def test_a_stray_publish_job_for_a_published_round_posts_nothing(db: str) -> None:
    clock = ManualClock(MONDAY_10)
    small, round_ = await open_round(clock)
    await rounds.close(small.programme, small.admin, clock.now())
    await enqueue("publish", {}, run_at=clock.now(), dedupe_key="publish:stray", round=round_.id)
    messenger = RecordingMessenger()
    await round_worker(messenger, clock, concurrency=1).run_until_idle()
    assert [d.key for d in messenger.deliveries if d.what == "publish"] == [f"publish:{round_.id}"]
    stray = await Job.get(dedupe_key="publish:stray")
    assert stray.result == {"skipped": "already_published"}
