"""A round's fan-out to 500 leads through the Slack stand-in's real rate limits.

    python -m benchmarks.bench_fanout                      # both paths, 500 leads
    python -m benchmarks.bench_fanout --paths direct --leads 200 --scale 5

A programme of `--leads` units with one lead each (a Slack user of the stand-in) gets a
round opened through the round service; its invitations are sent by the round's own job
worker (service/round_jobs.py, settings.job_concurrency at a time) through the real
SlackMessenger and slack_sdk to the stand-in, whose limits answer 429 with Retry-After.

Two paths (SLACK-FACTS.md, "Fan-out"):
- direct: chat.postMessage with the person's user id as channel — what SlackMessenger does;
  bounded by chat.postMessage's workspace limit (300/min, a burst of 50, in the stand-in).
- open: conversations.open first (Tier 3: 50/min, a burst of 10), then chat.postMessage to
  the DM's channel id; bounded by conversations.open. At scale 1 its floor is ~10 minutes,
  so by default it runs with every limit 10× (--open-scale); the ratio does not depend on it.

The floor is what the limits allow at best: (n − burst) / rate of the binding limit, the
burst being free. Printed per path: the time from the round's commit to the last DM at
the stand-in, the floor, their ratio (target: within 1.1×), the 429s met, and the audit at
the stand-in: each lead's DM holds exactly one invitation (0 lost, 0 doubled).
A fresh SQLite file per path, or DATABASE_URL's database. Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

from bot.settings import get_settings
from bot.slack.client import job_client
from bot.slack.identity import slack_user_of
from bot.slack.messenger import SlackMessenger
from bot.slack.posting import Poster
from conversations.clock import SystemClock
from conversations.views import View
from models.db import close_db, open_db
from models.jobs import Job, JobStatus
from models.people import Account, Person, Platform, Role, RoleKind
from models.programme import Milestone, MilestoneGroup, Programme, Unit
from render.slack.views import render_view
from service import rounds
from service.messenger import Notice, Sent, Unreachable
from service.round_jobs import RoundJobs
from service.worker import Worker
from standins.slack import SlackStub
from standins.slack.ratelimit import POST_MESSAGE_WORKSPACE, TIERS

TARGET = 1.1


class OpenFirstMessenger(SlackMessenger):
    """The other path: conversations.open for the DM's channel id, then chat.postMessage."""

    async def send_checklist(
        self, person_id: int, view: View, *, key: str, maybe_sent: bool = False
    ) -> Sent:
        account = await slack_user_of(person_id)
        if account is None:
            raise Unreachable("no Slack account")
        poster: Poster = self.poster
        channel = await poster.open_dm(account.user_id)
        if maybe_sent and (found := await poster.find_sent(channel, key)) is not None:
            return Sent({"platform": "slack", "channel": channel, "ts": found}, True)
        return await poster.post(channel, render_view(view), key=key)

    async def send_notice(
        self, person_id: int, notice: Notice, *, key: str, maybe_sent: bool = False
    ) -> Sent:
        return await super().send_notice(person_id, notice, key=key, maybe_sent=maybe_sent)


@dataclass
class Result:
    path: str
    leads: int
    scale: float
    open_seconds: float
    seconds: float
    floor: float
    rate_limited: int
    retried: int
    delivered: int
    lost: int
    doubled: int
    jobs_done: int

    @property
    def ratio(self) -> float:
        return self.seconds / self.floor if self.floor else math.inf


def floor_seconds(path: str, leads: int, scale: float) -> float:
    """The least time the stand-in's limits allow for `leads` DMs on this path."""
    post = POST_MESSAGE_WORKSPACE
    bounds = [max(0.0, leads - post.burst * scale) / (post.per_minute * scale / 60)]
    if path == "open":
        tier3 = TIERS[3]
        bounds.append(max(0.0, leads - tier3.burst * scale) / (tier3.per_minute * scale / 60))
    return max(bounds)


async def build(leads: int, prefix: str) -> tuple[Programme, Person, list[str]]:
    """A programme of `leads` units, one lead each, three milestones; returns Slack ids."""
    programme = await Programme.create(
        key=f"bench-{prefix}",
        title="Benchmark",
        settings={"quiet_hours": None},  # the benchmark runs at any hour
    )
    group = await MilestoneGroup.create(programme=programme, number="1", title="Opstart")
    await Milestone.bulk_create(
        [
            Milestone(programme=programme, group=group, code=f"1.{i}", title=f"Milepæl {i}")
            for i in range(1, 4)
        ]
    )
    await Unit.bulk_create(
        [
            Unit(programme=programme, key=f"u{i}", name=f"Enhed {i}", position=i)
            for i in range(leads)
        ]
    )
    people = [Person(key=f"{prefix}-pl-{i}", name=f"Projektleder {i}") for i in range(leads)]
    admin = await Person.create(key=f"{prefix}-admin", name="Sekretariatet")
    await Person.bulk_create(people)
    ids = dict(await Person.filter(key__startswith=f"{prefix}-pl-").values_list("key", "id"))
    users = [f"U{prefix[0].upper()}{i:08d}" for i in range(leads)]
    await Account.bulk_create(
        [
            Account(person_id=ids[f"{prefix}-pl-{i}"], platform=Platform.SLACK, user_id=users[i])
            for i in range(leads)
        ]
    )
    await Role.bulk_create(
        [
            Role(
                programme=programme,
                person_id=ids[f"{prefix}-pl-{i}"],
                kind=RoleKind.LEAD,
                scope=f"u{i}",
            )
            for i in range(leads)
        ]
        + [Role(programme=programme, person=admin, kind=RoleKind.ADMIN, scope="")]
    )
    return programme, admin, users


