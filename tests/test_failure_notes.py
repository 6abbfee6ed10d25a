"""A publication or a DM that fails for good tells each admin, in their language, what failed,
why and what to do — from a message key per why, never the platform's error as Python
prints it — and `round publish` (the slash command, the CLI) recovers a failed publication:
posted once, from the documents stored when it first ran.

Through the real SlackMessenger over the Slack stand-in (its own refusals: the bot taken out
of the steering channel answers `not_in_channel`, a person who left `channel_not_found`),
the real bolt app for the slash command and the real CLI in a process of its own.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from conversations.clock import ManualClock
from models.jobs import Job, JobStatus
from models.people import Person
from models.publication import PublicationDocument
from models.round import Round, RoundStatus
from service import rounds
from standins.slack import HttpStatus, SlackError, SlackStub
from tests.factories import Small, small_programme
from tests.rounds_support import MONDAY_10, Outbox, round_worker
from tests.slack_app import running_app

FREMDRIFT = Path(sys.executable).parent / "fremdrift"
ADMIN = "U0ADMIN001"
STEERING = "C0GENERAL1"
REPR_MARKS = ("Unreachable", "PermanentFailure", "TransientFailure", "Error(", "('")


@pytest.fixture
async def out(db: str, slack: SlackStub) -> AsyncIterator[Outbox]:
    async with Outbox.open(slack) as outbox:
        yield outbox


def as_read(text: str | None) -> str:
    return (text or "").replace("\u200b", "")


async def closed_round(out: Outbox, clock: ManualClock) -> tuple[Small, Round]:
    """A round everyone was invited to, closed: its publication is queued."""
    small = await small_programme(open_round=False)
    opened = await rounds.open_round(
        small.programme, "13. møde", "15. juni 2018 kl. 12", small.admin, clock.now()
    )
    await round_worker(out, clock).run_until_idle()
    await rounds.close(small.programme, small.admin, clock.now())
    return small, opened.round


def bot_leaves(slack: SlackStub) -> None:
    slack.workspace.channels[STEERING].members.discard(slack.identity.bot_user_id)


def bot_invited(slack: SlackStub) -> None:
    slack.workspace.channels[STEERING].members.add(slack.identity.bot_user_id)


async def documents(round_id: int) -> list[tuple[int, str, bytes]]:
    rows = await PublicationDocument.filter(round_id=round_id).order_by("id")
    return [(row.id, row.kind, bytes(row.content)) for row in rows]


async def test_a_publication_refused_by_the_channel_tells_the_admin_what_to_do(
    out: Outbox, slack: SlackStub
) -> None:
    clock = ManualClock(MONDAY_10)
    small, round_ = await closed_round(out, clock)
    bot_leaves(slack)
    await round_worker(out, clock).run_until_idle()
    job = await Job.get(kind="publish")
    assert (job.status, job.last_error) == (JobStatus.FAILED, "Unreachable: not_in_channel")
    notes = await out.notices("failure.publish.not_in_channel", small.admin)
    assert len(notes) == 1
    text = as_read(notes[0].message.text)
    assert "Runden «13. møde» kunne ikke offentliggøres" in text
    assert f"Fremdrift er ikke medlem af styregruppens kanal {STEERING}" in text
    assert "/invite @Fremdrift" in text
    assert "«round publish»" in text
    assert f"fremdrift round publish --programme {small.programme.key}" in text
    assert not any(mark in text for mark in REPR_MARKS)
    assert "not_in_channel" not in text  # the operators' word stays in the job and the log
    assert await out.publications() == []
    assert (await Round.get(id=round_.id)).status is RoundStatus.PUBLISHED
    assert len(await documents(round_.id)) == 5  # rendered and stored before the post


async def test_the_slash_command_recovers_it_once_from_the_stored_documents(
    out: Outbox, slack: SlackStub
) -> None:
    clock = ManualClock(MONDAY_10)
    small, round_ = await closed_round(out, clock)
    bot_leaves(slack)
    worker = round_worker(out, clock)
    await worker.run_until_idle()
    stored = await documents(round_.id)
    answered = await rounds.publish(small.programme, small.admin, clock.now())
    assert answered.id == round_.id  # queued again while the bot is still out: fails again
    await worker.run_until_idle()
    assert len(await out.notices("failure.publish.not_in_channel", small.admin)) == 2
    bot_invited(slack)
    async with running_app(slack, "http", clock=clock):
        delivery = await slack.command(ADMIN, "/fremdrift", "round publish")
        assert delivery.acked and delivery.status == 200
    await worker.run_until_idle()
    assert len(await out.publications(round_.id)) == 1
    assert out.doubled() == []
    assert await documents(round_.id) == stored  # the same rows: nothing rendered again
    jobs = await Job.filter(kind="publish").order_by("id")
    assert [j.status for j in jobs] == [JobStatus.FAILED, JobStatus.FAILED, JobStatus.DONE]
    assert len(await out.notices("failure.publish.not_in_channel", small.admin)) == 2


async def test_the_cli_recovers_a_publication_that_failed_half_way(
    out: Outbox, slack: SlackStub, database_url: str
) -> None:
    clock = ManualClock(MONDAY_10)
    small, round_ = await closed_round(out, clock)
    # The summary is posted; every upload of the documents then meets a 503, to the end.
    slack.faults.add("files.getUploadURLExternal", HttpStatus(503), times=20)
    worker = round_worker(out, clock)
    for _ in range(8):
        await worker.run_until_idle()
        clock.advance(timedelta(hours=1))
    job = await Job.get(kind="publish")
    assert (job.status, job.attempts) == (JobStatus.FAILED, 6)
    notes = await out.notices("failure.publish.gave_up", small.admin)
    assert len(notes) == 1
    text = as_read(notes[0].message.text)
    assert "chatplatformen svarede ikke, 6 gange i træk" in text
    assert not any(mark in text for mark in REPR_MARKS)
    assert len(await out.publications(round_.id)) == 1  # the summary got through
    slack.faults.clear()
    env = {**os.environ, "DATABASE_URL": database_url, "FREMDRIFT_LANGUAGE": "da"}
    cli = await asyncio.create_subprocess_exec(
        str(FREMDRIFT),
        "round",
        "publish",
        "--programme",
        small.programme.key,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await cli.communicate()
    assert (cli.returncode, stderr.decode()) == (0, "")
    assert "13. møde" in stdout.decode()
    await worker.run_until_idle()
    assert len(await out.publications(round_.id)) == 1  # the summary is not posted again …
    assert out.doubled() == []
    thread = out.slack.workspace.channels[STEERING].visible()[-1]
    assert len(thread.replies) >= 1  # … and the documents went into its thread


async def test_an_admin_reads_it_in_their_own_language(out: Outbox, slack: SlackStub) -> None:
    clock = ManualClock(MONDAY_10)
    small, _ = await closed_round(out, clock)
    await Person.filter(id=small.admin.id).update(language="en")
    worker = round_worker(out, clock)
    await worker.run_until_idle(max_jobs=1)  # the note that the round closed goes out first
    slack.faults.add("chat.postMessage", SlackError("is_archived"))
    await worker.run_until_idle()
    notes = await out.notices("failure.publish.channel_archived", small.admin)
    assert len(notes) == 1
    text = as_read(notes[0].message.text)
    assert f'The round "13. møde" could not be published: the steering channel {STEERING}' in text
    assert "is archived. Unarchive it" in text


async def test_a_person_who_left_is_named_with_what_to_do(out: Outbox) -> None:
    small = await small_programme(open_round=False)
    clock = ManualClock(MONDAY_10)
    await rounds.open_round(small.programme, "13. møde", "om 5 dage", small.admin, clock.now())
    out.forget("U0NORD0001")  # Niels Nord has left the workspace
    await round_worker(out, clock).run_until_idle()
    notes = await out.notices("failure.dm.account_gone", small.admin)
    assert len(notes) == 1
    text = as_read(notes[0].message.text)
    assert "Jeg kunne ikke sende invitationen i runden «13. møde» til Niels Nord" in text
    assert "chatkontoen er væk eller deaktiveret" in text
    assert not any(mark in text for mark in REPR_MARKS) and "channel_not_found" not in text
