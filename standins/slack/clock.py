"""Clocks for the stand-in.

Slack's deadlines (3 s trigger_id validity, 3 s ack, rate-limit windows) are read from an
injectable monotonic clock so tests can move time instead of sleeping. A clock that also
offers ``subscribe`` (like :class:`ManualClock`) wakes waiters when it is advanced; any
other callable is treated as real time.
"""

from __future__ import annotations

from collections.abc import Callable

Clock = Callable[[], float]


class ManualClock:
    """A monotonic clock that only moves when a test calls :meth:`advance`."""

    def __init__(self, start: float = 1_000.0) -> None:
        self._now = start
        self._listeners: list[Callable[[], None]] = []

    def __call__(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        """Move time forward and wake everything waiting on a deadline; returns the new time."""
        if seconds < 0:
            raise ValueError("a monotonic clock cannot go backwards")
        self._now += seconds
        for listener in list(self._listeners):
            listener()
        return self._now

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after every :meth:`advance` (the stand-in re-checks deadlines)."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)


def notifies(clock: Clock) -> bool:
    """True when the clock tells us it moved, so deadline waits need no real-time bound."""
    return callable(getattr(clock, "subscribe", None))
