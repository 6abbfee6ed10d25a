"""What compiling a round and writing its documents costs, small and large.

    python -m benchmarks.bench_documents            # 5 × 32 (KOL's size) and 100 × 300
    python -m benchmarks.bench_documents --sizes 5x32,20x120

Each size runs in a child process of its own (a fresh temporary SQLite database, and a
clean peak-memory figure: the child's maximum resident set size). It builds a programme
of units × milestones in groups of ten, a closed previous round and the round itself
with an answer in every cell, then times: the snapshot (all queries), the matrix, the
comparison with the previous round, and every document — matrix PDF, the sheets of all
units, the workbook, CSV, JSON and the Slack messages — one after the other, to show
where the time goes; then `together`: all of them as a publication writes them
(render.publication.documents: the PDFs in one pool of processes, the matrix first, the
workbook meanwhile), the figure the issue's minute is about. Each step is timed twice: wall
clock, and CPU seconds of this process and of the worker processes it waited for (the
sheets of a large programme are written by one process per core). On a shared machine
the wall clock is what others leave over; the CPU seconds are the work. The last lines
give each step's cost per cell, large against small: near 1 means the cost grows
linearly with the cells.

Then the publication as `serve` makes it (issue 19): the round published, its publication
compiled by service/publication.py with the documents rendered in a render process of its
own and stored in the database — its wall clock and cost per cell — and every format
written by `round export` from what was stored. `--no-publication` leaves it out (it
renders every document a second time), `--together-only` the documents one by one.
Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks import _big_round

SIZES = ((5, 32), (100, 300))


async def build(units: int, milestones: int) -> tuple[int, int]:
    """The programme and two rounds; returns (previous round id, round id)."""
    from models.people import Person, Role, RoleKind
    from models.programme import Programme
    from models.round import Round, RoundStatus, Submission

    rng = random.Random(7)
    programme = await Programme.create(
        key="bench", title="Benchmark", source="Benchmark", language="da"
    )
    unit_ids, milestone_ids = await _big_round.structure(programme, units, milestones, "u")
    people = [Person(key=f"pl-{i}", name=f"Projektleder {i}") for i in range(units)]
    await Person.bulk_create(people)
    person_ids = dict(await Person.all().values_list("key", "id"))
    await Role.bulk_create(
        [
            Role(
                programme=programme,
                person_id=person_ids[f"pl-{i}"],
                kind=RoleKind.LEAD,
                scope=f"u{i}",
            )
            for i in range(units)
        ]
    )
    now = datetime(2018, 6, 20, tzinfo=UTC)
    round_ids = []
    for number, opened in enumerate((now - timedelta(days=90), now)):
        round_ = await Round.create(
            programme=programme,
            name=f"Runde {number + 1}",
            status=RoundStatus.CLOSED,
            opened_at=opened,
            closed_at=opened,
        )
        round_ids.append(round_.id)
        await _big_round.answer_every_cell(round_.id, unit_ids, milestone_ids, rng, opened)
        await Submission.bulk_create(
            [
                Submission(round_id=round_.id, scope=f"unit:u{i}", submitted_at=opened)
                for i in range(0, units, 2)
            ]
        )
    return round_ids[0], round_ids[1]


def cpu_seconds() -> float:
    """CPU seconds (user and system) of this process and of its children it waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


CPU: dict[str, float] = {}
"""CPU seconds per step, beside the wall-clock figures."""


def timed(figures: dict[str, float], name: str, action: Callable[[], Any]) -> Any:
    start, cpu = time.perf_counter(), cpu_seconds()
    result = action()
    figures[name] = time.perf_counter() - start
    CPU[name] = cpu_seconds() - cpu
    return result


