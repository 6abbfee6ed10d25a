"""What one SQL statement costs the serving process, through the driver the app uses.

    python -m benchmarks.bench_statement             # SQLite (+ PostgreSQL if DATABASE_URL_PG)
    python -m benchmarks.bench_statement --postgres postgres://… --statements 5000

A click runs eight statements through Tortoise (who is clicking; BEGIN; the step's read;
the checklist's answers; the conversation, the answer and its revision; COMMIT), and the
floor of `bench_click_latency` (bolt + one committed row) three. This prints what each
costs the process that acks clicks — its CPU (`time.process_time`, every thread of it) and
wall time per statement — for a statement that does no work (`SELECT 1`), so what is left
is the driver's own cost: on SQLite, aiosqlite's hand-over to its thread and back to the
event loop; on PostgreSQL, asyncpg's round trip to the server. The floor is the same
statement through the standard library's sqlite3, called directly, in the same run.

Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from benchmarks._report import fmt, machine, table

WARMUP = 200


def per_statement(run: Callable[[], object], count: int) -> tuple[float, float]:
    """µs of CPU and of wall time per call of `run`."""
    for _ in range(WARMUP):
        run()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        run()
    return (
        (time.process_time() - cpu) / count * 1e6,
        (time.perf_counter() - wall) / count * 1e6,
    )


async def per_awaited(run: Callable[[], Awaitable[object]], count: int) -> tuple[float, float]:
    """µs of CPU and of wall time per awaited call of `run`."""
    for _ in range(WARMUP):
        await run()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        await run()
    return (
        (time.process_time() - cpu) / count * 1e6,
        (time.perf_counter() - wall) / count * 1e6,
    )


async def through_tortoise(url: str, count: int) -> tuple[tuple[float, float], ...]:
    """`SELECT 1` through the app's own connection (models.db.open_db): on its own (a
    connection taken from the pool for it) and inside a transaction, as a click runs most."""
    from tortoise import connections
    from tortoise.transactions import in_transaction

    from models.db import close_db, open_db

    await open_db(url, run_migrations=url.startswith("sqlite"))
    try:
        alone = await per_awaited(
            lambda: connections.get("default").execute_query_dict("SELECT 1"), count
        )
        async with in_transaction() as transaction:
            within = await per_awaited(lambda: transaction.execute_query_dict("SELECT 1"), count)
        return alone, within
    finally:
        await close_db()


def directly(path: Path, count: int) -> tuple[float, float]:
    connection = sqlite3.connect(path)
    try:
        return per_statement(lambda: connection.execute("SELECT 1").fetchall(), count)
    finally:
        connection.close()


async def main_async(args: argparse.Namespace) -> None:
    rows: list[list[str]] = []
    with tempfile.TemporaryDirectory(prefix="fremdrift-bench-statement-") as folder:
        path = Path(folder) / "bench.sqlite3"
        floor_cpu, floor_wall = directly(path, args.statements)
        rows.append(["sqlite3 called directly (floor)", fmt(floor_cpu), fmt(floor_wall), "1.0×"])
        measured = [("SQLite (aiosqlite)", f"sqlite://{path}")]
        postgres = args.postgres or os.environ.get("DATABASE_URL_PG")
        if postgres:
            measured.append(("PostgreSQL (asyncpg)", postgres))
        for name, url in measured:
            alone, within = await through_tortoise(url, args.statements)
            for how, (cpu, wall) in (("alone", alone), ("in a transaction", within)):
                rows.append([f"{name}, {how}", fmt(cpu), fmt(wall), _times(cpu, floor_cpu)])
    print("One statement that does no work (SELECT 1), as the serving process pays for it")
    print(machine())
    print(f"{args.statements} statements per row, after {WARMUP} to warm up")
    print()
    print(table(["driver", "CPU µs", "wall µs", "CPU / floor"], rows))
    if not postgres:
        print("PostgreSQL: skipped (set DATABASE_URL_PG or pass --postgres URL).")


def _times(value: float, floor: float) -> str:
    return fmt(value / floor if floor else 0.0) + "×"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--statements", type=int, default=3000)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL to measure too")
    asyncio.run(main_async(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
