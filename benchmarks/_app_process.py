"""One app under test, in a process of its own: the real Fremdrift, or a bare bolt app.

    python -m benchmarks._app_process --kind real|bare|commit --transport http|socket [--stats F]

Configured as `fremdrift serve` is, from the environment: SLACK_BOT_TOKEN,
SLACK_SIGNING_SECRET, SLACK_APP_TOKEN (Socket Mode), FREMDRIFT_SLACK_API_URL (the
stand-in) and DATABASE_URL. It serves HTTP on 127.0.0.1 and a free port (and, with an app
token, connects to the stand-in's Socket Mode), prints one JSON line ``{"url": …}`` when
ready, and runs until SIGTERM or SIGINT. With ``--stats`` it writes what it counted there
on the way out (SQL statements by their first word, with ``--count-queries``); with
``--profile PATH`` it profiles with cProfile from SIGUSR1 to SIGUSR2 and dumps to PATH.

The bare app is what issue 5 compares against: bolt's ``AsyncApp`` with
``process_before_response=True``, the same client and token set-up as the real app, and
one listener for every action that only acks. The commit app is the bare app whose
listener first commits one row through Tortoise (SLACK-FACTS' "one committed row per
click"): the floor of any app that stores before it acks. The real app is ``bot.runtime.Fremdrift``,
exactly as ``fremdrift serve`` builds it, without job workers (the benchmark's set-up has
sent the invitations already).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import logging
import math
import os
import re
import signal
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

QUERY_METHODS = ("execute_query", "execute_query_dict", "execute_insert", "execute_many")


class GcWatch:
    """The collector's pauses in this process: how many, how long in all, the longest."""

    def __init__(self) -> None:
        self.count = 0
        self.total = 0.0
        self.longest = 0.0
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def reset(self) -> None:
        """Forget the start-up's collections: count only those while serving."""
        self.count, self.total, self.longest = 0, 0.0, 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        pause = time.perf_counter() - self._started
        self.count += 1
        self.total += pause
        self.longest = max(self.longest, pause)

    def stats(self) -> dict[str, float]:
        return {"count": self.count, "total_s": self.total, "longest_ms": self.longest * 1000}


STEP: ContextVar[str] = ContextVar("step", default="")
"""The kind of event the runner is stepping in this task ('' outside the runner)."""


