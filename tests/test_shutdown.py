"""`fremdrift serve` on SIGTERM: the job in hand is finished, then the process exits 0.

A real `fremdrift serve` process against the Slack stand-in, on the test's database: a DM
job is queued, the stand-in holds the bot's chat.postMessage for a few seconds, and
SIGTERM arrives while the worker waits for it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime

import pytest

from models.jobs import Job, JobStatus
from models.people import Person
from models.programme_file import load_programme_file
from service.jobs import enqueue
from standins.slack import SlackStub, Slow
from tests.slack_app import KOL, join_workspace

ADMIN = "U0KOL000001"
HELD = 3.0  # seconds the stand-in holds the message: the job is in hand that long
WITHIN = 60.0  # bound on every wait for the child process


async def test_sigterm_finishes_the_job_in_hand_and_exits_0(
    db: str, slack: SlackStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    await load_programme_file(KOL)
    await join_workspace(slack)
    admin = await Person.get(key="sekretariat")
    params = {"round": "12. møde", "submitted": 6, "total": 6, "missing": [], "publishing": True}
    await enqueue(
        "note",
        {"person_id": admin.id, "key": "round.admin.closed", "params": params},
        run_at=datetime.now(UTC),
        dedupe_key="note:shutdown-test",
    )
    job = await Job.get(dedupe_key="note:shutdown-test")

    in_hand = asyncio.Event()
    take = slack.faults.take

    def take_and_tell(target: str) -> object:
        fault = take(target)
        if fault is not None:
            in_hand.set()
        return fault

    monkeypatch.setattr(slack.faults, "take", take_and_tell)
    slack.faults.add("chat.postMessage", Slow(HELD))

    identity = slack.identity
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "FREMDRIFT_", "DATABASE_URL"))
    }
    env.update(
        SLACK_BOT_TOKEN=identity.bot_token,
        SLACK_SIGNING_SECRET=identity.signing_secret,
        FREMDRIFT_SLACK_API_URL=slack.api_url,
        DATABASE_URL=db,
        FREMDRIFT_HOST="127.0.0.1",
        FREMDRIFT_PORT="0",
        FREMDRIFT_JOB_POLL_SECONDS="0.1",
        FREMDRIFT_LOG_LEVEL="INFO",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from bot.cli import main; main()",
        "serve",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await asyncio.wait_for(in_hand.wait(), WITHIN)
        assert slack.dm(ADMIN) == []  # the stand-in holds the message: not posted yet
        assert (await Job.get(id=job.id)).status is JobStatus.RUNNING
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), WITHIN)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    assert process.returncode == 0, stderr.decode()
    finished = await Job.get(id=job.id)
    assert finished.status is JobStatus.DONE, (finished.status, finished.last_error)
    assert (finished.result or {}).get("sent") is True
    assert len(slack.dm(ADMIN)) == 1
    assert b"finishing the work in hand" in stderr
    assert b"xoxb-" not in stdout + stderr
