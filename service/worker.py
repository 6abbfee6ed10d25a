"""The worker that runs the job queue (`service/jobs.py`) on the database.

A `Worker` claims due jobs — pending with `run_at <= now`, or running with an expired lease
(a replica that crashed mid-job) — and runs the handler registered for the job's kind.

- Claiming is one short transaction: `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, so
  replicas share the queue without waiting on each other; on SQLite (one writer per file)
  the same query without locks. Either way each row is then taken by a conditional UPDATE
  on its (status, attempts) as read, so two claimers can never both win a job.
- A claim counts the attempt, sets `running`, `locked_by` and `locked_until` (the lease); a
  finished job keeps `locked_by`: the worker that ran it last. A running job's lease is
  extended while its handler runs; a job whose process died is claimed again once the lease
  has passed, with the next attempt number — the handler (and the Messenger, told the job's
  key) can then look whether the earlier attempt already got through before sending again.
- No transaction is open while a handler runs: handlers call chat platforms.
- Outcomes: the handler's return value is stored as `result` (`done`). `RateLimited`
  reschedules at now + retry_after, uncounted, and this worker claims nothing more until
  then; `Postpone` (quiet hours, a snooze) reschedules, uncounted; `TransientFailure`, a
  dropped connection or a database hiccup retries with exponential backoff and jitter until
  `max_attempts`, then `failed`; `Unreachable`, `PermanentFailure` (any other
  `DeliveryError`) and a `UserError` fail at once. A failed job calls `on_failed` with what
  was raised (service.jobs.Failure) inside the transaction that marks it failed (the rounds
  queue a note to the admins: service/failures.py).
- Any other exception is a bug: it is logged with its traceback and the job is left to its
  lease, as if the process had crashed; past `max_attempts` it is then marked failed.

`run_forever` survives whatever the database raises (`models.db.ANY_DATABASE_ERROR`; a
PostgreSQL restart cuts every connection): it looks again with back-off, logging once per
outage (`service.worker_health`, which `health` reports for /readyz); an outcome the
database will not take leaves the job to its lease. bot/runtime.py restarts the loop
should it ever end without `stop()`.

Time is injected (`conversations.clock`): tests move a ManualClock and call
`run_until_idle()`; `run_forever()` polls for `serve`. `stop()` finishes the jobs in hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from conversations.clock import Clock
from conversations.errors import UserError
from models.db import ANY_DATABASE_ERROR
from models.jobs import Job, JobStatus
from service.jobs import (
    BACKOFF_BASE_SECONDS,
    BACKOFF_CAP_SECONDS,
    MIN_IDLE_SECONDS,
    Failure,
    FailureHook,
    Handler,
    JobContext,
    JobResult,
    Postpone,
    backoff,
)
from service.messenger import DeliveryError, RateLimited, TransientFailure
from service.worker_health import WorkerHealth, WorkerStats

log = logging.getLogger(__name__)

RETRIED: tuple[type[BaseException], ...] = (TransientFailure, *ANY_DATABASE_ERROR)
"""A handler's failures that are retried with back-off (TimeoutError is an OSError)."""


@dataclass
class _Claimed:
    id: int
    kind: str
    payload: dict[str, object]
    attempt: int
    max_attempts: int
    round_id: int | None
    dedupe_key: str | None
    last_error: str


