"""Honest health (issue 17, item 1): /livez, /readyz (and /healthz, its old name), the
queue's figures on /metrics, and a job worker that is started again if its loop ends.

The app is the real one over HTTP against the Slack stand-in, its worker running as
`serve` runs it; the database is the test's own.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import aiohttp
import pytest
from prometheus_client import REGISTRY

from bot.runtime import Fremdrift
from conversations.clock import ManualClock
from models.jobs import Job, JobStatus
from service import rounds
from service.jobs import enqueue
from service.round_jobs import build_worker
from standins.slack import SlackError, SlackStub
from tests.factories import OPENED, Small, small_programme
from tests.slack_app import join_workspace, settings_for

ADMIN = "U0ADMIN001"
NOW = OPENED + timedelta(days=1)


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@asynccontextmanager
async def serving(
    slack: SlackStub, clock: ManualClock, *, workers: bool
) -> AsyncIterator[tuple[Fremdrift, str]]:
    await join_workspace(slack)
    settings = settings_for(slack, "http").model_copy(update={"job_poll_seconds": 0.05})
    app = Fremdrift(settings, clock=clock, manage_db=False)
    await app.start()
    try:
        url = await app.serve_http("127.0.0.1", 0)
        if workers:
            await app.start_workers()
        yield app, url
    finally:
        await app.stop()


async def get(url: str) -> tuple[int, dict[str, object] | str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        if response.content_type == "application/json":
            return response.status, dict(await response.json())
        return response.status, await response.text()


async def reached(app: Fremdrift) -> None:
    """Until the worker has answered from the queue (boundedly)."""
    assert app.worker is not None
    health = app.worker.health
    async with asyncio.timeout(30):
        while not health.fresh():
            await health.changed()


@pytest.fixture
async def small(db: str) -> Small:
    return await small_programme()


async def test_livez_readyz_and_healthz_say_what_holds(small: Small, slack: SlackStub) -> None:
    async with serving(slack, ManualClock(NOW), workers=True) as (app, url):
        await reached(app)
        assert await get(f"{url}/livez") == (200, {"ok": True})
        ready = await get(f"{url}/readyz")
        assert ready == (200, {"ok": True, "database": True, "worker": True})
        assert await get(f"{url}/healthz") == ready


async def test_without_a_worker_of_its_own_readiness_leaves_it_out(
    small: Small, slack: SlackStub
) -> None:
    async with serving(slack, ManualClock(NOW), workers=False) as (_, url):
        assert await get(f"{url}/readyz") == (200, {"ok": True, "database": True, "worker": None})


async def test_a_worker_loop_that_ends_is_started_again_and_counted(
    small: Small, slack: SlackStub
) -> None:
    restarts = sample("fremdrift_worker_restarts_total")
    params = {"round": "12. møde", "submitted": 1, "total": 2, "missing": [], "publishing": True}
    async with serving(slack, ManualClock(NOW), workers=True) as (app, url):
        assert app.worker is not None and app.supervisor is not None
        await reached(app)
        await app.worker.stop()  # the loop ends, though nobody stopped the app
        await enqueue(
            "note",
            {"person_id": small.admin.id, "key": "round.admin.closed", "params": params},
            run_at=NOW,
            dedupe_key="note:after-a-restart",
        )
        await slack.wait_for(lambda: slack.dm(ADMIN), within=30)  # run by the new loop
        assert app.supervisor.restarts == 1
        assert (await get(f"{url}/readyz"))[0] == 200
    assert sample("fremdrift_worker_restarts_total") == restarts + 1
    job = await Job.get(dedupe_key="note:after-a-restart")
    assert job.status is JobStatus.DONE


async def test_metrics_show_the_queue_depth_and_the_oldest_due_jobs_wait(
    small: Small, slack: SlackStub
) -> None:
    for minutes, key in ((-10, "a"), (-5, "b"), (60, "later")):
        await enqueue(
            "note",
            {"person_id": small.admin.id, "key": "round.admin.closed", "params": {}},
            run_at=NOW + timedelta(minutes=minutes),
            dedupe_key=f"note:{key}",
        )
    async with serving(slack, ManualClock(NOW), workers=False) as (_, url):
        status, body = await get(f"{url}/metrics")
    assert status == 200 and isinstance(body, str)
    assert "fremdrift_job_queue_depth 2.0" in body, "two due, one later"
    assert "fremdrift_job_oldest_due_seconds 600.0" in body, "the oldest waited ten minutes"
    assert "fremdrift_worker_restarts_total" in body
    assert "fremdrift_worker_database_outages_total" in body


async def test_a_publication_that_fails_for_good_is_counted(small: Small, slack: SlackStub) -> None:
    failed = sample("fremdrift_publications_total", outcome="failed")
    clock = ManualClock(NOW)
    async with serving(slack, clock, workers=False) as (app, _):
        worker = build_worker(app.messenger(), clock=clock, settings=app.settings)
        await rounds.close(small.programme, small.admin, clock.now())
        await worker.run_until_idle(max_jobs=1)  # the admins' note first
        slack.faults.add("chat.postMessage", SlackError("channel_not_found"))
        await worker.run_until_idle()
    assert (await Job.get(kind="publish")).status is JobStatus.FAILED
    assert sample("fremdrift_publications_total", outcome="failed") == failed + 1
