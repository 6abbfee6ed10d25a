"""Teams' limits on what a bot sends, and faults a test can inject.

Message size: Teams refuses a bot message over about 28 KB with 413 and the error code
MessageSizeTooBig (Microsoft documents 28 KB for posting to chats and channels; the bot
message page names larger, UTF-16 figures). The stand-in measures the activity's JSON as
UTF-8 bytes against 28 × 1024.

Rate limits ("Optimize your bot with rate limiting in Teams"): per bot per conversation
thread 7 operations a second, 8 in 2 seconds, 60 in 30 seconds and 1800 an hour; per app
per tenant 50 a second. A request over any of them is answered 429 with Retry-After: the
seconds until the window that refused it has room again. The windows run on the
stand-in's clock, so a test can move time instead of sleeping.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass

MESSAGE_LIMIT = 28 * 1024
THREAD_WINDOWS = ((1.0, 7), (2.0, 8), (30.0, 60), (3600.0, 1800))
APP_WINDOWS = ((1.0, 50),)


class RateLimiter:
    def __init__(self, clock: Callable[[], float], *, enabled: bool = True) -> None:
        self.clock = clock
        self.enabled = enabled
        self._calls: dict[str, deque[float]] = defaultdict(deque)

    def disable(self) -> None:
        self.enabled = False

    def admit(self, thread: str) -> float | None:
        """Record a call in `thread`; None if allowed, else the Retry-After in seconds."""
        if not self.enabled:
            return None
        now = self.clock()
        for key, windows in ((f"thread:{thread}", THREAD_WINDOWS), ("app", APP_WINDOWS)):
            calls = self._calls[key]
            while calls and now - calls[0] >= max(w for w, _ in windows):
                calls.popleft()
            for window, limit in windows:
                recent = [t for t in calls if now - t < window]
                if len(recent) >= limit:
                    wait = recent[-limit] + window - now
                    return float(max(1, math.ceil(wait)))
        for key in (f"thread:{thread}", "app"):
            self._calls[key].append(now)
        return None


@dataclass
class Fault:
    """Answer the next `times` matching Connector calls with this status instead."""

    status: int
    method: str | None = None  # POST, PUT, GET; None = any
    path: str = ""  # a substring of the path; "" = any
    times: int = 1
    retry_after: float | None = None
    code: str = "ServiceError"


class Faults:
    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        self._faults.append(fault)

    def clear(self) -> None:
        self._faults.clear()

    def take(self, method: str, path: str) -> Fault | None:
        for fault in self._faults:
            if fault.times > 0 and fault.method in (None, method) and fault.path in path:
                fault.times -= 1
                if fault.times == 0:
                    self._faults.remove(fault)
                return fault
        return None