class Worker:
    """Claims and runs due jobs, `concurrency` at a time, on an injected clock."""

    def __init__(
        self,
        handlers: Mapping[str, Handler],
        *,
        clock: Clock,
        worker_id: str,
        concurrency: int = 8,
        lease: timedelta = timedelta(seconds=120),
        poll_seconds: float = 1.0,
        on_failed: FailureHook | None = None,
        rng: random.Random | None = None,
        backoff_base: float = BACKOFF_BASE_SECONDS,
        backoff_cap: float = BACKOFF_CAP_SECONDS,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.handlers = dict(handlers)
        self.clock = clock
        self.worker_id = worker_id
        self.concurrency = concurrency
        self.lease = lease
        self.poll_seconds = poll_seconds
        self.on_failed = on_failed
        self.rng = rng or random.Random()
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.stats = WorkerStats()
        self.health = WorkerHealth(poll_seconds=poll_seconds, rng=self.rng)
        self._tasks: set[asyncio.Task[None]] = set()
        self._ended = 0  # jobs in hand that have ended, ever (see run_until_idle)
        self._paused_until: datetime | None = None
        self._stopping = False
        self._wake = asyncio.Event()

    # -- running ---------------------------------------------------------------------------
    async def run_until_idle(self, *, max_jobs: int | None = None) -> int:
        """Run due jobs until none is due (or `max_jobs` have been started); return the count.

        Jobs rescheduled into the future (a retry, a 429, quiet hours) are not due: move the
        clock and call again.
        """
        started = 0
        try:
            while not self._stopping:
                room = self.concurrency - len(self._tasks)
                if max_jobs is not None:
                    room = min(room, max_jobs - started)
                ended = self._ended
                claimed = await self._claim(room) if room > 0 else []
                for job in claimed:
                    self._start(job)
                started += len(claimed)
                if not self._tasks:
                    if self._ended != ended:  # what a job queued as it ended (a note to
                        continue  # the admins) may have committed after our claim looked
                    break
                await asyncio.wait(set(self._tasks), return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            self._abandon()
            raise
        return started

    async def run_forever(self) -> None:
        """Claim and run jobs until `stop()`; cancelling this task abandons the jobs in hand
        exactly as a crash would (their leases expire and another worker retakes them)."""
        self._stopping = False
        try:
            while not self._stopping:
                self._wake.clear()  # before looking: a wake-up while we look is kept
                room = self.concurrency - len(self._tasks)
                next_due: datetime | None = None
                retry_in: float | None = None
                try:
                    if room > 0:
                        # in a task of its own: whatever a failed transaction leaves in
                        # the task's connection context stays there, not in this loop
                        claimed = await asyncio.create_task(self._claim(room))
                        for job in claimed:
                            self._start(job)
                        if len(claimed) == room:
                            self.health.reached()
                            continue  # every slot filled: more may be due
                        next_due = await self._next_due()
                    self.health.reached()
                except ANY_DATABASE_ERROR as error:
                    retry_in = self.health.failed(error)
                await self._idle(next_due, retry_in)
            await self._drain()
        except asyncio.CancelledError:
            self._abandon()
            raise

    async def stop(self) -> None:
        """Finish the jobs in hand, claim no new ones."""
        self._stopping = True
        self._wake.set()
        await self._drain()

    def wake(self) -> None:
        """Look for due jobs now (something in this process has just queued one)."""
        self._wake.set()

    @property
    def in_hand(self) -> int:
        return len(self._tasks)

    # -- claiming --------------------------------------------------------------------------
    async def _claim(self, limit: int) -> list[_Claimed]:
        now = self.clock.now()
        if self._paused_until is not None:
            if now < self._paused_until:
                return []
            self._paused_until = None
        due = Q(status=JobStatus.PENDING, run_at__lte=now) | Q(
            status=JobStatus.RUNNING, locked_until__lt=now
        )
        claimed: list[_Claimed] = []
        async with in_transaction():
            rows = (
                await Job.filter(due, kind__in=list(self.handlers))
                .order_by("run_at", "id")
                .limit(limit)
                .select_for_update(skip_locked=True)
            )
            for row in rows:
                if row.status is JobStatus.RUNNING and row.attempts >= row.max_attempts:
                    await self._fail_abandoned(row, now)
                    continue
                taken = await Job.filter(
                    id=row.id, status=row.status, attempts=row.attempts
                ).update(
                    status=JobStatus.RUNNING,
                    locked_by=self.worker_id,
                    locked_until=now + self.lease,
                    attempts=row.attempts + 1,
                )
                if taken != 1:
                    continue
                if row.status is JobStatus.RUNNING:
                    log.warning(
                        "job retaken after its lease expired",
                        extra={"job": row.id, "kind": row.kind, "was": row.locked_by},
                    )
                claimed.append(
                    _Claimed(
                        id=row.id,
                        kind=row.kind,
                        payload=dict(row.payload),
                        attempt=row.attempts + 1,
                        max_attempts=row.max_attempts,
                        round_id=row.round_id,
                        dedupe_key=row.dedupe_key,
                        last_error=row.last_error,
                    )
                )
        return claimed

    async def _fail_abandoned(self, row: Job, now: datetime) -> None:
        """A job whose every attempt died with its process: stop retrying it."""
        reason = row.last_error or "abandoned"
        mine = Q(id=row.id, status=JobStatus.RUNNING, attempts=row.attempts)
        failed = await Job.filter(mine).update(
            status=JobStatus.FAILED,
            locked_by=None,
            locked_until=None,
            finished_at=now,
            last_error=reason,
        )
        if failed == 1:
            self.stats.failed += 1
            if self.on_failed is not None:
                await self.on_failed(row, Failure(reason))

    async def _next_due(self) -> datetime | None:
        found = (
            await Job.filter(status=JobStatus.PENDING, kind__in=list(self.handlers))
            .order_by("run_at")
            .limit(1)
            .values_list("run_at", flat=True)
        )
        return found[0] if found and isinstance(found[0], datetime) else None

    async def _idle(self, next_due: datetime | None, retry_in: float | None = None) -> None:
        """Wait for a slot to free, a wake-up, the next due job or the poll interval; in an
        outage, the back-off (`retry_in`) instead.

        A due job this worker could not claim is held by another claimer's transaction for
        a moment: look again shortly rather than spin.
        """
        if retry_in is not None:
            return await self._woken_within(retry_in)
        now = self.clock.now()
        timeout = self.poll_seconds
        if next_due is not None:
            timeout = min(timeout, (next_due - now).total_seconds())
        if self._paused_until is not None:
            timeout = max(timeout, (self._paused_until - now).total_seconds())
        await self._woken_within(max(timeout, MIN_IDLE_SECONDS))

    async def _woken_within(self, seconds: float) -> None:
        """Until a wake-up or `seconds` (3.11's `wait_for` dropped a cancel met by a wake-up)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()

    # -- running one job ---------------------------------------------------------------------
    def _start(self, job: _Claimed) -> None:
        task = asyncio.create_task(self._run(job), name=f"job-{job.id}-{job.kind}")
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._ended += 1
        self._wake.set()
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            self.stats.crashed += 1
            log.error("job handler crashed; its lease will expire", exc_info=error)

    async def _drain(self) -> None:
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    def _abandon(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    async def _run(self, job: _Claimed) -> None:
        heartbeat = asyncio.create_task(self._heartbeat(job))
        try:
            context = JobContext(
                id=job.id,
                kind=job.kind,
                payload=job.payload,
                attempt=job.attempt,
                max_attempts=job.max_attempts,
                round_id=job.round_id,
                dedupe_key=job.dedupe_key,
                now=self.clock.now(),
                last_error=job.last_error,
            )
            try:
                await self._outcome(job, context)
            except ANY_DATABASE_ERROR as error:
                self.stats.unrecorded += 1
                log.warning(
                    "job outcome not stored (database unreachable); retaken after its lease",
                    extra={**_job_fields(job), "error": repr(error)[:300]},
                )
        finally:
            heartbeat.cancel()

    async def _outcome(self, job: _Claimed, context: JobContext) -> None:
        """Run the handler and store what came of it."""
        try:
            result = await self.handlers[job.kind](context)
        except RateLimited as error:
            await self._rate_limited(job, error.retry_after)
        except Postpone as postponed:
            self.stats.postponed += 1
            await self._reschedule(job, postponed.until, str(postponed), count=False)
        except RETRIED as error:
            await self._retry_or_fail(job, Failure(_reason(error), error))
        except DeliveryError as error:  # Unreachable, PermanentFailure: retrying won't help
            await self._fail(job, Failure(_reason(error), error))
        except UserError as error:
            await self._fail(job, Failure(f"{error.key} {error.params}", error))
        else:
            await self._done(job, result)

    async def _heartbeat(self, job: _Claimed) -> None:
        """Keep the lease while the handler runs (a slow upload must not look like a crash)."""
        interval = max(0.05, self.lease.total_seconds() / 3)
        while True:
            await asyncio.sleep(interval)
            with contextlib.suppress(*ANY_DATABASE_ERROR):
                await Job.filter(self._mine(job)).update(locked_until=self.clock.now() + self.lease)

    def _mine(self, job: _Claimed) -> Q:
        return Q(
            id=job.id, status=JobStatus.RUNNING, locked_by=self.worker_id, attempts=job.attempt
        )

    async def _done(self, job: _Claimed, result: JobResult) -> None:
        updated = await Job.filter(self._mine(job)).update(
            status=JobStatus.DONE,
            result=result or {},
            finished_at=self.clock.now(),
            locked_until=None,  # locked_by stays: which worker ran it, for operators
        )
        if updated != 1:
            log.warning("job finished after its lease was lost", extra={"job": job.id})
            return
        self.stats.done += 1
        self.stats.by_kind[job.kind] = self.stats.by_kind.get(job.kind, 0) + 1
        log.info("job done", extra=_job_fields(job))

    async def _rate_limited(self, job: _Claimed, retry_after: float) -> None:
        self.stats.rate_limited += 1
        until = self.clock.now() + timedelta(seconds=max(0.0, retry_after))
        if self._paused_until is None or until > self._paused_until:
            self._paused_until = until
        await self._reschedule(job, until, f"rate limited, retry after {retry_after}s", count=False)

    async def _reschedule(self, job: _Claimed, at: datetime, why: str, *, count: bool) -> None:
        attempts = job.attempt if count else job.attempt - 1
        updated = await Job.filter(self._mine(job)).update(
            status=JobStatus.PENDING,
            run_at=at,
            attempts=attempts,
            locked_by=None,
            locked_until=None,
            last_error=why,
        )
        if updated != 1:
            log.warning("job rescheduled after its lease was lost", extra={"job": job.id})

    async def _retry_or_fail(self, job: _Claimed, failure: Failure) -> None:
        if job.attempt >= job.max_attempts:
            await self._fail(job, failure)
            return
        self.stats.retried += 1
        delay = backoff(job.attempt, self.rng, base=self.backoff_base, cap=self.backoff_cap)
        await self._reschedule(job, self.clock.now() + delay, failure.reason, count=True)

    async def _fail(self, job: _Claimed, failure: Failure) -> None:
        async with in_transaction():
            updated = await Job.filter(self._mine(job)).update(
                status=JobStatus.FAILED,
                finished_at=self.clock.now(),
                locked_until=None,
                last_error=failure.reason,
            )
            if updated != 1:
                log.warning("job failed after its lease was lost", extra={"job": job.id})
                return
            self.stats.failed += 1
            log.warning("job failed", extra={**_job_fields(job), "error": failure.reason})
            if self.on_failed is not None:
                row = await Job.get(id=job.id)
                await self.on_failed(row, failure)


def _job_fields(job: _Claimed) -> dict[str, object]:
    """A job's log fields: what it is and which round, and whom it was for (a DM's scope);
    never its payload's texts."""
    scope = job.payload.get("scope")
    return {
        "job": job.id,
        "kind": job.kind,
        "round": job.round_id,
        "attempt": job.attempt,
        "scope": scope if isinstance(scope, str) else None,
    }


def _reason(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if isinstance(error, DeliveryError) else repr(error)
