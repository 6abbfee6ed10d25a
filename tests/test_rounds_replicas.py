"""Two real replicas — two processes on one PostgreSQL server — run a KOL round against the
Slack stand-in: the invitations, the reminders (one replica killed halfway and replaced),
the close and the publication. Every DM, reminder and publication happens exactly once,
counted at the stand-in, although both replicas race for the same jobs, two close jobs
and two publish jobs fall due at once, and the test itself closes the round too.

Time is a file both replicas read (tests/rounds_replica.py): the test moves it; nobody
sleeps for real time. SQLite runs one worker per database file, so this is PostgreSQL's.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tortoise.transactions import in_transaction

from models.db import is_postgres
from models.jobs import Job, JobStatus
from models.people import Account, Role, RoleKind
from models.programme import Programme
from models.programme_file import load_programme_file
from models.round import Round, RoundStatus
from service import rounds
from service.jobs import enqueue
from standins.slack import SlackStub
from tests.slack_app import KOL, join_workspace

pytestmark = pytest.mark.skipif(
    not is_postgres(os.environ.get("DATABASE_URL", "")),
    reason="replicas share work through PostgreSQL (FOR UPDATE SKIP LOCKED); "
    "SQLite runs a single worker per database file",
)

ROOT = Path(__file__).parent.parent
MONDAY_10 = datetime(2018, 6, 4, 8, 0, tzinfo=UTC)
TUESDAY_9 = datetime(2018, 6, 12, 7, 0, tzinfo=UTC)
FRIDAY_12 = datetime(2018, 6, 15, 10, 0, tzinfo=UTC)
LEASE = 60
WITHIN = 90.0


class Replica:
    """A `python -m tests.rounds_replica` process."""

    def __init__(self, name: str, process: asyncio.subprocess.Process) -> None:
        self.name = name
        self.process = process

    @classmethod
    async def start(cls, name: str, slack: SlackStub, clock_file: Path) -> Replica:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.rounds_replica",
            "--api-url",
            slack.api_url,
            "--token",
            slack.identity.bot_token,
            "--clock",
            str(clock_file),
            "--id",
            name,
            "--concurrency",
            "2",
            "--lease",
            str(LEASE),
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=asyncio.subprocess.PIPE,
        )
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 60)
        assert json.loads(line) == {"ready": name}, line
        return cls(name, process)

    async def stop(self) -> dict[str, object]:
        """SIGTERM: finish the jobs in hand, then exit 0 with the stats on the last line."""
        self.process.terminate()
        assert self.process.stdout is not None
        out = await asyncio.wait_for(self.process.stdout.read(), 60)
        assert await self.process.wait() == 0
        stats: dict[str, object] = json.loads(out.decode().strip().splitlines()[-1])
        return stats

    async def kill(self) -> None:
        self.process.kill()
        await self.process.wait()


def set_clock(path: Path, moment: datetime) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(moment.isoformat(), encoding="utf-8")
    temporary.replace(path)  # atomic: a replica never reads half a moment


async def eventually(condition: Callable[[], Awaitable[bool]], within: float = WITHIN) -> None:
    """Await a condition on the shared database (which has no change signal to wait on)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await condition():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def jobs_settled(round_id: int, kinds: list[str]) -> bool:
    return not await Job.filter(
        round_id=round_id, kind__in=kinds, status__in=[JobStatus.PENDING, JobStatus.RUNNING]
    ).exists()


@pytest.fixture
async def replicas_env(db: str, slack: SlackStub) -> None:
    await load_programme_file(KOL)
    await join_workspace(slack)
    programme = await Programme.get(key="kol-2018")
    slack.workspace.add_channel("styregruppe", channel_id=programme.steering_channel)


async def test_two_replicas_send_every_dm_reminder_and_publication_exactly_once(
    replicas_env: None, slack: SlackStub, tmp_path: Path
) -> None:
    programme = await Programme.get(key="kol-2018")
    roles = await Role.filter(programme=programme).prefetch_related("person")
    users = {a.person_id: a.user_id for a in await Account.all()}
    asked = {users[r.person_id] for r in roles if r.kind is not RoleKind.ADMIN}
    admin = next(r.person for r in roles if r.kind is RoleKind.ADMIN)
    admin_user = users[admin.id]

    def dms() -> int:
        return sum(len(slack.dm(user)) for user in asked)

    clock = tmp_path / "clock"
    set_clock(clock, MONDAY_10)
    a = await Replica.start("a", slack, clock)
    b = await Replica.start("b", slack, clock)
    stats: list[dict[str, object]] = []
    try:
        opened = await rounds.open_round(
            programme, "13. møde", "15. juni 2018 kl. 12", admin, MONDAY_10
        )
        round_id = opened.round.id
        await slack.wait_for(lambda: dms() == 11, within=WITHIN)
        await eventually(lambda: jobs_settled(round_id, ["invite"]))

        set_clock(clock, TUESDAY_9)  # the first reminder: both replicas fan it out …
        await slack.wait_for(lambda: dms() > 11, within=WITHIN)
        await a.kill()  # … and one of them dies halfway
        set_clock(clock, TUESDAY_9 + timedelta(seconds=LEASE + 1))  # its leases run out
        await slack.wait_for(lambda: dms() == 22, within=WITHIN)
        await eventually(lambda: jobs_settled(round_id, ["remind"]))
        a = await Replica.start("a2", slack, clock)  # a new process takes its place

        # The same close and the same publish, raced: a second close job and a stray
        # publish job fall due with the real ones, and the test closes the round too.
        async with in_transaction():
            await enqueue(
                "close",
                {"deadline": FRIDAY_12.isoformat()},
                run_at=FRIDAY_12,
                dedupe_key=f"close:{round_id}:again",
                round=round_id,
            )
            await enqueue(
                "publish", {}, run_at=FRIDAY_12, dedupe_key="publish:stray", round=round_id
            )
        set_clock(clock, FRIDAY_12)
        closed_here = await rounds.close_round(round_id, FRIDAY_12)
        steering = programme.steering_channel
        await slack.wait_for(
            lambda: len(slack.messages(steering)) == 1 and len(slack.dm(admin_user)) == 1,
            within=WITHIN,
        )
        await eventually(lambda: jobs_settled(round_id, ["close", "publish", "note"]))
    finally:
        for replica in (a, b):
            if replica.process.returncode is None:
                stats.append(await replica.stop())

    assert {user: len(slack.dm(user)) for user in asked} == dict.fromkeys(asked, 2)
    assert len(slack.dm(admin_user)) == 1  # who did not answer: told once
    assert len(slack.messages(programme.steering_channel)) == 1  # published once
    round_ = await Round.get(id=round_id)
    assert round_.status is RoundStatus.PUBLISHED
    close_results = [j.result for j in await Job.filter(round_id=round_id, kind="close")]
    closers = sum(1 for r in close_results if r and r.get("closed")) + (closed_here is not None)
    assert closers == 1
    publish_results = [j.result or {} for j in await Job.filter(round_id=round_id, kind="publish")]
    assert sum(1 for r in publish_results if r.get("sent")) == 1
    assert await Job.filter(round_id=round_id, status=JobStatus.FAILED).count() == 0
    runners = set(
        await Job.filter(round_id=round_id, status=JobStatus.DONE).values_list(
            "locked_by", flat=True
        )
    )
    assert len(runners & {"a", "a2", "b"}) >= 2, runners  # the work really was shared
    assert sum(int(str(s["done"])) for s in stats) > 0, stats
