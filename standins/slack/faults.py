"""Faults on demand: what a flaky network or a bad day at Slack looks like on the wire.

A fault is queued for a target — a Web API method (``"chat.postMessage"``), ``"*"`` for any
method, ``"upload"`` (the file upload URL), ``"response_url"``, or ``"socket"`` (the next
Socket Mode envelope) — for the next ``times`` calls or for a fraction of calls. Entries
are consumed in the order queued; a fraction is applied deterministically (``ratio=0.5``
hits every second call), never by chance.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class HttpStatus:
    """Answer with a bare HTTP error (Slack's edge answers 500/502/503 with HTML)."""

    status: int = 503
    body: str = "<html><body>Service Unavailable</body></html>"


@dataclass(frozen=True)
class Slow:
    """Answer normally after ``seconds`` of real time (to exercise client timeouts)."""

    seconds: float


@dataclass(frozen=True)
class SlackError:
    """HTTP 200 with ``{"ok": false, "error": error}`` (plus any extra fields)."""

    error: str
    extra: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class RateLimited:
    """HTTP 429 with this Retry-After, whatever the real limiter says."""

    retry_after: int = 1


@dataclass(frozen=True)
class Drop:
    """Close the connection without answering (mid-envelope for ``"socket"``)."""


Fault = HttpStatus | Slow | SlackError | RateLimited | Drop


@dataclass
class _Entry:
    fault: Fault
    remaining: int | None
    ratio: float | None
    seen: int = 0


@dataclass
class FaultInjector:
    _queues: dict[str, list[_Entry]] = field(default_factory=dict)
    injected: list[tuple[str, Fault]] = field(default_factory=list)

    def add(
        self, target: str, fault: Fault, *, times: int | None = 1, ratio: float | None = None
    ) -> None:
        """Queue ``fault`` for ``target``: the next ``times`` calls, or ``ratio`` of calls.

        With ``ratio`` the fault hits calls ``k`` where ``floor(k * ratio)`` steps up, for at
        most ``times`` hits (``times=None``: until cleared).
        """
        if ratio is not None and not 0 < ratio <= 1:
            raise ValueError("ratio must be in (0, 1]")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1")
        self._queues.setdefault(target, []).append(_Entry(fault, times, ratio))

    def clear(self, target: str | None = None) -> None:
        if target is None:
            self._queues.clear()
        else:
            self._queues.pop(target, None)

    def pending(self, target: str) -> int:
        return len(self._queues.get(target, []))

    def take(self, target: str) -> Fault | None:
        """The fault for this call of ``target`` (or of ``"*"`` for methods), if any."""
        for key in (target, "*"):
            fault = self._take_from(key)
            if fault is not None:
                self.injected.append((target, fault))
                return fault
            if target in ("upload", "socket", "response_url"):
                break
        return None

    def _take_from(self, key: str) -> Fault | None:
        queue = self._queues.get(key)
        if not queue:
            return None
        entry = queue[0]
        entry.seen += 1
        if entry.ratio is not None:
            hit = int(entry.seen * entry.ratio) > int((entry.seen - 1) * entry.ratio)
            if not hit:
                return None
        if entry.remaining is not None:
            entry.remaining -= 1
            if entry.remaining == 0:
                queue.pop(0)
        return entry.fault
