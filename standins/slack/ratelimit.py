"""Slack's Web API rate limits as token buckets on the injectable clock.

Tiers (docs.slack.dev "Rate limits", per method per workspace per app): Tier 1 1+/min,
Tier 2 20+/min, Tier 3 50+/min, Tier 4 100+/min, "a small amount of burst" to "generous
burst". chat.postMessage: "generally one message per second per channel" with short bursts,
plus a workspace-wide limit the docs do not quantify.

Chosen (the docs give only the "+" floor): each tier's rate is its floor; bursts are
Tier 1: 2, Tier 2: 5, Tier 3: 10, Tier 4: 20. chat.postMessage: 1/s per channel with a
burst of 3, and a workspace-wide ceiling of 300/min with a burst of 50 (so fanning out to
~50 DMs at once is tolerated, a sustained flood is not). Methods documented as "special"
(auth.test, chat.getPermalink) use Tier 4's numbers. Over the limit: HTTP 429,
``Retry-After`` in whole seconds (at least 1), body ``{"ok": false, "error": "ratelimited"}``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .clock import Clock


@dataclass(frozen=True)
class Limit:
    per_minute: float
    burst: float


TIERS: dict[int, Limit] = {
    1: Limit(1, 2),
    2: Limit(20, 5),
    3: Limit(50, 10),
    4: Limit(100, 20),
}
POST_MESSAGE_PER_CHANNEL = Limit(60, 3)
POST_MESSAGE_WORKSPACE = Limit(300, 50)


@dataclass
class _Bucket:
    limit: Limit
    tokens: float
    updated: float


class RateLimiter:
    """Per-method buckets (plus chat.postMessage's per-channel and workspace buckets)."""

    def __init__(self, clock: Clock, *, enabled: bool = True, scale: float = 1.0) -> None:
        self._clock = clock
        self.enabled = enabled
        self._scale = scale
        self._overrides: dict[str, Limit] = {}
        self._buckets: dict[str, _Bucket] = {}

    # -- configuration a test uses -------------------------------------------------------
    def set_limit(self, method: str, per_minute: float, burst: float | None = None) -> None:
        """Give one method (or ``chat.postMessage:channel`` / ``...:workspace``) its own limit."""
        self._overrides[method] = Limit(per_minute, burst if burst is not None else 1)
        self._buckets = {k: b for k, b in self._buckets.items() if not k.startswith(method)}

    def disable(self) -> None:
        self.enabled = False

    def enable(self) -> None:
        self.enabled = True

    def scale(self, factor: float) -> None:
        """Multiply every rate and burst (``scale(10)`` is ten times as permissive)."""
        if factor <= 0:
            raise ValueError("scale must be positive")
        self._scale = factor
        self._buckets.clear()

    def reset(self) -> None:
        """Forget all usage (full buckets)."""
        self._buckets.clear()

    # -- what the server asks ------------------------------------------------------------
    def check(self, method: str, tier: int) -> int | None:
        """Take a token for ``method``; return Retry-After seconds when over the limit."""
        if not self.enabled:
            return None
        return self._take(method, self._overrides.get(method, TIERS[tier]))

    def check_post_message(self, channel: str) -> int | None:
        if not self.enabled:
            return None
        per_channel = self._overrides.get("chat.postMessage:channel", POST_MESSAGE_PER_CHANNEL)
        workspace = self._overrides.get("chat.postMessage", POST_MESSAGE_WORKSPACE)
        wait_channel = self._peek(f"chat.postMessage:channel:{channel}", per_channel)
        wait_workspace = self._peek("chat.postMessage", workspace)
        if wait_channel or wait_workspace:
            return max(wait_channel or 0, wait_workspace or 0)
        self._take(f"chat.postMessage:channel:{channel}", per_channel)
        self._take("chat.postMessage", workspace)
        return None

    def _bucket(self, key: str, limit: Limit) -> _Bucket:
        scaled = Limit(limit.per_minute * self._scale, max(1.0, limit.burst * self._scale))
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(scaled, scaled.burst, now)
        rate = scaled.per_minute / 60.0
        bucket.tokens = min(scaled.burst, bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        return bucket

    def _peek(self, key: str, limit: Limit) -> int | None:
        bucket = self._bucket(key, limit)
        if bucket.tokens >= 1.0:
            return None
        rate = bucket.limit.per_minute / 60.0
        return max(1, math.ceil((1.0 - bucket.tokens) / rate)) if rate > 0 else 60

    def _take(self, key: str, limit: Limit) -> int | None:
        wait = self._peek(key, limit)
        if wait is None:
            self._buckets[key].tokens -= 1.0
        return wait