class QueryCounter:
    """Counts SQL statements by their first word, by wrapping Tortoise's client methods;
    `by_step` counts those the checklist runner sends, by the kind of event it steps."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.by_step: Counter[str] = Counter()
        self.steps: Counter[str] = Counter()

    def install(self) -> None:
        from tortoise.backends.asyncpg.client import AsyncpgDBClient
        from tortoise.backends.asyncpg.client import TransactionWrapper as PgTransaction
        from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionWrapper

        for cls in (SqliteClient, SqliteTransactionWrapper, AsyncpgDBClient, PgTransaction):
            for name in QUERY_METHODS:
                if name in cls.__dict__:
                    setattr(cls, name, self._wrap(cls.__dict__[name]))
        self._tag_runner()

    def _tag_runner(self) -> None:
        """Mark what the runner sends with the kind of event it steps (an instrument: the
        runner does what it did)."""
        from conversations.events import Event
        from models.people import Person
        from service.runner import ChecklistRunner, Reply

        handle = ChecklistRunner.handle
        steps = self.steps

        async def tagged(  # the method's own signature, self and all, so mypy sees a method
            self: ChecklistRunner, actor: Person, round_id: int, scope_text: str, event: Event
        ) -> Reply:
            kind = type(event).__name__
            steps[kind] += 1
            token = STEP.set(kind)
            try:
                return await handle(self, actor, round_id, scope_text, event)
            finally:
                STEP.reset(token)

        ChecklistRunner.handle = tagged  # type: ignore[method-assign]  # instrumented on purpose

    def _wrap(self, method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        counts = self.counts

        by_step = self.by_step

        async def counted(client: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            counts[query.lstrip().split(" ", 1)[0].upper()] += 1
            if STEP.get():
                by_step[STEP.get()] += 1
            return await method(client, query, *args, **kwargs)

        return counted


async def _real(
    transport: str, publish_file: str | None = None
) -> tuple[str, Callable[[], Awaitable[None]]]:
    from bot import heap
    from bot.runtime import Fremdrift
    from bot.settings import Settings

    settings = Settings()
    if transport == "http":
        settings = settings.model_copy(update={"slack_app_token": None})
    app = Fremdrift(settings)
    await app.start()
    url = await app.serve_http("127.0.0.1", 0)
    await app.connect_socket()
    heap.settle()  # as `serve` does once it serves
    if publish_file is not None:
        _publish_on_signal(app, Path(publish_file))
    return url, app.stop


def _publish_on_signal(app: Any, path: Path) -> None:
    """On SIGHUP compile the publication of the round named in `path`, as the app's worker
    does when it publishes (its documents rendered in the app's render process), and write
    beside it, as JSON, what it cost this process: the seconds it took, the CPU this process
    spent meanwhile, and how late the event loop woke (`LoopLag`) during it against as long
    before it, its last `HANDOVER_SECONDS` apart (where the render process's result is
    received)."""
    loop = asyncio.get_running_loop()
    running: set[asyncio.Task[None]] = set()
    lag = LoopLag()
    running.add(loop.create_task(lag.run()))

    renderer = app.publications.renderer
    compile_ = renderer.compile
    received: list[float] = []

    async def compiled(round_id: int, **kwargs: Any) -> Any:
        result = await compile_(round_id, **kwargs)
        received.append(time.perf_counter())
        return result

    renderer.compile = compiled

    async def publish(round_id: int) -> None:
        started, cpu = time.perf_counter(), time.process_time()
        received.clear()
        await app.publications.of(round_id)
        ended = time.perf_counter()
        took, cpu = ended - started, time.process_time() - cpu
        handover = max(started, ended - HANDOVER_SECONDS)
        figures = {
            "seconds": took,
            "cpu_s": cpu,
            "handover_s": HANDOVER_SECONDS,
            "ended_at": ended,  # time.perf_counter(): the same monotonic clock in every process
            "after_render_ms": (ended - received[-1]) * 1000 if received else math.nan,
            "lag_before": lag.between(started - took, started),
            "lag_during": lag.between(started, handover),
            "lag_handover": lag.between(handover, ended + LoopLag.PERIOD),
        }
        path.with_suffix(".done").write_text(json.dumps(figures), encoding="utf-8")

    def start() -> None:
        task = loop.create_task(publish(int(path.read_text(encoding="utf-8"))))
        running.add(task)
        task.add_done_callback(running.discard)

    loop.add_signal_handler(signal.SIGHUP, start)


HANDOVER_SECONDS = 2.0
"""The publication's end, reported apart: where the render process's result is received."""


class LoopLag:
    """How late the event loop wakes a task that sleeps `PERIOD`: what a click arriving
    then waits before its handler runs at all."""

    PERIOD = 0.010

    def __init__(self) -> None:
        self.samples: list[tuple[float, float]] = []  # (woken at, seconds late)

    async def run(self) -> None:
        while True:
            asleep = time.perf_counter()
            await asyncio.sleep(self.PERIOD)
            woke = time.perf_counter()
            self.samples.append((woke, max(0.0, woke - asleep - self.PERIOD)))

    def between(self, start: float, end: float) -> dict[str, float]:
        late = sorted(s for woke, s in self.samples if start <= woke < end)
        if not late:
            return {"count": 0, "p99_ms": math.nan, "max_ms": math.nan}
        p99 = late[min(len(late) - 1, math.ceil(0.99 * len(late)) - 1)]
        return {"count": len(late), "p99_ms": p99 * 1000, "max_ms": late[-1] * 1000}


async def _bare(
    transport: str, *, commit: bool = False
) -> tuple[str, Callable[[], Awaitable[None]]]:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
    from slack_bolt.async_app import AsyncAck, AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.server import web_app

    session = aiohttp.ClientSession()
    client = AsyncWebClient(
        token=os.environ["SLACK_BOT_TOKEN"],
        base_url=os.environ["FREMDRIFT_SLACK_API_URL"],
        session=session,
    )
    app = AsyncApp(
        client=client,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        process_before_response=True,
        raise_error_for_unhandled_request=False,
    )
    write = await _one_row_writer() if commit else None

    @app.action(re.compile(".*"))
    async def only_ack(ack: AsyncAck) -> None:
        if write is not None:
            await write()
        await ack()

    socket: AsyncSocketModeHandler | None = None
    if transport == "socket":
        socket = AsyncSocketModeHandler(
            app, app_token=os.environ["SLACK_APP_TOKEN"], web_client=client
        )
    secret = os.environ["SLACK_SIGNING_SECRET"]
    runner = web.AppRunner(
        web_app(None if socket else app, signing_secret=secret), handle_signals=False
    )
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    if socket is not None:
        await socket.connect_async()  # type: ignore[no-untyped-call]  # untyped in slack_sdk

    async def stop() -> None:
        if socket is not None:
            await socket.close_async()  # type: ignore[no-untyped-call]  # untyped in slack_sdk
        await runner.cleanup()
        await session.close()
        if write is not None:
            from models.db import close_db

            await close_db()

    return f"http://{host}:{port}", stop


async def _one_row_writer() -> Callable[[], Awaitable[None]]:
    """The floor of "committed before ack": one INSERT in its own transaction, nothing else.

    The row is a finished job of kind ``bench`` (no worker ever picks it up), written
    through Tortoise on the app's own database, as the real app writes its answers.
    """
    from datetime import UTC, datetime

    from tortoise.transactions import in_transaction

    from models.db import open_db
    from models.jobs import Job, JobStatus

    await open_db(os.environ["DATABASE_URL"], run_migrations=False)

    async def write() -> None:
        async with in_transaction():
            await Job.create(
                kind="bench", payload={}, run_at=datetime.now(UTC), status=JobStatus.DONE
            )

    return write


async def _main(args: argparse.Namespace, counter: QueryCounter | None, watch: GcWatch) -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    if args.profile:
        profiler = cProfile.Profile()
        path = args.profile

        def dump() -> None:
            profiler.disable()
            profiler.dump_stats(f"{path}.part")
            os.replace(f"{path}.part", path)  # whole, or not there at all

        loop.add_signal_handler(signal.SIGUSR1, profiler.enable)
        loop.add_signal_handler(signal.SIGUSR2, dump)
    if args.kind == "real":
        url, stop = await _real(args.transport, args.publish_file)
    else:
        url, stop = await _bare(args.transport, commit=args.kind == "commit")
    watch.reset()
    print(json.dumps({"url": url}), flush=True)
    try:
        await stopping.wait()
    finally:
        await stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", choices=("real", "bare", "commit"), required=True)
    parser.add_argument("--transport", choices=("http", "socket"), required=True)
    parser.add_argument("--stats", help="write counts here as JSON on the way out")
    parser.add_argument("--count-queries", action="store_true")
    parser.add_argument(
        "--profile", help="cProfile between SIGUSR1 and SIGUSR2; the dump is written here"
    )
    parser.add_argument(
        "--publish-file", help="on SIGHUP, compile the publication of the round named here"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    counter = QueryCounter() if args.count_queries else None
    if counter is not None:
        counter.install()
    watch = GcWatch()
    asyncio.run(_main(args, counter, watch))
    if args.stats:
        stats = {
            "queries": dict(counter.counts) if counter else None,
            "by_step": dict(counter.by_step) if counter else None,
            "steps": dict(counter.steps) if counter else None,
            "gc": watch.stats(),
        }
        Path(args.stats).write_text(json.dumps(stats), encoding="utf-8")


if __name__ == "__main__":
    main()
