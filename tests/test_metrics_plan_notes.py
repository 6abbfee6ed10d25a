"""A planned round's note to an admin (plan_note) is a DM like the others on /metrics:
counted as sent once, and as failed when it fails for good."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from prometheus_client import REGISTRY

from conversations.clock import ManualClock
from models.jobs import Job, JobStatus
from service import planned_rounds
from standins.slack import SlackStub
from tests.rounds_support import Outbox, round_worker
from tests.test_planned_rounds import OPENS, small


def sample(name: str, kind: str) -> float:
    return REGISTRY.get_sample_value(name, {"kind": kind}) or 0.0


@pytest.fixture
async def out(db: str, slack: SlackStub) -> AsyncIterator[Outbox]:
    async with Outbox.open(slack) as outbox:
        yield outbox


async def test_a_plan_note_sent_is_counted_once(out: Outbox) -> None:
    clock = ManualClock(OPENS - timedelta(days=1))
    found = await small()
    await planned_rounds.plan(found.programme, "14. møde", "2018-10-10", found.admin, clock.now())
    sent = sample("fremdrift_dms_sent_total", "plan_note")
    clock.set(OPENS)
    worker = round_worker(out, clock)
    await worker.run_until_idle()
    await worker.run_until_idle()  # nothing more is due: counted once
    assert await Job.filter(kind="plan_note", status=JobStatus.DONE).count() == 1
    assert sample("fremdrift_dms_sent_total", "plan_note") == sent + 1


async def test_a_plan_note_that_fails_for_good_is_counted_as_failed(out: Outbox) -> None:
    clock = ManualClock(OPENS - timedelta(days=1))
    found = await small()
    await planned_rounds.plan(found.programme, "14. møde", "2018-10-10", found.admin, clock.now())
    sent = sample("fremdrift_dms_sent_total", "plan_note")
    failed = sample("fremdrift_dms_failed_total", "plan_note")
    out.forget("U0ADMIN001")  # the admin has left the workspace
    clock.set(OPENS)
    await round_worker(out, clock).run_until_idle()
    assert await Job.filter(kind="plan_note", status=JobStatus.FAILED).count() == 1
    assert sample("fremdrift_dms_failed_total", "plan_note") == failed + 1
    assert sample("fremdrift_dms_sent_total", "plan_note") == sent
