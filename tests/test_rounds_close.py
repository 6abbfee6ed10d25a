"""Closing, reopening and publishing: once each, whoever races; a reopened round's queued
publication is void; a failed publication can be queued again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import cast

import pytest

from conversations.clock import ManualClock
from models.jobs import Job, JobStatus
from models.round import Round, RoundStatus
from service import rounds
from service.jobs import enqueue
from standins.slack import SlackError, SlackStub
from tests.factories import Small, small_programme
from tests.rounds_support import MONDAY_10, Outbox, round_worker


@pytest.fixture
async def out(db: str, slack: SlackStub) -> AsyncIterator[Outbox]:
    async with Outbox.open(slack) as outbox:
        yield outbox


async def open_round(clock: ManualClock, policy: str = "refuse") -> tuple[Small, Round]:
    small = await small_programme(open_round=False, late_answers=policy)
    opened = await rounds.open_round(
        small.programme, "13. møde", "15. juni 2018 kl. 12", small.admin, clock.now()
    )
    return small, opened.round


async def test_two_closers_at_once_close_note_and_publish_once(out: Outbox) -> None:
    clock = ManualClock(MONDAY_10)
    _, round_ = await open_round(clock)
    results = await asyncio.gather(
        rounds.close_round(round_.id, clock.now()), rounds.close_round(round_.id, clock.now())
    )
    assert sorted(r is None for r in results) == [False, True]
    assert await Job.filter(kind="publish").count() == 1
    assert await Job.filter(kind="note").count() == 1  # one admin, one note
    pending = cast(
        list[JobStatus],
        await Job.filter(kind__in=["reminders", "close"]).values_list("status", flat=True),
    )
    assert set(pending) == {JobStatus.CANCELLED}
    await asyncio.gather(
        round_worker(out, clock, worker_id="a").run_until_idle(),
        round_worker(out, clock, worker_id="b").run_until_idle(),
    )
    assert len(await out.publications()) == 1
    assert out.doubled() == []
    assert (await Round.get(id=round_.id)).status is RoundStatus.PUBLISHED


async def test_closing_by_command_reports_what_is_missing(db: str) -> None:
    clock = ManualClock(MONDAY_10)
    small, round_ = await open_round(clock)
    closed = await rounds.close(small.programme, small.admin, clock.now())
    assert closed.missing == ("Nord", "Syd", "Fælles Udbud")
    assert closed.publishing
    row = await Round.get(id=round_.id)
    assert (row.status, row.open_slot, row.closed_at) == (RoundStatus.CLOSED, None, clock.now())


async def test_reopening_voids_the_queued_publication_until_closed_again(out: Outbox) -> None:
    clock = ManualClock(MONDAY_10)
    small, round_ = await open_round(clock)
    await rounds.close(small.programme, small.admin, clock.now())
    reopened = await rounds.reopen(small.programme, small.admin, clock.now())
    assert (reopened.status, reopened.open_slot) == (RoundStatus.OPEN, small.programme.id)
    void = await Job.get(kind="publish")
    assert void.status is JobStatus.CANCELLED and void.dedupe_key != f"publish:{round_.id}"
    # the deadline is still ahead: its reminders and close are back in the queue
    assert await Job.filter(kind="close", status=JobStatus.PENDING).count() == 1
    worker = round_worker(out, clock)
    await worker.run_until_idle()
    assert await out.publications() == []
    clock.advance(timedelta(hours=1))
    await rounds.close(small.programme, small.admin, clock.now())
    await worker.run_until_idle()
    assert await out.publication_keys() == [f"publish:{round_.id}"]
    assert len(await out.notices("round.admin.closed", small.admin)) == 2  # one per close


async def test_publish_by_command_is_idempotent(db: str) -> None:
    clock = ManualClock(MONDAY_10)
    small, _ = await open_round(clock, policy="accept")
    await rounds.close(small.programme, small.admin, clock.now())
    assert not await Job.exists(kind="publish")  # late answers accepted: waits for the admin
    await rounds.publish(small.programme, small.admin, clock.now())
    await rounds.publish(small.programme, small.admin, clock.now())
    assert await Job.filter(kind="publish").count() == 1


async def test_a_publication_that_failed_can_be_queued_again(out: Outbox, slack: SlackStub) -> None:
    clock = ManualClock(MONDAY_10)
    small, round_ = await open_round(clock)
    worker = round_worker(out, clock)
    await worker.run_until_idle()
    await rounds.close(small.programme, small.admin, clock.now())
    # The admin's note goes out first (queued first); then Slack refuses the publication.
    await worker.run_until_idle(max_jobs=1)
    slack.faults.add("chat.postMessage", SlackError("channel_not_found"))
    await worker.run_until_idle()
    assert (await Job.get(kind="publish")).status is JobStatus.FAILED
    notes = await out.notices("failure.publish.channel_not_found", small.admin)
    assert len(notes) == 1
    assert notes[0].params["channel"] == small.programme.steering_channel
    assert "findes ikke" in (notes[0].message.text or "").replace("\u200b", "")  # as read
    assert await out.publications() == []
    await rounds.publish(small.programme, small.admin, clock.now())
    await worker.run_until_idle()
    assert len(await out.publications()) == 1
    assert out.doubled() == []
    assert (await Round.get(id=round_.id)).status is RoundStatus.PUBLISHED


async def test_a_stray_publish_job_for_a_published_round_posts_nothing(out: Outbox) -> None:
    clock = ManualClock(MONDAY_10)
    small, round_ = await open_round(clock)
    await rounds.close(small.programme, small.admin, clock.now())
    await enqueue("publish", {}, run_at=clock.now(), dedupe_key="publish:stray", round=round_.id)
    await round_worker(out, clock, concurrency=1).run_until_idle()
    assert await out.publication_keys() == [f"publish:{round_.id}"]
    stray = await Job.get(dedupe_key="publish:stray")
    assert stray.result == {"skipped": "already_published"}
