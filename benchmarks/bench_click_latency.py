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
  Next … — so every click commits a real answer or step before it is acked;
- and once more at 16 leads while that app compiles the publication of a large published
  round (``--publication``, 100 × 300 by default) beside the benchmark's programme, its
  documents rendered in the app's render process as a publish job would have them: the
  click-during-publication row. With it, what the publication cost the app's own process:
  its CPU, how late its event loop woke (while the render process worked, and in the
  publication's last seconds, where the app receives its result), and how many of the
  row's slowest clicks fell in those last seconds.
Every click goes over HTTP, signed, from the stand-in's sender to 127.0.0.1. The stand-in's
rate limits are disabled for the measurement. Each app runs in a child process; the
stand-in and the leads share this one. The target (issue 5) is a p99 within 1.5× the bare
app's. An audit afterwards checks the database against every acknowledged click. It also prints
the SQL statements per click (all of them, and those the checklist runner sends by the kind
of event: SetProgress, SetDelay and SetCritical are the clicks that store an answer) and the
CPU per click against the floor's (bolt + one committed row).

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
from typing import Any

from benchmarks import _big_round
from benchmarks._click_report import (
    BARE,
    COMMIT,
    PACED,
    PROFILE_CLICKS,
    PUBLISHING,
    PUBLISHING_LEADS,
    THINK,
    BackendResult,
    Row,
    report,
)
from benchmarks._leads import (
    Budget,
    Driver,
    GcPauses,
    Lead,
    clicks_per_checklist,
    run_bare,
    run_leads,
)
from benchmarks._procs import AppProcess
from benchmarks._profile import breakdown
from benchmarks._report import CpuMeter, Latency, fmt
from benchmarks._stage import Backend, Stage

WARMUP_CLICKS = 120


async def run_backend(backend: Backend, args: argparse.Namespace) -> BackendResult:
    levels: list[int] = args.levels
    per_lead = clicks_per_checklist(args.milestones)
    lead_count = 1 + sum(c + math.ceil(args.clicks / per_lead) for c in levels)
    if args.profile:
        lead_count += 1 + math.ceil(PROFILE_CLICKS / per_lead)
    if args.publication:  # paced leads, each through a whole checklist, for both rows
        seconds = args.paced_seconds + args.publication_seconds
        lead_count += PUBLISHING_LEADS * (2 + math.ceil(seconds / (per_lead * THINK)))
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
        big_round = 0
        if args.publication:
            units, milestones = args.publication
            assert stage.database is not None
            await stage.database.open()
            try:
                big_round = await _big_round.published_round(units, milestones)
            finally:
                await stage.database.close()
            result.publication = f"{units} × {milestones}"
        bare = await stage.start_app("bare", "http", "bare")
        commit = await stage.start_app("commit", "http", "commit")
        real = await stage.start_app(
            "real",
            "http",
            "real",
            count_queries=True,
            profile=args.profile,
            publishes=bool(big_round),
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

        if big_round:
            # Leads who read each view for THINK seconds: first for a while as they are,
            # then from the moment the app starts publishing until it is done.
            for name, publish in ((PACED, False), (PUBLISHING, True)):
                driver = stage.driver("http", [real])
                driver.think = THINK
                seconds_allowed = args.publication_seconds if publish else args.paced_seconds
                budget = Budget(10**9, seconds_allowed)
                watcher = None
                if publish:
                    real.publish(big_round)
                    watcher = asyncio.create_task(_until_published(real, budget, result, args))
                before, meter = real.cpu_seconds(), CpuMeter()
                with GcPauses() as pauses:
                    leads, seconds = await run_leads(driver, pool, PUBLISHING_LEADS, budget)
                cpu = real.cpu_seconds() - before
                if watcher is not None:
                    await watcher
                played += leads
                drivers.append(driver)
                result.real_clicks += len(driver.samples)
                row = _row(backend, name, PUBLISHING_LEADS, driver, seconds, cpu, meter, pauses)
                if publish and result.publication_app:
                    result.publication_app.update(_around_the_end(driver, result.publication_app))
                result.rows.append(row)
                _progress(result.rows[-1:])

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
        result.by_step = Counter(real.stats.get("by_step") or {})
        result.steps = Counter(real.stats.get("steps") or {})
        result.app_gc = dict(real.stats.get("gc") or {})
    return result


async def _until_published(
    real: AppProcess, budget: Budget, result: BackendResult, args: argparse.Namespace
) -> None:
    """Wait for the app's publication, then end the clicking phase (its budget)."""
    figures = await real.published(within=args.publication_seconds)
    if figures is not None:
        result.publication_seconds = float(figures["seconds"])
        result.publication_app = figures
    result.clicked_until_published = budget.left > 0 and not budget.expired
    budget.left = 0


def _around_the_end(driver: Driver, app: dict[str, Any]) -> dict[str, Any]:
    """Where the slowest clicks of the publishing row fell: how many of its slowest 1 % were
    acked in the publication's last seconds (or the second after), where the app receives
    the render process's result and stores it, and the p99 of the clicks outside that."""
    end = float(app["ended_at"])
    window = (end - float(app["handover_s"]), end + 1.0)
    samples = [s for s in driver.samples if s.acked]
    slowest = sorted(samples, key=lambda s: s.latency)[-max(1, math.ceil(len(samples) / 100)) :]
    outside = [s for s in driver.samples if not window[0] <= s.at < window[1]]
    return {
        "slowest": len(slowest),
        "slowest_at_end": sum(window[0] <= s.at < window[1] for s in slowest),
        "outside_p99_ms": Latency.of(outside).p99_ms,
        "outside_count": len(outside),
    }


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
    parser.add_argument(
        "--publication",
        default="100x300",
        help="units x milestones of the round published while 16 leads click; none: no such row",
    )
    parser.add_argument(
        "--publication-seconds",
        type=float,
        default=1200.0,
        help="how long leads click while that publication runs, at most",
    )
    parser.add_argument(
        "--paced-seconds",
        type=float,
        default=60.0,
        help="how long the same leads click before it, for comparison",
    )
    args = parser.parse_args(argv)
    if str(args.publication).lower() in ("", "none", "0"):
        args.publication = None
    else:
        units, _, milestones = str(args.publication).partition("x")
        args.publication = (int(units), int(milestones))
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