async def run_path(path: str, leads: int, scale: float, url: str) -> Result:
    await open_db(url)
    try:
        async with SlackStub(rate_limit_scale=scale) as slack, aiohttp.ClientSession() as session:
            programme, admin, users = await build(leads, path)
            for user in users:
                slack.workspace.add_user(user.lower(), user_id=user)
            client = job_client(slack.identity.bot_token, slack.api_url, session)
            messenger = SlackMessenger(client) if path == "direct" else OpenFirstMessenger(client)
            clock = SystemClock()
            jobs = RoundJobs(messenger, clock)
            settings = get_settings()
            worker = Worker(
                jobs.handlers(),
                clock=clock,
                worker_id=f"bench-{path}",
                concurrency=settings.job_concurrency,
                lease=timedelta(seconds=settings.job_lease_seconds),
                poll_seconds=settings.job_poll_seconds,
                on_failed=jobs.on_failed,
            )
            runner = asyncio.create_task(worker.run_forever())

            def delivered() -> int:
                return sum(1 for user in users if slack.dm(user))

            began = time.perf_counter()
            opened = await rounds.open_round(programme, "Runde 1", "om 10 dage", admin, clock.now())
            committed = time.perf_counter()
            worker.wake()
            await slack.wait_for(lambda: delivered() == leads, within=3600)
            finished = time.perf_counter()
            await worker.stop()
            await runner
            counts = [len(slack.dm(user)) for user in users]
            done = await Job.filter(
                round_id=opened.round.id, kind="invite", status=JobStatus.DONE
            ).count()
            return Result(
                path=path,
                leads=leads,
                scale=scale,
                open_seconds=committed - began,
                seconds=finished - committed,
                floor=floor_seconds(path, leads, scale),
                rate_limited=worker.stats.rate_limited,
                retried=worker.stats.retried,
                delivered=sum(1 for c in counts if c),
                lost=sum(1 for c in counts if c == 0),
                doubled=sum(1 for c in counts if c > 1),
                jobs_done=done,
            )
    finally:
        await close_db()


def report(result: Result) -> None:
    label = {
        "direct": "chat.postMessage to the user id",
        "open": "conversations.open, then chat.postMessage",
    }[result.path]
    verdict = "within" if result.ratio <= TARGET else "OVER"
    print(f"path {result.path}: {label} (limits × {result.scale:g})")
    print(f"  open the round: {result.open_seconds:.2f} s ({result.leads} invitations queued)")
    print(
        f"  fan-out: {result.seconds:.1f} s   floor {result.floor:.1f} s   "
        f"ratio {result.ratio:.3f} ({verdict} the {TARGET}× target)"
    )
    print(f"  429s met: {result.rate_limited}   retries after failures: {result.retried}")
    print(
        f"  audit: {result.delivered} delivered, {result.lost} lost, {result.doubled} doubled; "
        f"{result.jobs_done} invite jobs done"
    )


async def main_async(args: argparse.Namespace) -> None:
    post = POST_MESSAGE_WORKSPACE
    print(
        f"Fan-out of {args.leads} invitations through the stand-in; chat.postMessage "
        f"{post.per_minute:g}/min with a burst of {post.burst:g} per workspace, "
        f"conversations.open (Tier 3) {TIERS[3].per_minute:g}/min with a burst of "
        f"{TIERS[3].burst:g}; job_concurrency {get_settings().job_concurrency}."
    )
    for path in args.paths.split(","):
        scale = args.open_scale if path == "open" else args.scale
        with tempfile.TemporaryDirectory() as folder:
            url = os.environ.get("DATABASE_URL") or f"sqlite://{Path(folder) / 'bench.sqlite3'}"
            report(await run_path(path, args.leads, scale, url))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=500)
    parser.add_argument("--paths", default="direct,open", help="direct, open or both")
    parser.add_argument("--scale", type=float, default=1.0, help="limits × this (direct)")
    parser.add_argument("--open-scale", type=float, default=10.0, help="limits × this (open)")
    args = parser.parse_args()
    started = datetime.now(UTC)
    asyncio.run(main_async(args))
    print(f"(ran {datetime.now(UTC) - started} in all)")


if __name__ == "__main__":
    main()
