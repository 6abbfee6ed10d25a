"""SIGTERM while `serve` renders a publication (issue 17, item 2): exit code 0 within 10
seconds, the render process ended with it, and the publication retaken later — posted once.

A real `fremdrift serve` against the Slack stand-in, on PostgreSQL. The publication is one
whose first attempt died right after marking the round published (its job running, its
lease run out), so serve's worker retakes it and compiles it in its render process
(service/rendering.py). That process is held mid-compilation by a real fault: the test keeps
the round's row locked, so the comparison the compilation freezes waits for it — for as
long as the test likes, on a machine of any speed. The wait is seen in pg_stat_activity
before the signal is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no types
import pytest

from conversations.clock import ManualClock
from models.db import is_postgres
from models.jobs import Job, JobStatus
from models.people import Person
from models.programme import Programme
from models.programme_file import load_programme_file
from models.publication import PublicationDocument
from models.round import Round, RoundStatus
from service import rounds
from standins.slack import SlackStub
from tests.faults_support import free_port
from tests.rounds_support import Outbox, round_worker
from tests.slack_app import KOL, join_workspace
from tests.test_shutdown import STOPS_WITHIN, WITHIN, serving, terminated

LEASE = 120


@pytest.fixture
async def out(db: str, slack: SlackStub) -> AsyncIterator[Outbox]:
    if not is_postgres(db):
        pytest.skip("the render is held by a row lock, which SQLite has not")
    async with Outbox.open(slack) as outbox:
        yield outbox


def children(pid: int) -> list[tuple[int, str]]:
    """The processes whose parent is `pid`, with their command lines."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == pid:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                found.append((int(entry.name), command))
    return found


def alive(pid: int) -> bool:
    """Running, not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WITHIN
    while not await check():
        assert loop.time() < deadline, what
        await asyncio.sleep(0.05)


async def a_publication_whose_first_attempt_died(slack: SlackStub) -> Round:
    """KOL's round closed; its publish job marked the round published and then died."""
    await load_programme_file(KOL)
    await join_workspace(slack)
    programme = await Programme.get(key="kol-2018")
    slack.workspace.add_channel("styregruppe", channel_id=programme.steering_channel)
    admin = await Person.get(key="sekretariat")
    now = datetime.now(UTC)
    opened = await rounds.open_round(programme, "13. møde", "om 5 dage", admin, now)
    await rounds.close(programme, admin, now)
    await Job.exclude(kind="publish").delete()  # only the publication is left to do
    await Round.filter(id=opened.round.id).update(status=RoundStatus.PUBLISHED, published_at=now)
    await Job.filter(kind="publish").update(
        status=JobStatus.RUNNING,
        attempts=1,
        locked_by="died-after-marking",
        locked_until=now - timedelta(seconds=1),
    )
    return opened.round


async def test_sigterm_while_a_publication_renders_ends_serve_and_its_render_process(
    out: Outbox, slack: SlackStub, db: str
) -> None:
    round_ = await a_publication_whose_first_attempt_died(slack)
    steering = (await Programme.get(key="kol-2018")).steering_channel
    holder = await asyncpg.connect(db)
    try:
        held = holder.transaction()
        await held.start()
        await holder.execute("SELECT id FROM round WHERE id = $1 FOR UPDATE", round_.id)

        async def render_waits() -> bool:
            await holder.execute("SELECT pg_stat_clear_snapshot()")  # kept per transaction
            waiting = await holder.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND query LIKE 'UPDATE \"round\"%'"
            )
            return bool(waiting)

        async with serving(
            SLACK_BOT_TOKEN=slack.identity.bot_token,
            SLACK_SIGNING_SECRET=slack.identity.signing_secret,
            FREMDRIFT_SLACK_API_URL=slack.api_url,
            DATABASE_URL=db,
            FREMDRIFT_PORT=str(free_port()),
            FREMDRIFT_JOB_POLL_SECONDS="0.1",
            FREMDRIFT_JOB_LEASE_SECONDS=str(LEASE),
        ) as process:
            await eventually(render_waits, "the render process never reached the round")
            renders = [pid for pid, command in children(process.pid) if "spawn_main" in command]
            assert len(renders) == 1, children(process.pid)
            job = await Job.get(kind="publish")
            assert (job.status, job.attempts) == (JobStatus.RUNNING, 2)
            took, stderr = await terminated(process)
        assert process.returncode == 0, stderr.decode()[-3000:]
        assert took < STOPS_WITHIN, took
        assert b"Traceback" not in stderr, stderr.decode()[-3000:]

        async def render_gone() -> bool:
            return not alive(renders[0])

        await eventually(render_gone, "the render process was left running")
        assert slack.workspace.messages(steering) == []  # nothing was posted
        assert await PublicationDocument.filter(round_id=round_.id).count() == 0
    finally:
        await holder.close()  # the lock goes with its connection

    job = await Job.get(kind="publish")
    assert job.status is JobStatus.RUNNING, "left to its lease"
    assert job.locked_until is not None
    later = ManualClock(job.locked_until + timedelta(seconds=1))
    await round_worker(out, later).run_until_idle()
    job = await Job.get(kind="publish")
    assert (job.status, job.attempts) == (JobStatus.DONE, 3)
    assert len(await out.publications(round_.id)) == 1
    assert out.doubled() == []
    assert await PublicationDocument.filter(round_id=round_.id).count() == 5
