"""Click → committed → ack latency: the real app against a bare bolt app (issue 5).

    python -m benchmarks.bench_click_latency              # SQLite, + PostgreSQL if DATABASE_URL_PG
    python -m benchmarks.bench_click_latency --postgres postgres://… --levels 1,16,64 --clicks 600
    python -m benchmarks.bench_click_latency --profile    # and where a click's CPU goes

For each database, in one run and against one Slack stand-in: at 1, 16 and 64 concurrent
leads, the same number of clicks to
- a bare bolt ``AsyncApp`` over aiohttp that only acks (``process_before_response=True``),
  clicked on a real milestone message (so the payload has the real size), and once more on
  a one-button message (bolt's floor);
- the same bare app committing one row through Tortoise before it acks (the floor of any
  app that stores before acking);
- the real Fremdrift app (``bot.runtime.Fremdrift``), where each lead clicks through its
  own checklist — Start, progress, a delay band or the critical flag on some milestones,
  Next … — so every click commits a real answer or step before it is acked.
Every click goes over HTTP, signed, from the stand-in's sender to 127.0.0.1. The stand-in's
rate limits are disabled for the measurement. Each app runs in a child process; the
stand-in and the leads share this one. The target (issue 5) is a p99 within 1.5× the bare
app's. An audit afterwards checks the database against every acknowledged click.

Not a test: it prints figures. Every phase is bounded by ``--clicks`` and ``--phase-seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

from benchmarks._audit import Audit
from benchmarks._leads import (
    Budget,
    Driver,
    GcPauses,
    Lead,
    clicks_per_checklist,
    run_bare,
    run_leads,
)
from benchmarks._profile import breakdown
from benchmarks._report import CpuMeter, Latency, fmt, machine, ratio, table
from benchmarks._stage import Backend, Stage

TARGET = 1.5
BARE = "bare bolt, ack only"
COMMIT = "bolt + 1 committed row"
WARMUP_CLICKS = 120
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
    real_clicks: int = 0
    profile: str = ""
    profile_cpu_ms: float = math.nan
    setup: str = ""
    app_gc: dict[str, float] = field(default_factory=dict)


async def run_backend(backend: Backend, args: argparse.Namespace) -> BackendResult:
    levels: list[int] = args.levels
    per_lead = clicks_per_checklist(args.milestones)
    lead_count = 1 + sum(c + math.ceil(args.clicks / per_lead) for c in levels)
    if args.profile:
        lead_count += 1 + math.ceil(PROFILE_CLICKS / per_lead)
    result = BackendResult(backend)
    async with Stage(
        backend,
        units=lead_count,
        milestones=args.milestones,
        postgres_url=args.postgres,
        bare_targets=max(levels),
        keep=args.keep,
    ) as stage:
        result.setup = (
            f"{lead_count} leads × {args.milestones} milestones, round opened and "
            f"{stage.invitations} invitations sent by the round worker "
            f"({stage.invitations_failed} failed) in {stage.setup_seconds:.1f} s"
        )
        bare = await stage.start_app("bare", "http", "bare")
        commit = await stage.start_app("commit", "http", "commit")
        real = await stage.start_app(
            "real", "http", "real", count_queries=True, profile=args.profile
        )
        pool = (stage.lead(i) for i in range(lead_count))
        played: list[Lead] = []
        drivers: list[Driver] = []

        # Warm-up: first requests compile templates, fill caches, open connections.
        for floor in (bare, commit):
            warm = stage.driver("http", [floor])
            budget = Budget(WARMUP_CLICKS, args.phase_seconds)
            await run_bare(warm, stage.bare_targets, 1, budget)
        warm_real = stage.driver("http", [real])
        warm_budget = Budget(min(WARMUP_CLICKS, per_lead), args.phase_seconds)
        leads, _ = await run_leads(warm_real, iter([next(pool)]), 1, warm_budget)
        played += leads
        drivers.append(warm_real)
        result.real_clicks += len(warm_real.samples)

        for c in levels:
            for name, floor, targets in (
                (BARE, bare, stage.bare_targets),
                ("bare bolt, 1-button msg", bare, stage.tiny_targets),
                (COMMIT, commit, stage.bare_targets),
            ):
                driver = stage.driver("http", [floor])
                before, meter = floor.cpu_seconds(), CpuMeter()
                budget = Budget(args.clicks, args.phase_seconds)
                with GcPauses() as pauses:
                    seconds = await run_bare(driver, targets, c, budget)
                cpu = floor.cpu_seconds() - before
                result.rows.append(_row(backend, name, c, driver, seconds, cpu, meter, pauses))
            driver = stage.driver("http", [real])
            before, meter = real.cpu_seconds(), CpuMeter()
            with GcPauses() as pauses:
                leads, seconds = await run_leads(
                    driver, pool, c, Budget(args.clicks, args.phase_seconds)
                )
            cpu = real.cpu_seconds() - before
            played += leads
            drivers.append(driver)
            result.real_clicks += len(driver.samples)
            result.rows.append(_row(backend, "fremdrift", c, driver, seconds, cpu, meter, pauses))
            _progress(result.rows[-4:])

        if args.profile:
            driver = stage.driver("http", [real])
            await real.toggle_profile(True)
            before = real.cpu_seconds()
            leads, _ = await run_leads(driver, pool, 1, Budget(PROFILE_CLICKS, args.phase_seconds))
            cpu = real.cpu_seconds() - before
            await real.toggle_profile(False)
            played += leads
            drivers.append(driver)
            result.real_clicks += len(driver.samples)
            clicks = len(driver.samples)
            result.profile_cpu_ms = cpu / max(clicks, 1) * 1000
            result.profile = breakdown(real.profile_path, clicks)

        await stage.stop_app(bare)
        await stage.stop_app(commit)
        result.audit = await stage.audit(played, drivers)
        result.queries = Counter(real.stats.get("queries") or {})
        result.app_gc = dict(real.stats.get("gc") or {})
    return result


def _row(
    backend: str,
    app: str,
    c: int,
    driver: Driver,
    seconds: float,
    cpu: float,
    meter: CpuMeter,
    pauses: GcPauses,
) -> Row:
    latency = Latency.of(driver.samples)
    clicks = max(latency.count, 1)
    return Row(
        backend,
        app,
        c,
        latency,
        seconds,
        cpu_ms=cpu / clicks * 1000,
        driver_ms=meter.driver_seconds() / clicks * 1000,
        busy=meter.machine_busy(),
        gc_ms=pauses.longest * 1000,
    )


def _progress(rows: list[Row]) -> None:
    for row in rows:
        print(
            f"  … {row.backend} {row.app} at {row.leads}: {row.latency.count} clicks, "
            f"p50 {fmt(row.latency.p50_ms)} ms, p99 {fmt(row.latency.p99_ms)} ms",
            file=sys.stderr,
            flush=True,
        )


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
        "and real / (bolt + 1 committed row)"
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
                ]
            )
    headers = ["backend", "leads", "p50 real/bare", "p99 real/bare", "target"]
    print(table([*headers, "p50 real/commit", "p99 real/commit"], ratio_rows))
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


def _same(result: BackendResult, app: str, leads: int) -> Row:
    return next(r for r in result.rows if r.app == app and r.leads == leads)


def _unprofiled(result: BackendResult) -> float:
    rows = [r for r in result.rows if r.app == "fremdrift" and r.leads == 1]
    return rows[0].cpu_ms if rows else math.nan


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="1,16,64", help="concurrent leads, comma-separated")
    parser.add_argument("--clicks", type=int, default=600, help="clicks per row")
    parser.add_argument("--phase-seconds", type=float, default=90.0, help="time bound per row")
    parser.add_argument("--milestones", type=int, default=32)
    parser.add_argument(
        "--postgres", default=os.environ.get("DATABASE_URL_PG"), help="postgres://… URL"
    )
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--profile", action="store_true", help="profile the real app too")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder and logs")
    args = parser.parse_args(argv)
    args.levels = [int(x) for x in str(args.levels).split(",") if x.strip()]
    if not args.levels or min(args.levels) < 1 or args.clicks < 1 or args.milestones < 1:
        parser.error("levels, clicks and milestones must be positive")
    return args


async def main_async(args: argparse.Namespace) -> list[BackendResult]:
    started = time.perf_counter()
    backends: list[Backend] = [] if args.no_sqlite else ["sqlite"]
    skipped = ""
    if args.postgres:
        backends.append("postgres")
    else:
        skipped = "PostgreSQL: skipped (set DATABASE_URL_PG or pass --postgres URL)."
    results = [await run_backend(backend, args) for backend in backends]
    report(results, args, skipped)
    print(f"\nelapsed {time.perf_counter() - started:.0f} s")
    return results


def main(argv: list[str] | None = None) -> None:
    asyncio.run(main_async(parse_args(argv)))


if __name__ == "__main__":
    main()
