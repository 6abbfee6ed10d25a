"""The job worker when its database fails (issue 17, item 1): SQLite made read-only under
it, PostgreSQL restarted ten times under a worker polling every millisecond. It survives
(its loop never ends), logs once per outage, /readyz says so meanwhile, and it runs what
fell due once the database is back — a round opened after the restarts invites every lead.
Transactions cut by the restarts give their pooled connections back
(models/tortoise_fixes.py). The app's own clicks under the same faults:
tests/test_faults_database.py.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from bot.runtime import Fremdrift
from conversations.clock import ManualClock
from models import tortoise_fixes
from models.db import ANY_DATABASE_ERROR
from models.jobs import Job, JobStatus
from models.people import Account, Person, Platform
from models.programme import Programme
from models.programme_file import load_programme_file
from models.round import Round
from service import rounds
from service.jobs import enqueue
from service.worker import Worker
from standins.slack import SlackStub
from tests.factories import small_programme
from tests.slack_app import KOL, join_workspace, settings_for
from tests.test_faults_database import NOW, ON_POSTGRES, pragma, restart_postgres

ADMIN = "U0ADMIN001"


async def until(worker: Worker, holds: Callable[[], bool]) -> None:
    """Until `holds()`, re-checked at each change the worker reports (boundedly)."""
    async with asyncio.timeout(60):
        while not holds():
            await worker.health.changed()


async def readiness(app: Fremdrift) -> tuple[int, dict[str, object]]:
    assert app._runner is not None
    url = f"http://{':'.join(map(str, app._runner.addresses[0][:2]))}/readyz"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.json()


@asynccontextmanager
async def with_worker(
    slack: SlackStub, clock: ManualClock, poll: float
) -> AsyncIterator[Fremdrift]:
    """The app over HTTP with its job worker running (as `serve` runs it), polling often."""
    settings = settings_for(slack, "http").model_copy(update={"job_poll_seconds": poll})
    app = Fremdrift(settings, clock=clock, manage_db=False)
    await app.start()
    try:
        await app.serve_http("127.0.0.1", 0)
        await app.start_workers()
        yield app
    finally:
        await app.stop()


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's own file: query_only")
async def test_a_worker_whose_sqlite_fails_keeps_running_and_recovers(
    db: str, slack: SlackStub, caplog: pytest.LogCaptureFixture
) -> None:
    small = await small_programme()
    await join_workspace(slack)
    clock = ManualClock(NOW)
    params = {"round": "12. møde", "submitted": 1, "total": 2, "missing": [], "publishing": True}
    await enqueue(
        "note",
        {"person_id": small.admin.id, "key": "round.admin.closed", "params": params},
        run_at=NOW + timedelta(hours=1),
        dedupe_key="note:after-the-outage",
    )
    async with with_worker(slack, clock, poll=0.05) as app:
        assert app.worker is not None and app.supervisor is not None
        worker = app.worker
        await until(worker, lambda: worker.health.last_reached is not None)
        assert (await readiness(app))[0] == 200
        await pragma("query_only = 1")  # the claim's UPDATE now fails
        clock.advance(timedelta(hours=2))
        worker.wake()
        await until(worker, lambda: worker.health.failures >= 3)
        status, body = await readiness(app)
        assert (status, body["worker"]) == (503, False)
        await pragma("query_only = 0")
        worker.wake()
        await until(worker, lambda: not worker.health.in_outage)
        await slack.wait_for(lambda: slack.dm(ADMIN), within=30)
        assert (await readiness(app))[0] == 200
        assert app.supervisor.restarts == 0, "the loop never ended"
    job = await Job.get(dedupe_key="note:after-the-outage")
    assert job.status is JobStatus.DONE, (job.status, job.last_error)
    outages = [r for r in caplog.records if r.getMessage().startswith("job queue unreachable")]
    assert len(outages) == 1, "logged once per outage, not once per look"


@pytest.mark.skipif(
    not (ON_POSTGRES and os.environ.get("PG_DIR")),
    reason="restarts the test's own PostgreSQL cluster (DATABASE_URL on postgres, and PG_DIR "
    "from .ci/postgres.sh); SQLite has no server to restart",
)
async def test_a_busy_polling_worker_survives_ten_postgres_restarts_and_invites_every_lead(
    db: str, slack: SlackStub
) -> None:
    await load_programme_file(KOL)
    await join_workspace(slack)
    slack.limits.disable()
    programme = await Programme.get(key="kol-2018")
    admin = await Person.get(key="sekretariat")
    clock = ManualClock(datetime(2018, 6, 11, 8, 0, tzinfo=UTC))
    async with with_worker(slack, clock, poll=0.001) as app:
        assert app.worker is not None and app.supervisor is not None
        worker = app.worker
        await until(worker, lambda: worker.health.last_reached is not None)
        for _ in range(10):
            await restart_postgres()
        await until(worker, lambda: worker.health.outages >= 1 and not worker.health.in_outage)
        await settled_pool()
        opened = await rounds.open_round(
            programme, "13. møde", "15. juni 2018 kl. 12", admin, clock.now()
        )
        leads = [
            account.user_id
            for account in await Account.filter(
                platform=Platform.SLACK, person__roles__kind__in=["lead", "deputy", "reporter"]
            ).distinct()
        ]
        assert leads
        worker.wake()
        await slack.wait_for(
            lambda: all(any(m.blocks for m in slack.dm(user)) for user in leads), within=120
        )
        status, body = await readiness(app)
        assert status == 200, body
        assert app.supervisor.restarts == 0, "the loop survived every restart"
    for user in leads:
        assert len([m for m in slack.dm(user) if m.blocks]) == 1, f"{user}: invited once"
    assert await Round.filter(id=opened.round.id).exists()


async def settled_pool() -> None:
    """The test's own queries share the pool with the app: let every connection the
    restarts cut be found dead (and replaced) before the test leans on them."""
    for _ in range(20):
        try:
            await connections.get("default").execute_query("SELECT 1")
        except ANY_DATABASE_ERROR:
            continue


@pytest.mark.skipif(
    not (ON_POSTGRES and os.environ.get("PG_DIR")),
    reason="restarts the test's own PostgreSQL cluster (DATABASE_URL on postgres, and PG_DIR "
    "from .ci/postgres.sh); SQLite has no server to restart",
)
async def test_transactions_cut_by_postgres_restarts_give_their_connections_back(
    db: str,
) -> None:
    """Tortoise 1.1 keeps the pooled connection of a transaction whose BEGIN failed
    (models/tortoise_fixes.py): measured without the fix, ten restarts under busy
    transactions left one connection of five in the pool, or none, and the next
    transaction waited forever."""
    assert tortoise_fixes.applied()
    stop = asyncio.Event()
    failed = 0

    async def one() -> None:
        async with in_transaction():
            await Job.filter(id__gt=0).select_for_update(skip_locked=True).limit(5)

    async def busy() -> None:
        nonlocal failed
        while not stop.is_set():
            try:
                await asyncio.create_task(one())
            except ANY_DATABASE_ERROR:
                failed += 1
            await asyncio.sleep(0.001)  # a busy client, not a timed wait

    clients = [asyncio.create_task(busy()) for _ in range(3)]
    for _ in range(10):
        await restart_postgres()
    stop.set()
    await asyncio.gather(*clients)
    assert failed, "the restarts were not felt"
    pool = connections.get("default")._pool
    assert pool.get_idle_size() == pool.get_size(), "every connection is back in the pool"
    async with asyncio.timeout(30):  # without the fix, an empty pool waits forever here
        await settled_pool()
        await one()  # and the pool serves transactions again
