"""Slack on a bad day: 429 storms and 5xx from every Web API method, during a round's
fan-out, its publication and a lead's whole checklist.

The job sends (invitations, notes, the publication) go through the real SlackMessenger;
the checklist through the real app. Afterwards the stand-in counts every DM and every
part of the publication exactly once, and the database holds every answer once, with
one revision per change.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.runtime import Fremdrift
from conversations.clock import ManualClock
from models.answer import Answer, AnswerRevision
from models.jobs import Job, JobStatus
from models.round import Round, RoundStatus, Submission
from service import rounds
from service.worker import Worker
from standins.slack import HttpStatus, RateLimited, SlackStub
from standins.slack.faults import Fault
from tests.factories import OPENED, Small, small_programme
from tests.faults_support import asks, checklist_message, live, settle
from tests.rounds_support import MONDAY_10, Outbox, round_worker, when_stored
from tests.slack_app import join_workspace, running_app

STEERING = "C0GENERAL1"
LEAD = "U0ALICE001"
SYD = "unit:syd"


@pytest.fixture
async def out(db: str, slack: SlackStub) -> AsyncIterator[Outbox]:
    async with Outbox.open(slack) as outbox:
        yield outbox


async def run_out(worker: Worker, clock: ManualClock, round_id: int, *, step: timedelta) -> int:
    """Run what is due, let `step` pass, again — until the round's jobs are all settled."""
    for passes in range(1, 60):
        await worker.run_until_idle()
        if (
            not await Job.filter(
                round_id=round_id, status__in=[JobStatus.PENDING, JobStatus.RUNNING]
            )
            .exclude(kind__in=["reminders", "close"])
            .exists()
        ):
            return passes
        clock.advance(step)
    raise AssertionError("the jobs never settled")


def summary_stored(slack: SlackStub) -> bool:
    return any(m.metadata for m in slack.messages(STEERING))


def thread(slack: SlackStub) -> list[str]:
    """The publication's thread: each reply's key, in order."""
    summaries = slack.messages(STEERING)
    assert len(summaries) == 1, [m.text for m in summaries]
    return [
        str((m.metadata or {}).get("event_payload", {}).get("key"))
        for m in slack.thread(STEERING, summaries[0].ts)
        if m.metadata
    ]


def shared_files(slack: SlackStub) -> Counter[str]:
    return Counter(f.filename for f in slack.files if f.completed and f.shares)


async def publish_through(
    slack: SlackStub, out: Outbox, clock: ManualClock, small: Small, round_id: int
) -> Worker:
    """Close the round; a storm of 429s and 5xx starts the moment the summary is in the
    channel, so the publication is cut off halfway and must finish on later runs."""
    worker = round_worker(out, clock, concurrency=1)
    await rounds.close(small.programme, small.admin, clock.now())

    def storm_starts() -> None:
        slack.faults.add("*", RateLimited(retry_after=20), times=1)
        slack.faults.add("*", HttpStatus(502), times=1)
        slack.faults.add("*", RateLimited(retry_after=20), times=1)
        slack.faults.add("upload", HttpStatus(503), times=1)

    when_stored(slack, lambda: summary_stored(slack), storm_starts)
    calls = len(slack.calls)
    await run_out(worker, clock, round_id, step=timedelta(minutes=10))
    hit = [c for c in slack.calls[calls:] if c.status in (429, 500, 502, 503)]
    assert len(hit) == 3, [(c.method, c.status) for c in hit]  # the storm hit the publication
    publish = await Job.get(kind="publish")
    assert publish.last_error, "the publication was interrupted and finished on a later run"
    return worker


async def check_published_once(slack: SlackStub, out: Outbox, small: Small, round_id: int) -> None:
    assert (await Round.get(id=round_id)).status is RoundStatus.PUBLISHED
    assert (await Job.get(kind="publish")).status is JobStatus.DONE
    keys = thread(slack)
    assert keys and len(keys) == len(set(keys))  # every part once
    files = shared_files(slack)
    assert files and set(files.values()) == {1}  # every document once
    assert {"pdf", "csv", "json", "xlsx"} <= {name.rsplit(".", 1)[-1] for name in files}
    assert len(await out.notices("round.admin.closed", small.admin)) == 1
    assert out.doubled() == []


async def test_a_429_storm_through_the_fan_out_and_429s_and_5xx_through_the_publication(
    out: Outbox, slack: SlackStub
) -> None:
    small = await small_programme(open_round=False)
    clock = ManualClock(MONDAY_10)
    opened = await rounds.open_round(
        small.programme, "13. møde", "15. juni 2018 kl. 12", small.admin, clock.now()
    )
    slack.faults.add("*", RateLimited(retry_after=20), times=6)  # every method, for a while
    worker = round_worker(out, clock, concurrency=1)
    await run_out(worker, clock, opened.round.id, step=timedelta(seconds=30))
    assert [c.status for c in slack.calls].count(429) == 6
    assert worker.stats.rate_limited == 6
    invites = await Job.filter(kind="invite")
    assert {(j.status, j.attempts) for j in invites} == {(JobStatus.DONE, 1)}  # 429s uncounted
    for person in (small.lead, small.deputy, small.other_lead, small.reporter):
        assert len(await out.to(person, "checklist")) == 1

    worker = await publish_through(slack, out, clock, small, opened.round.id)
    assert worker.stats.rate_limited == 2 and worker.stats.retried == 2  # a 502, the upload
    await check_published_once(slack, out, small, opened.round.id)


