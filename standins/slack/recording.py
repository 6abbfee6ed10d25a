"""The stand-in's memory of the wire: every Web API call, and a change signal to await.

Tests must not sleep to see an app's effect; they await :meth:`Changes.wait_for` with a
predicate instead, which is re-checked whenever anything in the stand-in changes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .models import JSON

T = TypeVar("T")


@dataclass(frozen=True)
class ApiCall:
    """One Web API request as the stand-in received and answered it."""

    method: str
    params: JSON
    status: int
    response: JSON | None
    at: float
    http_method: str = "POST"
    token: str | None = None

    @property
    def ok(self) -> bool:
        return bool(self.response and self.response.get("ok"))

    @property
    def error(self) -> str | None:
        if self.response is None:
            return None
        error = self.response.get("error")
        return error if isinstance(error, str) else None


class Changes:
    """A broadcast 'something changed' signal with predicate waits bounded in real time."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self.version = 0

    def notify(self) -> None:
        self.version += 1
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait_for(self, predicate: Callable[[], T | None], within: float = 5.0) -> T:
        """Return the first truthy ``predicate()``; raise ``TimeoutError`` after ``within`` s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {within} s")
            event = self._event
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                value = predicate()
                if value:
                    return value
                raise TimeoutError(f"condition not met within {within} s") from None


@dataclass
class Recorder:
    calls: list[ApiCall] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)

    def record(self, call: ApiCall) -> None:
        self.calls.append(call)
        self.changes.notify()

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

    def last(self, method: str) -> ApiCall:
        matching = self.calls_to(method)
        if not matching:
            raise LookupError(f"no call to {method}")
        return matching[-1]

    def summary(self) -> list[tuple[str, Any]]:
        """(method, error-or-'ok') pairs: a compact transcript for failure messages."""
        return [(c.method, c.error or ("ok" if c.ok else c.status)) for c in self.calls]
