"""The job queue on the database: DMs, reminders, closing and publishing, run by workers.

Writing a job
-------------
`enqueue` / `enqueue_many` write jobs in the *caller's* transaction, so a round and its
invitations commit together or not at all. A job's `dedupe_key` is unique: queueing the
same key twice is not an error, the job simply exists already (INSERT … ON CONFLICT DO
NOTHING on PostgreSQL, INSERT OR IGNORE on SQLite, so the caller's transaction survives).

The `Worker` that runs them is in `service/worker.py`.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from models.jobs import Job, JobStatus

log = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS: Final = 6
BACKOFF_BASE_SECONDS: Final = 10.0
BACKOFF_CAP_SECONDS: Final = 30 * 60.0
_KEY_CHUNK: Final = 500
MIN_IDLE_SECONDS: Final = 0.02

JobResult = dict[str, object] | None


@dataclass(frozen=True)
class JobContext:
    """What a handler is told about the job it runs."""

    id: int
    kind: str
    payload: dict[str, object]
    attempt: int  # 1 on the first try; above 1 an earlier attempt may have got through
    max_attempts: int
    round_id: int | None
    dedupe_key: str | None
    now: datetime
    last_error: str = ""  # why the previous run ended without finishing ("" on a first run)

    @property
    def retried(self) -> bool:
        """An earlier attempt failed or died: a single send it made may have got through."""
        return self.attempt > 1

    @property
    def ran_before(self) -> bool:
        """Any earlier run, counted or not: a 429 halfway through a multi-part send (a
        publication) leaves the parts before it sent, though it is not an attempt."""
        return self.attempt > 1 or bool(self.last_error)


Handler = Callable[[JobContext], Awaitable[JobResult]]


@dataclass(frozen=True)
class Failure:
    """Why a job failed for good: `reason` in the operators' words (stored as the job's
    `last_error`), and `error`, what its handler raised last, for whoever tells a person
    what to do about it (None: every attempt died with its process, or the handler crashed).
    """

    reason: str
    error: BaseException | None = None


FailureHook = Callable[[Job, Failure], Awaitable[None]]
"""Called with the failed job and why, inside the transaction that marks it failed: what
it queues (a note to the admins) commits with the failure or not at all."""


class Postpone(Exception):
    """Raised by a handler: run me again at `until` (not counted as an attempt)."""

    def __init__(self, until: datetime, reason: str = "") -> None:
        super().__init__(f"postponed until {until.isoformat()} {reason}".strip())
        self.until = until
        self.reason = reason


@dataclass(frozen=True)
class JobSpec:
    kind: str
    payload: dict[str, object]
    run_at: datetime
    dedupe_key: str
    round_id: int | None = None
    max_attempts: int = DEFAULT_MAX_ATTEMPTS


async def enqueue(
    kind: str,
    payload: dict[str, object],
    *,
    run_at: datetime,
    dedupe_key: str,
    round: int | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    revive: bool = False,
) -> bool:
    """Queue one job in the caller's transaction; False if its key was queued already."""
    spec = JobSpec(kind, payload, run_at, dedupe_key, round, max_attempts)
    return await enqueue_many([spec], revive=revive) == 1


async def enqueue_many(specs: Sequence[JobSpec], *, revive: bool = False) -> int:
    """Queue jobs in the caller's transaction; returns how many keys were new to it.

    A key that exists already is left alone — unless `revive` and that job was cancelled
    (a deadline moved away and back): then it is made pending again with the new time.
    Under a race with another transaction queueing the same key, both may count it as
    new; the database still holds it once.
    """
    if not specs:
        return 0
    keys = [spec.dedupe_key for spec in specs]
    existing: set[str] = set()
    for start in range(0, len(keys), _KEY_CHUNK):
        chunk = keys[start : start + _KEY_CHUNK]
        found = await Job.filter(dedupe_key__in=chunk).values_list("dedupe_key", flat=True)
        existing.update(str(key) for key in found)
    fresh: dict[str, JobSpec] = {}
    for spec in specs:
        if spec.dedupe_key not in existing:
            fresh.setdefault(spec.dedupe_key, spec)
    if fresh:
        await Job.bulk_create(
            [
                Job(
                    kind=spec.kind,
                    payload=spec.payload,
                    dedupe_key=spec.dedupe_key,
                    round_id=spec.round_id,
                    run_at=spec.run_at,
                    max_attempts=spec.max_attempts,
                )
                for spec in fresh.values()
            ],
            ignore_conflicts=True,
        )
    if revive:
        for spec in specs:
            if spec.dedupe_key in existing:
                await Job.filter(dedupe_key=spec.dedupe_key, status=JobStatus.CANCELLED).update(
                    status=JobStatus.PENDING,
                    kind=spec.kind,
                    payload=spec.payload,
                    run_at=spec.run_at,
                    attempts=0,
                    last_error="",
                    result=None,
                    finished_at=None,
                )
    return len(fresh)


def backoff(attempt: int, rng: random.Random, *, base: float, cap: float) -> timedelta:
    """Exponential backoff with 'equal jitter': half the step fixed, half random.

    Attempt 1 waits base/2..base, attempt 2 base..2·base, …, never more than `cap`. The
    fixed half keeps the delays growing; the random half spreads replicas that failed
    together so they do not retry together.
    """
    step = min(cap, base * 2 ** max(0, attempt - 1))
    return timedelta(seconds=step / 2 + rng.uniform(0, step / 2))


async def cancel_pending(round_id: int, kinds: Iterable[str]) -> int:
    """Cancel a round's pending jobs of these kinds (in the caller's transaction)."""
    return await Job.filter(
        round_id=round_id, kind__in=list(kinds), status=JobStatus.PENDING
    ).update(status=JobStatus.CANCELLED)


async def recent_jobs(programme: int | None, status: JobStatus | None, limit: int) -> list[Job]:
    """The queue as an operator reads it (`fremdrift round jobs`): newest first, at most
    `limit`, only a programme's rounds' jobs or only those in `status` when given."""
    query = Job.all()
    if programme is not None:
        query = query.filter(round__programme_id=programme)
    if status is not None:
        query = query.filter(status=status)
    return await query.order_by("-id").limit(limit)
