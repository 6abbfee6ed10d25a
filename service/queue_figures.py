"""The job queue as an operator reads it: how many jobs wait, and how long the oldest has.

Read when /metrics is scraped and when /readyz asks whether the database answers (the same
queries: a database that can say how deep its queue is, is reachable). "Due" is what the
worker would claim now: pending with run_at passed, or running with its lease expired.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q

from models.jobs import Job, JobStatus
from service.metrics import JOB_OLDEST_DUE_SECONDS, JOB_QUEUE_DEPTH


@dataclass(frozen=True)
class QueueFigures:
    due: int
    oldest_due_seconds: float


async def queue_figures(now: datetime) -> QueueFigures:
    """Due jobs and the oldest one's wait, at `now` (the app's clock)."""
    due = Q(status=JobStatus.PENDING, run_at__lte=now) | Q(
        status=JobStatus.RUNNING, locked_until__lt=now
    )
    count = await Job.filter(due).count()
    oldest = await Job.filter(due).order_by("run_at").limit(1).values_list("run_at", flat=True)
    waited = (now - oldest[0]).total_seconds() if oldest and isinstance(oldest[0], datetime) else 0
    return QueueFigures(due=count, oldest_due_seconds=max(0.0, waited))


def record(figures: QueueFigures | None) -> None:
    """Set the queue's gauges; None (the database did not answer) sets them to NaN rather
    than leave a stale figure standing."""
    JOB_QUEUE_DEPTH.set(math.nan if figures is None else figures.due)
    JOB_OLDEST_DUE_SECONDS.set(math.nan if figures is None else figures.oldest_due_seconds)