def warm_up() -> None:
    """Load fonts, templates and catalogues once, so the figures are the work, not start-up."""
    from conversations.vocabulary import Delay, Progress
    from models.round import RoundStatus
    from render.publication import build_publication
    from render.words import worded_matrix
    from reporting.comparison import compare
    from reporting.snapshot import (
        AnswerInfo,
        GroupInfo,
        MilestoneInfo,
        ProgrammeInfo,
        RoundInfo,
        UnitInfo,
        make_snapshot,
    )

    now = datetime(2018, 6, 20, tzinfo=UTC)
    answers = tuple(
        AnswerInfo("1.1", "u", progress, Delay.ON_TIME, False, "", None, None, "", None, now, False)
        for progress in (Progress.STARTED,)
    )
    snapshot = make_snapshot(
        ProgrammeInfo("w", "W", "", "da", "Europe/Copenhagen", "W", ""),
        RoundInfo(1, "W", RoundStatus.CLOSED, now, None, "", now, None, False),
        (UnitInfo("u", "U"),),
        (GroupInfo("1", "G", (MilestoneInfo("1.1", "M"),)),),
        answers,
    )
    matrix = worded_matrix(snapshot)
    build_publication(snapshot, matrix, compare(matrix, None, snapshot), published=now)


async def measure(units: int, milestones: int, each: bool = True) -> dict[str, Any]:
    """The steps' figures; without `each`, only `together` of the documents."""
    from models.db import close_db, open_db
    from models.snapshot import load_snapshot
    from render.documents.pdf import (
        COMBINED_SHEETS_MAX_UNITS,
        render_matrix_pdf,
        render_sheet_pdf,
        render_sheets_zip,
    )
    from render.documents.xlsx import render_xlsx
    from render.publication import documents as all_documents
    from render.publication import grid_messages, summary_message
    from render.words import worded_matrix
    from reporting.tables import render_csv, render_json
    from service.comparisons import compile_comparison

    warm_up()
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        await open_db(f"sqlite://{Path(folder) / 'bench.sqlite3'}")
        try:
            _, round_id = await build(units, milestones)
            start, cpu = time.perf_counter(), cpu_seconds()
            snapshot = await load_snapshot(round_id)
            figures["snapshot"] = time.perf_counter() - start
            CPU["snapshot"] = cpu_seconds() - cpu
            matrix = timed(figures, "matrix", lambda: worded_matrix(snapshot))
            start, cpu = time.perf_counter(), cpu_seconds()
            comparison = await compile_comparison(round_id)
            figures["comparison"] = time.perf_counter() - start
            CPU["comparison"] = cpu_seconds() - cpu
        finally:
            await close_db()
    pages: tuple[object, object] = ("-", "-")
    if each:
        pdf = timed(figures, "matrix_pdf", lambda: render_matrix_pdf(matrix, comparison))
        if units <= COMBINED_SHEETS_MAX_UNITS:
            pages = (
                pdf.pages,
                timed(figures, "sheets", lambda: render_sheet_pdf(snapshot, matrix).pages),
            )
        else:  # as the publication does: a ZIP of one PDF per unit, memory of one unit's sheet
            timed(figures, "sheets", lambda: render_sheets_zip(snapshot, matrix))
            pages = (pdf.pages, "zip")
        timed(figures, "xlsx", lambda: render_xlsx(snapshot, matrix))
        timed(figures, "csv", lambda: render_csv(matrix))
        timed(figures, "json", lambda: render_json(matrix))
    now = datetime.now(UTC)
    messages = timed(
        figures,
        "slack",
        lambda: [summary_message(matrix, comparison, published=now), *grid_messages(matrix)],
    )
    documents = ("matrix_pdf", "sheets", "xlsx", "csv", "json") if each else ()
    figures["documents"] = sum(figures[name] for name in documents)
    CPU["documents"] = sum(CPU[name] for name in documents)
    figures["total"] = sum(value for name, value in figures.items() if name != "documents")
    CPU["total"] = sum(value for name, value in CPU.items() if name not in ("documents", "total"))
    timed(figures, "together", lambda: all_documents(snapshot, matrix, comparison))
    peak_kib = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    return {
        "units": units,
        "milestones": milestones,
        "cells": units * milestones,
        "seconds": figures,
        "cpu": CPU,
        "peak_mib": peak_kib / 1024,
        "pdf_pages": pages[0],
        "sheet_pages": pages[1],
        "slack_messages": len(messages),
    }


