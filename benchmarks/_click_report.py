"""The click-latency benchmark's rows and its printout (benchmarks/bench_click_latency.py)."""

from __future__ import annotations

import argparse
import math
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from benchmarks._audit import Audit
from benchmarks._report import Latency, fmt, machine, ratio, table

TARGET = 1.5
BARE = "bare bolt, ack only"
COMMIT = "bolt + 1 committed row"
PUBLISHING = "fremdrift, publishing"
PACED = "fremdrift, reading"
PUBLISHING_LEADS = 16
THINK = 2.0
"""Seconds each lead of the publishing rows reads a view before the next click."""
ANSWERS = ("SetProgress", "SetDelay", "SetCritical")
"""The kinds of click that store an answer."""

PROFILE_CLICKS = 300


@dataclass
class Row:
    backend: str
    app: str
    leads: int
    latency: Latency
    seconds: float
    cpu_ms: float
    driver_ms: float
    busy: float
    gc_ms: float

    @property
    def rate(self) -> float:
        return self.latency.count / self.seconds if self.seconds else math.nan

    @property
    def rest(self) -> float:
        """Cores busy outside the app and this process during the row."""
        ours = (self.cpu_ms + self.driver_ms) * self.rate / 1000
        return max(0.0, self.busy * (os.cpu_count() or 1) - ours)


@dataclass
class BackendResult:
    backend: str
    rows: list[Row] = field(default_factory=list)
    audit: Audit | None = None
    queries: Counter[str] = field(default_factory=Counter)
    by_step: Counter[str] = field(default_factory=Counter)
    steps: Counter[str] = field(default_factory=Counter)
    publication: str = ""  # units × milestones published during the publishing row
    publication_seconds: float | None = None
    publication_app: dict[str, Any] = field(default_factory=dict)  # its cost in the app
    clicked_until_published: bool = False
    real_clicks: int = 0
    profile: str = ""
    profile_cpu_ms: float = math.nan
    setup: str = ""
    app_gc: dict[str, float] = field(default_factory=dict)


def report(results: list[BackendResult], args: argparse.Namespace, skipped: str) -> None:
    print()
    print("Click → committed → ack, over HTTP through the Slack stand-in (rate limits disabled)")
    print(f"{machine()}; each app in its own process, the stand-in and the leads in this one")
    print(
        f"{args.clicks} clicks per row (at most {args.phase_seconds:.0f} s); each lead clicks "
        f"through its own {args.milestones}-milestone checklist"
    )
    for result in results:
        print(f"{result.backend}: {result.setup}")
    print()
    rows = [
        [
            row.backend,
            row.app,
            row.leads,
            row.latency.count,
            fmt(row.rate, 0),
            row.latency.p50_text if row.latency.censored else fmt(row.latency.p50_ms, 2),
            row.latency.p99_text if row.latency.censored else fmt(row.latency.p99_ms, 2),
            fmt(row.latency.max_ms, 1),
            row.latency.unacked,
            fmt(row.cpu_ms, 2),
            fmt(row.driver_ms, 2),
            fmt(row.rest, 2),
            fmt(row.gc_ms, 0),
        ]
        for result in results
        for row in result.rows
    ]
    headers = ["backend", "app", "leads", "clicks", "clicks/s", "p50 ms", "p99 ms", "max ms"]
    headers += ["unacked", "app CPU", "stand-in CPU", "rest (cores)", "GC ms"]
    print(table(headers, rows))
    print(
        "app CPU / stand-in CPU: ms of CPU per click in the app's process / in this one "
        "(the stand-in and its simulated leads);\nrest: cores busy outside both "
        "(PostgreSQL, and whatever else runs on the machine); GC ms: the longest "
        "garbage-collector pause in this process"
    )
    print()
    print(
        f"Real / bare (bare = ack only, same message, same run); target p99 ≤ {TARGET}×; "
        "and real / (bolt + 1 committed row), in latency and in the app's CPU per click"
    )
    ratio_rows = []
    for result in results:
        for real in (r for r in result.rows if r.app == "fremdrift"):
            bare = _same(result, BARE, real.leads)
            floor = _same(result, COMMIT, real.leads)
            p99 = ratio(real.latency.p99_ms, bare.latency.p99_ms)
            at_least = "> " if real.latency.censored else ""
            ratio_rows.append(
                [
                    result.backend,
                    real.leads,
                    fmt(ratio(real.latency.p50_ms, bare.latency.p50_ms), 1) + "×",
                    at_least + fmt(p99, 1) + "×",
                    "met" if p99 <= TARGET else "MISSED",
                    fmt(ratio(real.latency.p50_ms, floor.latency.p50_ms), 1) + "×",
                    at_least + fmt(ratio(real.latency.p99_ms, floor.latency.p99_ms), 1) + "×",
                    fmt(ratio(real.cpu_ms, floor.cpu_ms), 1) + "×",
                ]
            )
    headers = ["backend", "leads", "p50 real/bare", "p99 real/bare", "target"]
    headers += ["p50 real/commit", "p99 real/commit", "CPU real/commit"]
    print(table(headers, ratio_rows))
    for result in results:
        print()
        total = sum(result.queries.values())
        kinds = ", ".join(
            f"{k} {v / max(result.real_clicks, 1):.1f}" for k, v in result.queries.most_common()
        )
        print(
            f"{result.backend}: SQL statements per click (real app, all its clicks): "
            f"{total / max(result.real_clicks, 1):.1f} ({kinds}), plus BEGIN/COMMIT"
        )
        print(f"{result.backend}: {_statements_by_step(result)}")
        if result.publication:
            print(f"{result.backend}: {_publication_line(result)}")
            if result.publication_app:
                print(f"{result.backend}: {_publication_app_line(result.publication_app)}")
        if result.app_gc:
            print(
                f"{result.backend}: the real app's garbage collector, once serving: "
                f"{result.app_gc.get('count', 0):.0f} collections, "
                f"{result.app_gc.get('total_s', 0):.2f} s in all, longest "
                f"{result.app_gc.get('longest_ms', 0):.0f} ms"
            )
        if result.audit is not None:
            print(f"{result.backend}: {result.audit.line()}")
            for example in result.audit.examples[:6]:
                print(f"    {example}")
        if result.profile:
            print()
            print(
                f"{result.backend}: where a click's CPU goes in the real app (1 lead, "
                f"{PROFILE_CLICKS} clicks under cProfile; unprofiled the app spends "
                f"{fmt(_unprofiled(result), 2)} ms of CPU per click, profiled "
                f"{fmt(result.profile_cpu_ms, 2)})"
            )
            print(result.profile)
    if skipped:
        print()
        print(skipped)


