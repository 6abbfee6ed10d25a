"""A KOL round through the real SlackMessenger and the Slack stand-in: one DM per lead,
deputy and reporter — through 429s, 5xx and a worker killed mid fan-out — then reminders,
the deadline, the note to the admin and the publication in the steering channel, once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from bot.slack.client import job_client
from bot.slack.messenger import SlackMessenger
from conversations.clock import ManualClock
from models.answer import Answer
from models.jobs import Job, JobStatus
from models.people import Account, Person, Role, RoleKind
from models.programme import Programme
from models.programme_file import load_programme_file
from models.round import Round, RoundStatus, Submission
from service import people, rounds
from service.round_jobs import RoundJobs
from service.worker import Worker
from standins.slack import HttpStatus, RateLimited, SlackStub
from standins.slack.models import Message
from tests.rounds_support import cancel, when_stored
from tests.slack_app import KOL, join_workspace, running_app

MONDAY_10 = datetime(2018, 6, 4, 8, 0, tzinfo=UTC)  # 10:00 in Copenhagen
DEADLINE = "15. juni 2018 kl. 12"
TUESDAY_9 = datetime(2018, 6, 12, 7, 0, tzinfo=UTC)
FRIDAY_12 = datetime(2018, 6, 15, 10, 0, tzinfo=UTC)


@dataclass
class Kol:
    programme: Programme
    admin: Person
    asked: dict[str, str]  # person key -> Slack user id, every lead, deputy and reporter
    admin_user: str
    messenger: SlackMessenger


@pytest.fixture
async def kol(db: str, slack: SlackStub) -> AsyncIterator[Kol]:
    await load_programme_file(KOL)
    await join_workspace(slack)
    programme = await Programme.get(key="kol-2018")
    slack.workspace.add_channel("styregruppe", channel_id=programme.steering_channel)
    roles = await Role.filter(programme=programme).prefetch_related("person")
    users = {a.person_id: a.user_id for a in await Account.all()}
    asked = {r.person.key: users[r.person_id] for r in roles if r.kind is not RoleKind.ADMIN}
    admin = next(r.person for r in roles if r.kind is RoleKind.ADMIN)
    async with aiohttp.ClientSession() as session:
        client = job_client(slack.identity.bot_token, slack.api_url, session)
        yield Kol(programme, admin, asked, users[admin.id], SlackMessenger(client))


def worker(messenger: SlackMessenger, clock: ManualClock, worker_id: str = "w1") -> Worker:
    jobs = RoundJobs(messenger, clock)
    return Worker(jobs.handlers(), clock=clock, worker_id=worker_id, on_failed=jobs.on_failed)


def dm_counts(slack: SlackStub, kol: Kol) -> dict[str, int]:
    return {key: len(slack.dm(user)) for key, user in kol.asked.items()}


async def test_a_kol_round_sends_one_dm_per_lead_deputy_and_reporter(
    slack: SlackStub, kol: Kol
) -> None:
    clock = ManualClock(MONDAY_10)
    opened = await rounds.open_round(kol.programme, "13. møde", DEADLINE, kol.admin, clock.now())
    assert opened.invitations == 11
    await worker(kol.messenger, clock).run_until_idle()
    assert dm_counts(slack, kol) == dict.fromkeys(kol.asked, 1)
    assert slack.dm(kol.admin_user) == []
    intro = slack.dm(kol.asked["pl-syddanmark"])[0]
    assert intro.blocks and "13. møde" in intro.text
    assert await Job.filter(kind="invite", status=JobStatus.DONE).count() == 11


async def test_429s_and_5xx_from_slack_are_waited_out_without_a_double(
    slack: SlackStub, kol: Kol
) -> None:
    clock = ManualClock(MONDAY_10)
    await rounds.open_round(kol.programme, "13. møde", DEADLINE, kol.admin, clock.now())
    slack.faults.add("chat.postMessage", RateLimited(retry_after=7), times=3)
    slack.faults.add("chat.postMessage", HttpStatus(503), times=2)
    slack.faults.add("chat.postMessage", HttpStatus(502), times=1)
    w = worker(kol.messenger, clock)
    for _ in range(15):
        await w.run_until_idle()
        if not await Job.filter(kind="invite", status__in=["pending", "running"]).exists():
            break
        clock.advance(timedelta(seconds=30))
    assert dm_counts(slack, kol) == dict.fromkeys(kol.asked, 1)
    statuses = [c.status for c in slack.calls_to("chat.postMessage")]
    assert statuses.count(429) == 3 and statuses.count(503) == 2 and statuses.count(502) == 1
    assert w.stats.rate_limited == 3 and w.stats.retried == 3
    retried = await Job.filter(kind="invite", attempts=2)
    assert len(retried) == 3  # the 5xx counted; the 429s did not


async def test_a_worker_killed_mid_fan_out_then_restarted_sends_each_dm_once(
    slack: SlackStub, kol: Kol
) -> None:
    clock = ManualClock(MONDAY_10)
    await rounds.open_round(kol.programme, "13. møde", DEADLINE, kol.admin, clock.now())
    dying = worker(kol.messenger, clock, worker_id="dies")
    task = asyncio.create_task(dying.run_forever())
    # The process dies the moment Slack has taken its fifth DM, before it hears back.
    when_stored(slack, lambda: sum(dm_counts(slack, kol).values()) >= 5, cancel(task))
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 20)
    assert sum(dm_counts(slack, kol).values()) >= 5
    stuck = await Job.filter(kind="invite", status=JobStatus.RUNNING)
    assert stuck and all(j.locked_by == "dies" for j in stuck)

    clock.advance(timedelta(minutes=3))  # the dead worker's leases run out
    restarted = worker(kol.messenger, clock, worker_id="restarted")
    await restarted.run_until_idle()
    assert dm_counts(slack, kol) == dict.fromkeys(kol.asked, 1)
    retaken = await Job.filter(id__in=[j.id for j in stuck])
    assert all(j.status is JobStatus.DONE and j.attempts == 2 for j in retaken)
    assert any(j.result and j.result.get("already_sent") for j in retaken)


async def test_reminders_the_deadline_the_admin_note_and_one_publication(
    slack: SlackStub, kol: Kol
) -> None:
    clock = ManualClock(MONDAY_10)
    opened = await rounds.open_round(kol.programme, "13. møde", DEADLINE, kol.admin, clock.now())
    w = worker(kol.messenger, clock)
    await w.run_until_idle()
    lead = await Person.get(key="pl-syddanmark")
    await Submission.create(
        round=opened.round, scope="unit:syddanmark", submitted_by=lead, submitted_at=clock.now()
    )
    clock.set(TUESDAY_9)
    await w.run_until_idle()
    counts = dm_counts(slack, kol)
    assert counts.pop("pl-syddanmark") == 1 and counts.pop("stf-syddanmark") == 1
    assert set(counts.values()) == {2}  # the invitation and one reminder
    reminder = slack.dm(kol.asked["pl-hovedstaden"])[-1]
    assert "<!" not in reminder.text and "<@" not in reminder.text  # no one is mentioned

    clock.set(FRIDAY_12)
    await w.run_until_idle()
    assert (await Round.get(id=opened.round.id)).status is RoundStatus.PUBLISHED
    notes = slack.dm(kol.admin_user)
    assert len(notes) == 1 and "Hovedstaden" in notes[0].text
    steering = slack.messages(kol.programme.steering_channel)
    assert len(steering) == 1  # one publication: the summary, its parts in the thread
    await w.run_until_idle()
    assert len(slack.messages(kol.programme.steering_channel)) == 1


def live(slack: SlackStub, user: str) -> Message:
    messages = [m for m in slack.dm(user) if m.blocks]
    assert messages, "no checklist message in the DM"
    return messages[-1]


def asks_progress(message: Message) -> bool:
    return any(b.get("block_id") == "fd_progress" for b in message.blocks or [])


@pytest.mark.parametrize("policy", ["refuse", "accept"])
async def test_a_late_answer_in_slack_follows_the_programmes_policy(
    slack: SlackStub, kol: Kol, policy: str
) -> None:
    settings = {**kol.programme.settings, "late_answers": policy}
    await Programme.filter(id=kol.programme.id).update(settings=settings)
    programme = await Programme.get(id=kol.programme.id)
    clock = ManualClock(MONDAY_10)
    opened = await rounds.open_round(programme, "13. møde", DEADLINE, kol.admin, clock.now())
    w = worker(kol.messenger, clock)
    await w.run_until_idle()
    clock.set(FRIDAY_12)
    await w.run_until_idle()  # the round closes itself at the deadline
    status = (await Round.get(id=opened.round.id)).status
    assert status is (RoundStatus.PUBLISHED if policy == "refuse" else RoundStatus.CLOSED)

    lead = kol.asked["pl-syddanmark"]
    clock.advance(timedelta(hours=1))
    async with running_app(slack, "http", clock=clock) as app:
        assert app.deps is not None
        delivery = await slack.click(lead, live(slack, lead), "fd:start:")
        assert delivery.acked
        await app.deps.deliveries.drain()
        if policy == "refuse":
            assert not asks_progress(live(slack, lead))  # the checklist shows it is closed
        else:
            assert asks_progress(live(slack, lead))
            delivery = await slack.click(lead, live(slack, lead), "fd:progress:started")
            assert delivery.acked
            await app.deps.deliveries.drain()
    answers = await Answer.filter(round_id=opened.round.id, scope="syddanmark")
    if policy == "refuse":
        assert answers == []
    else:
        assert [(a.late, a.answered_at) for a in answers] == [(True, clock.now())]
        report = await rounds.status(programme, kol.admin, clock.now())
        syd = next(line for line in report.units if line.title == "Syddanmark")
        assert (syd.late, syd.answered) == (True, 1)


async def test_an_away_lead_hands_over_to_the_deputy_in_slack(slack: SlackStub, kol: Kol) -> None:
    clock = ManualClock(MONDAY_10)
    lead = await Person.get(key="pl-syddanmark")
    await people.away(lead, "20. juni 2018", clock.now())
    await rounds.open_round(kol.programme, "13. møde", DEADLINE, kol.admin, clock.now())
    w = worker(kol.messenger, clock)
    await w.run_until_idle()
    assert slack.dm(kol.asked["pl-syddanmark"]) == []
    deputy_dm = slack.dm(kol.asked["stf-syddanmark"])
    assert len(deputy_dm) == 2  # the deputy's own invitation and the hand-over
    handover = next(m for m in deputy_dm if lead.name in m.text)
    assert "20. juni 2018" in handover.text
    clock.set(TUESDAY_9)
    await w.run_until_idle()
    assert slack.dm(kol.asked["pl-syddanmark"]) == []  # the reminder went to the deputy
    assert len(slack.dm(kol.asked["stf-syddanmark"])) == 3
