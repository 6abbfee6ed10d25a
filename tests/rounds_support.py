"""Helpers for the round and job tests: a recording Messenger, workers on a manual clock.

`RecordingMessenger` is a Messenger with Slack's promise kept in memory: a send with a key
it has seen is found again when the caller says it may have been sent before. It can be
told to fail its next calls (429, 5xx, unreachable) or to "die" right after a send.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.jobs import Worker
from bot.messenger import DeliveryError, Notice, Sent, Unreachable
from bot.round_jobs import RoundJobs
from conversations.clock import ManualClock
from conversations.views import View
from models.people import Person

# Monday 4 June 2018, 10:00 in Copenhagen (summer time).
MONDAY_10 = datetime(2018, 6, 4, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Delivery:
    what: str  # checklist | notice | publish
    person_id: int | None
    key: str
    view: View | None = None
    notice: Notice | None = None
    round_id: int | None = None


@dataclass
class RecordingMessenger:
    platform: str = "test"
    deliveries: list[Delivery] = field(default_factory=list)
    by_key: dict[str, Delivery] = field(default_factory=dict)
    failures: list[DeliveryError] = field(default_factory=list)
    unreachable: set[int] = field(default_factory=set)
    # the next failures of one person's sends (by id), or of publications ("publish")
    failing: dict[int | str, list[DeliveryError]] = field(default_factory=dict)
    after_send: Callable[[Delivery], None] | None = None
    looked: int = 0

    async def send_checklist(
        self, person_id: int, view: View, *, key: str, maybe_sent: bool = False
    ) -> Sent:
        return await self._send(Delivery("checklist", person_id, key, view=view), maybe_sent)

    async def send_notice(
        self, person_id: int, notice: Notice, *, key: str, maybe_sent: bool = False
    ) -> Sent:
        return await self._send(Delivery("notice", person_id, key, notice=notice), maybe_sent)

    async def publish(self, round_id: int, *, key: str, maybe_sent: bool = False) -> Sent:
        return await self._send(Delivery("publish", None, key, round_id=round_id), maybe_sent)

    async def _send(self, delivery: Delivery, maybe_sent: bool) -> Sent:
        if maybe_sent:
            self.looked += 1
            if delivery.key in self.by_key:
                return Sent({"key": delivery.key}, already_sent=True)
        if self.failures:
            raise self.failures.pop(0)
        target = delivery.person_id if delivery.person_id is not None else delivery.what
        if self.failing.get(target):
            raise self.failing[target].pop(0)
        if delivery.person_id in self.unreachable:
            raise Unreachable("no account")
        self.deliveries.append(delivery)
        self.by_key[delivery.key] = delivery
        if self.after_send is not None:
            self.after_send(delivery)
        return Sent({"key": delivery.key})

    # -- what was shown -----------------------------------------------------------------------
    def to(self, person: Person, what: str | None = None) -> list[Delivery]:
        return [
            d
            for d in self.deliveries
            if d.person_id == person.id and (what is None or d.what == what)
        ]

    def notices(self, key: str, person: Person | None = None) -> list[Delivery]:
        return [
            d
            for d in self.deliveries
            if d.notice is not None
            and d.notice.key == key
            and (person is None or d.person_id == person.id)
        ]

    def doubled(self) -> list[str]:
        """Keys shown more than once: must always be empty."""
        counts = Counter(d.key for d in self.deliveries)
        return [key for key, n in counts.items() if n > 1]


def round_worker(
    messenger: RecordingMessenger,
    clock: ManualClock,
    *,
    worker_id: str = "w1",
    concurrency: int = 4,
) -> Worker:
    jobs = RoundJobs(messenger, clock)
    return Worker(
        jobs.handlers(),
        clock=clock,
        worker_id=worker_id,
        concurrency=concurrency,
        on_failed=jobs.on_failed,
        rng=random.Random(3),
    )