async def test_5xx_through_the_fan_out(out: Outbox, slack: SlackStub) -> None:
    small = await small_programme(open_round=False)
    clock = ManualClock(MONDAY_10)
    opened = await rounds.open_round(
        small.programme, "13. møde", "15. juni 2018 kl. 12", small.admin, clock.now()
    )
    slack.faults.add("*", HttpStatus(503), ratio=0.5, times=3)  # every second call fails
    worker = round_worker(out, clock, concurrency=1)
    await run_out(worker, clock, opened.round.id, step=timedelta(hours=1))
    assert [c.status for c in slack.calls].count(503) == 3
    invites = await Job.filter(kind="invite")
    assert {j.status for j in invites} == {JobStatus.DONE}
    assert sum(j.attempts for j in invites) == 4 + 3  # each 5xx was one more attempt
    for person in (small.lead, small.deputy, small.other_lead, small.reporter):
        assert len(await out.to(person, "checklist")) == 1
    assert out.looked == 3  # every retried send looked in Slack first
    assert out.doubled() == []


# -- a lead's whole checklist while Slack misbehaves ---------------------------------------
class Lead:
    """A patient person: acts on the message Slack shows and, when nothing happens, again."""

    def __init__(self, app: Fremdrift, slack: SlackStub) -> None:
        self.app = app
        self.slack = slack
        self.unacked = 0

    async def click(self, action_id: str) -> None:
        delivery = await self.slack.click(LEAD, live(self.slack, LEAD), action_id)
        self.unacked += not delivery.acked
        await settle(self.app)

    async def until(self, action_id: str, shown: str, tries: int = 8) -> None:
        for _ in range(tries):
            if shown in str(live(self.slack, LEAD).blocks):
                return
            await self.click(action_id)
        assert shown in str(live(self.slack, LEAD).blocks), (action_id, shown)

    async def remark(self, text: str, tries: int = 8) -> None:
        for _ in range(tries):
            if f"*Bemærkning:* {text}" in str(live(self.slack, LEAD).blocks):
                return
            before = len(self.slack.modals(LEAD))
            await self.click("fdm:remark")
            if len(self.slack.modals(LEAD)) == before:
                continue  # Slack would not open the modal: click again
            modal = self.slack.top_modal(LEAD)
            assert modal is not None
            delivery = await self.slack.submit(LEAD, modal, {"fd_text": text})
            self.unacked += not delivery.acked
            await settle(self.app)
        raise AssertionError(f"the remark {text!r} never showed")


@pytest.mark.parametrize("storm", ["429", "5xx"])
async def test_a_whole_checklist_while_every_method_fails_half_the_time(
    small_open: Small, slack: SlackStub, storm: str
) -> None:
    await join_workspace(slack)
    async with running_app(slack, "http", clock=ManualClock(OPENED + timedelta(days=1))) as app:
        message = await checklist_message(
            app, slack, small_open.lead, small_open.round.id, SYD, LEAD
        )
        fault: Fault = RateLimited(retry_after=0) if storm == "429" else HttpStatus(503)
        slack.faults.add("*", fault, ratio=0.5, times=None)
        slack.faults.add("response_url", HttpStatus(503), ratio=0.5, times=None)
        lead = Lead(app, slack)
        await slack.click(LEAD, message, "fd:start:")
        await settle(app)
        await lead.until("fd:start:", "fd_progress")
        codes = []
        while asks(live(slack, LEAD)):
            blocks = live(slack, LEAD).blocks
            assert blocks is not None
            header = blocks[0]["text"]["text"]
            code = header.split()[1]
            codes.append(code)
            await lead.until("fd:progress:started", "Milepæl igangsat")
            await lead.remark(f"Bemærkning til {code}")
            shown = copy.deepcopy(live(slack, LEAD).blocks)
            for _ in range(8):
                await lead.click("fd:next:")
                if live(slack, LEAD).blocks != shown:
                    break
        await lead.until("fd:submit:", "indsendt")
        slack.faults.clear()
    assert codes == ["1.1", "1.2", "SYD-1"]
    answers = await Answer.all().prefetch_related("milestone")
    assert sorted((a.milestone.code, a.progress, a.remark) for a in answers) == [
        (code, "started", f"Bemærkning til {code}") for code in codes
    ]
    assert await AnswerRevision.all().count() == 2 * len(codes)  # progress, then the remark
    assert await Submission.all().count() == 1
    failed = [c for c in slack.calls if c.status in (429, 503)]
    assert failed, "the storm never hit"


@pytest.fixture
async def small_open(db: str) -> Small:
    return await small_programme()