def _statements_by_step(result: BackendResult) -> str:
    """The runner's statements per click by the kind of event, answering clicks first; the
    rest of a click's (who is clicking) is the difference from the figure above."""
    steps, sent = result.steps, result.by_step
    answered = sum(steps[k] for k in ANSWERS)
    stored = sum(sent[k] for k in ANSWERS)
    others = ", ".join(
        f"{kind} {sent[kind] / count:.1f}"
        for kind, count in steps.most_common()
        if kind not in ANSWERS and count
    )
    outside = sum(result.queries.values()) - sum(sent.values())
    return (
        f"in the checklist runner, per answering click {stored / max(answered, 1):.1f} "
        f"({answered} clicks); per other click: {others or '–'}; outside the runner "
        f"(who is clicking) {outside / max(result.real_clicks, 1):.1f} per click"
    )


def _publication_line(result: BackendResult) -> str:
    publishing = next((r for r in result.rows if r.app == PUBLISHING), None)
    quiet = next((r for r in result.rows if r.app == PACED), None)
    took = (
        f"compiled in {result.publication_seconds:.1f} s"
        if result.publication_seconds is not None
        else "not compiled within the time allowed"
    )
    line = f"a {result.publication} publication {took} (documents in the render process)"
    if publishing is None:
        return line
    during = "until it was done" if result.clicked_until_published else "until time ran out"
    line += (
        f"; {publishing.leads} leads reading each view {THINK:.0f} s clicked {during}, "
        f"{publishing.latency.count} clicks: p99 {fmt(publishing.latency.p99_ms)} ms, "
        f"max {fmt(publishing.latency.max_ms)} ms"
    )
    if quiet is not None:
        line += (
            f" against {fmt(quiet.latency.p99_ms)} ms without "
            f"({fmt(ratio(publishing.latency.p99_ms, quiet.latency.p99_ms), 2)}×)"
        )
    return line


def _publication_app_line(app: dict[str, Any]) -> str:
    """The publication's cost in the app's own process (benchmarks/_app_process.py)."""

    def lag(name: str) -> str:
        figures = app[name]
        return f"p99 {fmt(figures['p99_ms'], 1)} ms, max {fmt(figures['max_ms'], 1)} ms"

    return (
        f"the app's process meanwhile: {app['cpu_s']:.2f} s CPU; its event loop woke late by "
        f"{lag('lag_during')} while the render process worked, {lag('lag_handover')} in "
        f"the last {app['handover_s']:.0f} s (where it receives the render process's result), "
        f"{lag('lag_before')} as long before; {fmt(app['after_render_ms'], 0)} ms from the "
        f"render process's result to the publication. Of the "
        f"{app.get('slowest', 0)} slowest clicks (1 %), {app.get('slowest_at_end', 0)} ended in "
        f"those last {app['handover_s']:.0f} s or the second after; the other "
        f"{app.get('outside_count', 0)} clicks' p99: {fmt(app.get('outside_p99_ms', math.nan))} ms"
    )


def _same(result: BackendResult, app: str, leads: int) -> Row:
    return next(r for r in result.rows if r.app == app and r.leads == leads)


def _unprofiled(result: BackendResult) -> float:
    rows = [r for r in result.rows if r.app == "fremdrift" and r.leads == 1]
    return rows[0].cpu_ms if rows else math.nan