async def measure_publication(units: int, milestones: int) -> dict[str, float]:
    """Wall-clock seconds of the publication as `serve` compiles it, and of `round export`
    of every format once it is stored."""
    from models.db import close_db, open_db
    from models.round import Round, RoundStatus
    from service.exports import Format, export_documents
    from service.publication import Publications
    from service.rendering import RenderProcess

    with tempfile.TemporaryDirectory() as folder:
        await open_db(f"sqlite://{Path(folder) / 'publication.sqlite3'}")
        try:
            _, round_id = await build(units, milestones)
            await Round.filter(id=round_id).update(
                status=RoundStatus.PUBLISHED, published_at=datetime.now(UTC)
            )
            publications = Publications(renderer=RenderProcess())
            start = time.perf_counter()
            await publications.of(round_id)
            compiled = time.perf_counter() - start
            publications.close()
            name = (await Round.get(id=round_id)).name
            start = time.perf_counter()
            for fmt in Format:
                await export_documents("bench", name, fmt, None)
            exported = time.perf_counter() - start
        finally:
            await close_db()
    return {"publication": compiled, "export_stored": exported}


def child(size: str, publication: bool = True, each: bool = True) -> None:
    units, milestones = (int(part) for part in size.split("x"))
    result = asyncio.run(measure(units, milestones, each))
    if publication:
        result["serve"] = asyncio.run(measure_publication(units, milestones))
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(f"{u}x{m}" for u, m in SIZES))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--no-publication", action="store_true", help="skip serve's path")
    parser.add_argument(
        "--together-only", action="store_true", help="no document on its own, only `together`"
    )
    args = parser.parse_args()
    if args.child:
        child(args.child, publication=not args.no_publication, each=not args.together_only)
        return
    results = []
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    for size in args.sizes.split(","):
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.bench_documents", "--child", size]
            + (["--no-publication"] if args.no_publication else [])
            + (["--together-only"] if args.together_only else []),
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        results.append(result)
        seconds = result["seconds"]
        print(
            f"{result['units']:>4} units × {result['milestones']:>4} milestones"
            f" = {result['cells']:>6} cells"
            f"  peak {result['peak_mib']:7.1f} MiB  matrix PDF {result['pdf_pages']} pages,"
            f" sheets {result['sheet_pages']} pages, Slack {result['slack_messages']} messages"
        )
        print(f"    {'':<11} {'wall':>9}     {'wall/cell':>12}   {'cpu':>9}     {'cpu/cell':>12}")
        for name, value in seconds.items():
            cpu = result["cpu"][name]
            print(
                f"    {name:<11} {value:9.3f} s   {1e6 * value / result['cells']:9.1f} µs"
                f"   {cpu:9.3f} s   {1e6 * cpu / result['cells']:9.1f} µs"
            )
        print_publication(result)
    if len(results) >= 2:
        small, large = results[0], results[-1]
        print(
            f"cost per cell, {large['cells']} cells against {small['cells']}"
            " (1.0 = linear; wall, cpu):"
        )
        for name in small["seconds"]:
            ratios = [
                (large[kind][name] / large["cells"]) / max(small[kind][name] / small["cells"], 1e-9)
                for kind in ("seconds", "cpu")
            ]
            print(f"    {name:<11} {ratios[0]:6.2f} {ratios[1]:6.2f}")
        memory = (large["peak_mib"] / large["cells"]) / (small["peak_mib"] / small["cells"])
        print(f"    {'peak memory':<11} {memory:6.2f}")
        if "serve" in small and "serve" in large:
            per_cell = [r["serve"]["publication"] / r["cells"] for r in (small, large)]
            print(f"    {'publication':<11} {per_cell[1] / per_cell[0]:6.2f}  (serve's path, wall)")


def print_publication(result: dict[str, Any]) -> None:
    """The publication as `serve` compiles it, and `round export` from what it stored."""
    serve = result.get("serve")
    if not serve:
        return
    cells = result["cells"]
    print(
        f"    publication as serve compiles it (render process, stored): "
        f"{serve['publication']:.3f} s wall, {1e6 * serve['publication'] / cells:.1f} µs/cell;"
        f" round export of all five formats from the stored bytes: {serve['export_stored']:.3f} s"
    )


if __name__ == "__main__":
    main()
