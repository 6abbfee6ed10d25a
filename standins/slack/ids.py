"""Slack-shaped identifiers: prefixes and formats the SDKs and apps pattern-match on."""

from __future__ import annotations

import itertools
import secrets
import uuid


class IdFactory:
    """Deterministic, readable ids per prefix (``D0000001``), plus Slack's odd formats."""

    def __init__(self) -> None:
        self._counters: dict[str, itertools.count[int]] = {}
        self._ts_seq = itertools.count(1)
        self._last_ts = 0.0

    def next(self, prefix: str) -> str:
        counter = self._counters.setdefault(prefix, itertools.count(1))
        return f"{prefix}{next(counter):07d}"

    def ts(self, wall: float) -> str:
        """A message timestamp: unique and increasing, like ``1700000000.000123``."""
        candidate = float(f"{int(wall)}.{next(self._ts_seq) % 1_000_000:06d}")
        if candidate <= self._last_ts:
            candidate = self._last_ts + 0.000001
        self._last_ts = candidate
        return f"{candidate:.6f}"

    def trigger_id(self, team_number: int) -> str:
        """Slack's ``132456.7890123.abcdef`` shape (views.open checks it)."""
        head = f"{next(self._ts_seq)}{secrets.randbelow(10**6):06d}"
        return f"{head}.{team_number}.{secrets.token_hex(16)}"

    @staticmethod
    def envelope_id() -> str:
        return str(uuid.uuid4())

    @staticmethod
    def secret(n: int = 12) -> str:
        return secrets.token_hex(n)

    def view_hash(self, wall: float) -> str:
        return f"{int(wall)}.{secrets.token_hex(4)}"


def is_trigger_id_shaped(value: str) -> bool:
    parts = value.split(".")
    return (
        len(parts) == 3
        and parts[0].isdigit()
        and parts[1].isdigit()
        and all(c in "0123456789abcdef" for c in parts[2])
        and len(parts[2]) > 0
    )
