"""The garbage collector, set for a process that serves clicks.

What `serve` builds before it answers — modules, compiled templates and messages, the bolt
app, the programmes' structures — lives as long as the process. Python's collector still
walks all of it on every full collection, and a click that arrives meanwhile waits: on a
benchmark's round of 271 leads the longest pause was 85 ms, which is a click's p99.
`settle()` moves that start-up heap out of the collector's way (`gc.freeze`) and lets the
youngest generation grow larger before it is collected, so collections come less often;
cycles are still collected, only later.
"""

from __future__ import annotations

import gc

FIRST_GENERATION = 10_000
"""Allocations (net of frees) before the youngest generation is collected; Python's 700
suits short scripts, a server allocates that in a few clicks."""


def settle() -> None:
    """Call once the process serves: collect what starting left, then freeze the rest."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(FIRST_GENERATION, middle, oldest)
