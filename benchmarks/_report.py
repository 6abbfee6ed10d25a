"""Percentiles and plain-text tables for the benchmarks' printouts."""

from __future__ import annotations

import math
import os
import platform
import time
from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks._leads import Sample


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values (NaN when there are none)."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass(frozen=True)
class Latency:
    count: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    unacked: int

    @property
    def censored(self) -> bool:
        """More than 1 % not acked in time: the p99 is only a lower bound (Slack's 3 s)."""
        return self.unacked * 100 > self.count

    @property
    def p50_text(self) -> str:
        return "> 3,000" if self.unacked * 2 > self.count else fmt(self.p50_ms)

    @property
    def p99_text(self) -> str:
        return "> 3,000" if self.censored else fmt(self.p99_ms)

    @staticmethod
    def of(samples: Sequence[Sample]) -> Latency:
        values = sorted(s.latency for s in samples)
        return Latency(
            count=len(values),
            p50_ms=percentile(values, 0.50) * 1000,
            p99_ms=percentile(values, 0.99) * 1000,
            max_ms=(values[-1] * 1000) if values else math.nan,
            unacked=sum(1 for s in samples if not s.acked),
        )


def ratio(real: float, bare: float) -> float:
    return real / bare if bare > 0 and not math.isnan(bare) else math.nan


def fmt(value: float, digits: int = 1) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "–"
    return f"{value:,.{digits}f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Left-aligned first column, right-aligned figures."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        parts = [
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def machine() -> str:
    return (
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot, from /proc/stat ((0, 0) elsewhere)."""
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            fields = [int(x) for x in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


class CpuMeter:
    """CPU used by this process (the stand-in and the leads) and by the whole machine."""

    def __init__(self) -> None:
        self._process = time.process_time()
        self._busy, self._total = _machine_ticks()

    def driver_seconds(self) -> float:
        return time.process_time() - self._process

    def machine_busy(self) -> float:
        """Share of all cores busy since the meter started (NaN where unknown)."""
        busy, total = _machine_ticks()
        if total <= self._total:
            return math.nan
        return (busy - self._busy) / (total - self._total)
