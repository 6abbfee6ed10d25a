"""`fremdrift serve` on SIGTERM, in every state: within 10 seconds, exit code 0.

Real `fremdrift serve` processes against the Slack stand-in, on the test's database, and
real signals:
- a DM job in hand (the stand-in holds the bot's chat.postMessage for a few seconds) is
  finished first; one held longer than the grace is left to its lease, to be retaken;
- Socket Mode that cannot reach Slack (the Web API at a closed local port);
- a corrupt SQLite file (garbage written to it): `serve` says so in one line and keeps
  trying, /livez answers and /readyz says the database is missing; and every CLI command
  gives up on that file with one line within seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from models.jobs import Job, JobStatus
from models.people import Person
from models.programme_file import load_programme_file
from service.jobs import enqueue
from standins.slack import SlackStub, Slow
from tests.faults_support import ROOT, free_port
from tests.slack_app import KOL, join_workspace

ADMIN = "U0KOL000001"
HELD = 3.0  # seconds the stand-in holds the message: the job is in hand that long
WITHIN = 60.0  # bound on every wait for the child process
STOPS_WITHIN = 10.0  # what SIGTERM promises


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


# -- every state -----------------------------------------------------------------------------
def serve_env(**settings: str) -> dict[str, str]:
    """The environment of a `fremdrift serve` process: ours, without any setting of ours."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "FREMDRIFT_", "DATABASE_URL"))
    }
    env.update(PYTHONPATH=str(ROOT), FREMDRIFT_HOST="127.0.0.1", FREMDRIFT_LOG_JSON="false")
    env.update(settings)
    return env


@contextlib.asynccontextmanager
async def serving(**settings: str) -> AsyncIterator[asyncio.subprocess.Process]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from bot.cli import main; main()",
        "serve",
        cwd=ROOT,
        env=serve_env(**settings),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def health(port: int, until: Callable[[int, dict[str, object]], bool]) -> dict[str, object]:
    """Poll /readyz until `until(status, body)` holds (boundedly); its last body."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WITHIN
    async with aiohttp.ClientSession() as session:
        while True:
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"http://127.0.0.1:{port}/readyz") as response:
                    body = await response.json()
                    if until(response.status, body):
                        async with session.get(f"http://127.0.0.1:{port}/livez") as live:
                            assert live.status == 200
                        return dict(body)
            assert loop.time() < deadline, "serve never reached the state waited for"
            await asyncio.sleep(0.05)


async def terminated(process: asyncio.subprocess.Process) -> tuple[float, bytes]:
    """SIGTERM; how long the process took to end, and what it wrote to stderr."""
    loop = asyncio.get_running_loop()
    sent = loop.time()
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), WITHIN)
    return loop.time() - sent, stderr


async def test_sigterm_ends_socket_mode_serve_that_cannot_reach_slack(
    db: str, slack: SlackStub
) -> None:
    port = free_port()
    nowhere = f"http://127.0.0.1:{free_port()}/api/"  # nothing listens: refused at once
    async with serving(
        SLACK_BOT_TOKEN=slack.identity.bot_token,
        SLACK_APP_TOKEN=slack.identity.app_token,
        FREMDRIFT_SLACK_API_URL=nowhere,
        DATABASE_URL=db,
        FREMDRIFT_PORT=str(port),
    ) as process:
        body = await health(
            port, lambda status, b: b.get("worker") is True and b.get("socket_mode") is False
        )
        assert body["database"] is True and body["ok"] is False
        took, stderr = await terminated(process)
    assert process.returncode == 0, stderr.decode()
    assert took < STOPS_WITHIN, took
    assert b"Traceback" not in stderr, stderr.decode()[-3000:]


async def test_sigterm_ends_serve_on_a_corrupt_sqlite_file(
    tmp_path: Path, slack: SlackStub
) -> None:
    database = tmp_path / "fremdrift.sqlite3"
    database.write_bytes(b"not a database at all, " * 2000)
    port = free_port()
    async with serving(
        SLACK_BOT_TOKEN=slack.identity.bot_token,
        SLACK_SIGNING_SECRET=slack.identity.signing_secret,
        FREMDRIFT_SLACK_API_URL=slack.api_url,
        DATABASE_URL=f"sqlite://{database}",
        FREMDRIFT_PORT=str(port),
    ) as process:
        body = await health(port, lambda status, b: status == 503)
        assert (body["database"], body["worker"]) == (False, False)
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"http://127.0.0.1:{port}/slack/events", data=b"{}") as refused,
        ):
            assert refused.status == 503  # nothing is read into a database that is not there
        took, stderr = await terminated(process)
    assert process.returncode == 0, stderr.decode()
    assert took < STOPS_WITHIN, took
    text = stderr.decode()
    assert "kan ikke bruges" in text and "file is not a database" in text, text
    assert text.count("kan ikke bruges") == 1, "said once, not at every attempt"
    assert "Traceback" not in text, text


async def test_sigterm_leaves_a_job_that_outlasts_the_grace_to_its_lease(
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
        dedupe_key="note:outlasts",
    )
    in_hand = asyncio.Event()
    take = slack.faults.take

    def take_and_tell(target: str) -> object:
        fault = take(target)
        if fault is not None:
            in_hand.set()
        return fault

    monkeypatch.setattr(slack.faults, "take", take_and_tell)
    slack.faults.add("chat.postMessage", Slow(WITHIN))  # far past the grace
    async with serving(
        SLACK_BOT_TOKEN=slack.identity.bot_token,
        SLACK_SIGNING_SECRET=slack.identity.signing_secret,
        FREMDRIFT_SLACK_API_URL=slack.api_url,
        DATABASE_URL=db,
        FREMDRIFT_PORT=str(free_port()),
        FREMDRIFT_JOB_POLL_SECONDS="0.1",
    ) as process:
        await asyncio.wait_for(in_hand.wait(), WITHIN)  # the job is in hand
        took, stderr = await terminated(process)
    assert process.returncode == 0, stderr.decode()
    assert took < STOPS_WITHIN, took
    job = await Job.get(dedupe_key="note:outlasts")
    assert job.status is JobStatus.RUNNING, "left to its lease, to be retaken"
    assert b"left to their leases" in stderr


CLI_COMMANDS = {
    "programme-list": ["programme", "list"],
    "round-list": ["round", "list", "--programme", "kol-2018"],
    "round-jobs": ["round", "jobs"],
    "db-migrate": ["db", "migrate"],
}


@pytest.mark.parametrize("command", CLI_COMMANDS.values(), ids=CLI_COMMANDS.keys())
async def test_every_cli_command_gives_up_on_a_corrupt_database_in_one_line(
    tmp_path: Path, command: list[str]
) -> None:
    database = tmp_path / "fremdrift.sqlite3"
    database.write_bytes(os.urandom(20_000))
    loop = asyncio.get_running_loop()
    started = loop.time()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from bot.cli import main; main()",
        *command,
        cwd=ROOT,
        env=serve_env(DATABASE_URL=f"sqlite://{database}", FREMDRIFT_LANGUAGE="en"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), WITHIN)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    took = loop.time() - started
    lines = stderr.decode().strip().splitlines()
    assert process.returncode == 1
    assert len(lines) == 1, lines
    assert "cannot be used" in lines[0] and str(database) in lines[0], lines
    assert took < 30, took  # the interpreter's start included; it hung for good before
