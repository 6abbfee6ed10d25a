"""How the job worker is doing: what it has done (`WorkerStats`), when it last reached the
queue, and whether the database is away (an outage), for /readyz, the metrics and the logs.

The worker's loop reports each look at the queue: `reached()` when it got an answer,
`failed(error)` when the database raised. The first failure starts an outage, logged once
with its error; later failures of the same outage are counted, not logged; the first
success after it ends the outage with one line saying how long it lasted. `failed` returns
how long to wait before looking again: exponential back-off with jitter from the poll
interval up to `cap`, so a database that is restarting is not hammered and one that is
back is found again within seconds.

Time here is the process's monotonic clock, not the worker's injected clock: a test's
ManualClock stands still while real seconds pass, and freshness is about real seconds.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from service.metrics import WORKER_OUTAGES

log = logging.getLogger(__name__)

OUTAGE_BACKOFF_CAP = 10.0
"""The longest wait between two looks at an unreachable queue (seconds)."""
STALE_AFTER_FLOOR = 30.0
"""The worker counts as not claiming once it has not reached the queue for this long (or
ten poll intervals, if longer)."""


@dataclass
class WorkerStats:
    done: int = 0
    failed: int = 0
    retried: int = 0
    rate_limited: int = 0
    postponed: int = 0
    crashed: int = 0
    unrecorded: int = 0  # outcomes the database would not take; the lease runs out instead
    by_kind: dict[str, int] = field(default_factory=dict)


class WorkerHealth:
    """The worker's view of the queue, observable without sleeping: `await changed()`."""

    def __init__(
        self,
        *,
        poll_seconds: float,
        rng: random.Random | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        cap: float = OUTAGE_BACKOFF_CAP,
    ) -> None:
        self.base = max(0.05, poll_seconds)
        self.stale_after = max(STALE_AFTER_FLOOR, 10 * poll_seconds)
        self.cap = max(cap, self.base)
        self.rng = rng or random.Random()
        self.monotonic = monotonic
        self.last_reached: float | None = None
        self.outage_since: float | None = None
        self.outages = 0
        self.failures = 0  # consecutive, in the current outage
        self._changed = asyncio.Event()

    @property
    def in_outage(self) -> bool:
        return self.outage_since is not None

    def reached(self) -> None:
        """The queue answered."""
        now = self.monotonic()
        first = self.last_reached is None
        self.last_reached = now
        if self.outage_since is not None:
            log.warning(
                "job queue reachable again after %.1f s (%d failed looks)",
                now - self.outage_since,
                self.failures,
            )
            self.outage_since = None
            self.failures = 0
            self._pulse()
        elif first:
            self._pulse()

    def failed(self, error: BaseException) -> float:
        """The database raised: start (or continue) an outage; the seconds to wait."""
        self.failures += 1
        if self.outage_since is None:
            self.outage_since = self.monotonic()
            self.outages += 1
            WORKER_OUTAGES.inc()
            log.warning(
                "job queue unreachable; looking again with back-off",
                extra={"error": f"{type(error).__name__}: {error}"[:300]},
            )
        self._pulse()
        ceiling = min(self.cap, self.base * 2 ** min(self.failures, 30))
        return self.rng.uniform(ceiling / 2, ceiling)

    def fresh(self) -> bool:
        """Not in an outage, and the queue answered within `stale_after` seconds."""
        if self.outage_since is not None or self.last_reached is None:
            return False
        return self.monotonic() - self.last_reached <= self.stale_after

    async def changed(self) -> None:
        """Until the next change: the first answer, a failed look, an outage ending."""
        await self._changed.wait()

    def _pulse(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()
