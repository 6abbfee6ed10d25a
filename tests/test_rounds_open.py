"""Opening a round: one transaction, one invitation per person and checklist, sent once —
through crashes, 429s, 5xx and people the platform cannot reach."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from conversations.clock import ManualClock
from conversations.errors import UserError
from models.checklists import checklists_for
from models.conversation import Conversation
from models.jobs import Job, JobStatus
from models.people import Role, RoleKind
from models.programme import Programme
from models.programme_file import load_programme_file
from models.round import Round, RoundStatus
from service import rounds
from service.round_plan import asked_checklists
from standins.slack import HttpStatus, RateLimited, SlackStub
from tests.factories import small_programme
from tests.rounds_support import MONDAY_10, Outbox, cancel, round_worker, when_stored
from tests.slack_app import KOL

DEADLINE = "2018-06-15 12:00"


def shown_in(conversation: Conversation) -> tuple[str, str]:
    """The (channel, ts) of the message a conversation is shown in; it has one."""
    assert conversation.message_ref is not None
    return str(conversation.message_ref["channel"]), str(conversation.message_ref["ts"])


@pytest.fixture
async def out(db: str, slack: SlackStub) -> AsyncIterator[Outbox]:
    async with Outbox.open(slack) as outbox:
        yield outbox


async def test_opening_invites_every_lead_deputy_and_reporter_once(out: Outbox) -> None:
    small = await small_programme(open_round=False)
    clock = ManualClock(MONDAY_10)
    opened = await rounds.open_round(
        small.programme, "13. møde", DEADLINE, small.admin, clock.now()
    )
    assert opened.invitations == 4
    round_ = await Round.get(id=opened.round.id)
    assert (round_.status, round_.open_slot, round_.deadline_text) == (
        RoundStatus.OPEN,
        small.programme.id,
        DEADLINE,
    )
    assert await round_worker(out, clock).run_until_idle() == 4
    shown = await out.shown()
    assert len(shown) == 4
    resumes = [s.resume for s in shown]
    assert {(s.person_id, r.scope) for s, r in zip(shown, resumes, strict=True) if r} == {
        (small.other_lead.id, "unit:nord"),
        (small.lead.id, "unit:syd"),
        (small.deputy.id, "unit:syd"),
        (small.reporter.id, "reporter:fut"),
    }
    assert all(s.what == "checklist" and s.is_intro for s in shown)
    assert await out.to(small.admin) == [] and await out.to(small.stranger) == []
    assert out.doubled() == []
    conversations = await Conversation.filter(round_id=round_.id)
    assert len(conversations) == 4
    assert all(c.message_ref for c in conversations)  # the invitation is the live checklist
    refs = {shown_in(c) for c in conversations}
    assert refs == {(s.message.channel, s.message.ts) for s in shown}


async def test_a_second_worker_run_sends_nothing_more(out: Outbox) -> None:
    small = await small_programme(open_round=False)
    clock = ManualClock(MONDAY_10)
    await rounds.open_round(small.programme, "13. møde", DEADLINE, small.admin, clock.now())
    await round_worker(out, clock).run_until_idle()
    await round_worker(out, clock, worker_id="w2").run_until_idle()
    assert len(out.messages()) == 4
    assert len(out.slack.calls_to("chat.postMessage")) == 4


async def test_a_worker_killed_mid_fan_out_leaves_nothing_lost_or_doubled(
    out: Outbox, slack: SlackStub
) -> None:
    small = await small_programme(open_round=False)
    clock = ManualClock(MONDAY_10)
    await rounds.open_round(small.programme, "13. møde", DEADLINE, small.admin, clock.now())
    first = round_worker(out, clock, worker_id="dies", concurrency=1)
    task = asyncio.create_task(first.run_forever())
    # Slack takes the second message; the process dies before it hears back.
    when_stored(slack, lambda: len(out.messages()) == 2, cancel(task))
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 10)
    assert len(out.messages()) == 2
    stuck = await Job.filter(status=JobStatus.RUNNING)
    assert [(j.kind, j.locked_by, j.attempts) for j in stuck] == [("invite", "dies", 1)]

    second = round_worker(out, clock, worker_id="lives")
    assert await second.run_until_idle() == 2  # the two never tried; the stuck one is leased
    assert out.looked == 0
    clock.advance(timedelta(minutes=3))
    assert await second.run_until_idle() == 1
    assert out.looked == 1  # the retried job looked before sending …
    assert len(out.messages()) == 4  # … and found its message: none twice
    assert out.doubled() == []
    retried = await Job.get(id=stuck[0].id)
    assert retried.result is not None
    assert (retried.status, retried.attempts, retried.result["already_sent"]) == (
        JobStatus.DONE,
        2,
        True,
    )
    assert await Conversation.filter(message_ref__isnull=True).count() == 0


async def test_429s_are_waited_out_and_5xx_retried_without_doubles(
    out: Outbox, slack: SlackStub
) -> None:
    small = await small_programme(open_round=False)
    clock = ManualClock(MONDAY_10)
    await rounds.open_round(small.programme, "13. møde", DEADLINE, small.admin, clock.now())
    slack.faults.add("chat.postMessage", RateLimited(retry_after=30))
    slack.faults.add("chat.postMessage", HttpStatus(503))
    slack.faults.add("chat.postMessage", HttpStatus(502))
    worker = round_worker(out, clock, concurrency=1)
    for _ in range(10):  # each pass: run what is due, then a minute passes
        await worker.run_until_idle()
        clock.advance(timedelta(minutes=1))
    assert not await Job.filter(
        kind="invite", status__in=[JobStatus.PENDING, JobStatus.RUNNING]
    ).exists()
    assert len(out.messages()) == 4 and out.doubled() == []
    statuses = [c.status for c in slack.calls_to("chat.postMessage")]
    assert sorted(statuses) == [200, 200, 200, 200, 429, 502, 503]
    jobs = await Job.filter(kind="invite").order_by("id")
    assert Counter(j.status for j in jobs) == {JobStatus.DONE: 4}
    # two 5xx counted as attempts, the 429 not
    assert sum(j.attempts for j in jobs) == 4 + 2
    assert worker.stats.rate_limited == 1 and worker.stats.retried == 2


async def test_an_unreachable_person_is_reported_to_the_admins_by_name(out: Outbox) -> None:
    small = await small_programme(open_round=False)
    clock = ManualClock(MONDAY_10)
    await rounds.open_round(small.programme, "13. møde", DEADLINE, small.admin, clock.now())
    out.forget("U0NORD0001")  # Niels Nord has left the workspace
    await round_worker(out, clock).run_until_idle()
    failed = await Job.get(kind="invite", status=JobStatus.FAILED)
    assert failed.payload["person_id"] == small.other_lead.id
    assert "channel_not_found" in (failed.last_error or "")
    notes = await out.notices("failure.dm.account_gone", small.admin)
    assert len(notes) == 1
    assert notes[0].params["person"] == "Niels Nord"
    assert "Niels Nord" in notes[0].message.text
    report = await rounds.status(small.programme, small.admin, clock.now())
    assert report.failed == ("Niels Nord",)


async def test_retries_that_run_out_fail_and_tell_the_admins(out: Outbox, slack: SlackStub) -> None:
    small = await small_programme(open_round=False)
    clock = ManualClock(MONDAY_10)
    await rounds.open_round(small.programme, "13. møde", DEADLINE, small.admin, clock.now())
    jobs = await Job.filter(kind="invite")
    reporters = [j for j in jobs if j.payload["person_id"] == small.reporter.id]
    await Job.filter(id=reporters[0].id).update(
        max_attempts=2, run_at=clock.now() + timedelta(minutes=1)
    )
    worker = round_worker(out, clock, concurrency=1)
    assert await worker.run_until_idle() == 3  # everyone but the reporter
    slack.faults.add("chat.postMessage", HttpStatus(503), times=2)  # Slack fails both tries
    clock.advance(timedelta(minutes=1))
    await worker.run_until_idle()
    clock.advance(timedelta(hours=1))
    await worker.run_until_idle()
    failed = await Job.filter(status=JobStatus.FAILED)
    assert [(j.kind, j.attempts, j.payload["person_id"]) for j in failed] == [
        ("invite", 2, small.reporter.id)
    ]
    assert [c.status for c in slack.calls_to("chat.postMessage")].count(503) == 2
    notes = await out.notices("failure.dm.gave_up", small.admin)
    assert [(n.params["kind"], n.params["person"]) for n in notes] == [("invite", "Fælles Udbud")]
    assert len(out.messages()) == 3 + 1  # three invitations and the note
    assert await out.to(small.reporter) == []


async def test_invitations_wait_for_the_end_of_quiet_hours(out: Outbox) -> None:
    small = await small_programme(open_round=False)
    evening = MONDAY_10 + timedelta(hours=10)  # 20:00 in Copenhagen
    clock = ManualClock(evening)
    await rounds.open_round(small.programme, "13. møde", DEADLINE, small.admin, clock.now())
    invites = await Job.filter(kind="invite")
    morning = MONDAY_10 + timedelta(hours=22)  # 08:00 the next day in Copenhagen
    assert {j.run_at for j in invites} == {morning}
    worker = round_worker(out, clock)
    assert await worker.run_until_idle() == 0
    assert out.messages() == []
    clock.set(morning)
    assert await worker.run_until_idle() == 4
    assert len(out.messages()) == 4


async def test_two_admins_opening_at_once_get_one_round(db: str) -> None:
    small = await small_programme(open_round=False)
    now = MONDAY_10
    results = await asyncio.gather(
        rounds.open_round(small.programme, "13. møde", DEADLINE, small.admin, now),
        rounds.open_round(small.programme, "13. møde B", DEADLINE, small.admin, now),
        return_exceptions=True,
    )
    opened = [r for r in results if isinstance(r, rounds.Opened)]
    refused = [r for r in results if isinstance(r, UserError)]
    assert len(opened) == 1 and len(refused) == 1
    assert refused[0].key == "round.already_open"
    assert await Round.filter(status=RoundStatus.OPEN).count() == 1
    assert await Job.filter(kind="invite").count() == 4


@pytest.mark.parametrize("which", ["small", "kol"])
async def test_who_is_asked_is_what_checklists_for_says_person_by_person(
    db: str, which: str
) -> None:
    if which == "small":
        round_ = (await small_programme(open_round=True)).round
    else:
        await load_programme_file(KOL)
        kol = await Programme.get(key="kol-2018")
        round_ = await Round.create(programme=kol, name="r", opened_at=MONDAY_10)
    pairs = await asked_checklists(round_)
    expected = []
    for person in dict.fromkeys(p for p, _ in pairs):
        expected += [(person.id, ref) for ref in await checklists_for(person, round_)]
    assert [(p.id, ref) for p, ref in pairs] == expected
    asked = await Role.filter(programme_id=round_.programme_id).exclude(kind=RoleKind.ADMIN)
    assert {p.id for p, _ in pairs} == {r.person_id for r in asked}
    assert len(pairs) == {"small": 4, "kol": 11}[which]
