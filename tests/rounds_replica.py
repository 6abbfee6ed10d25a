"""One replica for the multi-process tests and the benchmark: a job worker on a shared
database, sending through the real SlackMessenger to the Slack stand-in.

    python -m tests.rounds_replica --api-url URL --token TOKEN --clock FILE --id NAME

DATABASE_URL names the database (migrated already). With --clock, time is read from a
file the test writes (an ISO moment), so the test moves every replica's clock at once
without sleeping; without it, the system clock. SIGTERM stops the worker gracefully: jobs
in hand are finished, none are claimed. On exit it prints one JSON line of its stats.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp

from bot.slack.client import job_client
from bot.slack.messenger import SlackMessenger
from conversations.clock import Clock, SystemClock
from models.db import close_db, open_db
from service.round_jobs import RoundJobs
from service.worker import Worker


class FileClock:
    """Time as the test wrote it in a file; every replica reads the same moment."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def now(self) -> datetime:
        return datetime.fromisoformat(self.path.read_text(encoding="utf-8").strip())


async def run(args: argparse.Namespace) -> dict[str, object]:
    await open_db(os.environ["DATABASE_URL"], run_migrations=False)
    clock: Clock = FileClock(Path(args.clock)) if args.clock else SystemClock()
    try:
        async with aiohttp.ClientSession() as session:
            messenger = SlackMessenger(job_client(args.token, args.api_url, session))
            jobs = RoundJobs(messenger, clock)
            worker = Worker(
                jobs.handlers(),
                clock=clock,
                worker_id=args.id,
                concurrency=args.concurrency,
                lease=timedelta(seconds=args.lease),
                poll_seconds=args.poll,
                on_failed=jobs.on_failed,
            )
            stopping: list[asyncio.Task[None]] = []
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGTERM, lambda: stopping.append(asyncio.create_task(worker.stop()))
            )
            print(json.dumps({"ready": args.id}), flush=True)
            await worker.run_forever()
            stats = worker.stats
            return {
                "id": args.id,
                "done": stats.done,
                "by_kind": stats.by_kind,
                "rate_limited": stats.rate_limited,
                "retried": stats.retried,
                "failed": stats.failed,
            }
    finally:
        await close_db()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--clock", default="")
    parser.add_argument("--id", required=True)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--lease", type=float, default=60.0)
    parser.add_argument("--poll", type=float, default=0.05)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args))), flush=True)


if __name__ == "__main__":
    main()
