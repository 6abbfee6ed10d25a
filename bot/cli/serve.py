"""`fremdrift serve`: the bot, over Socket Mode or HTTP, with its job workers, until stopped.

SIGTERM (or SIGINT) ends it within 10 seconds with exit code 0, whatever it is doing:
starting, waiting for a database that cannot be used yet, reconnecting to Slack, running
jobs. Bringing it up runs as a task the signal cancels; stopping is bounded
(bot/runtime.py, STOP_SECONDS). A setting that cannot be used — a port in use, a database
URL we cannot open — is one line and exit code 2.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading

import typer

from bot import heap
from bot.cli.common import fail, say
from bot.logs import configure
from bot.runtime import Fremdrift
from bot.settings import Settings, get_settings
from conversations.errors import UserError

log = logging.getLogger(__name__)

THREADS_GRACE = 1.0
"""After stopping, how long threads still running (a database driver's) get to end."""


def serve(
    host: str = typer.Option(None, help="Listen address (default: FREMDRIFT_HOST)."),
    port: int = typer.Option(None, help="HTTP port (default: FREMDRIFT_PORT)."),
) -> None:
    """Run the bot: Socket Mode when SLACK_APP_TOKEN is set, else HTTP on /slack/events."""
    # Until the event loop takes the signals over: leave at once, nothing is running yet.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        settings = get_settings()
        configure(settings.log_level, settings.log_json)
        asyncio.run(_serve(settings, host or settings.host, port or settings.port))
    except UserError as error:
        fail(error)
    _leave_if_threads_linger()


async def _serve(settings: Settings, host: str, port: int) -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    service = Fremdrift(settings)
    stop = asyncio.create_task(stopping.wait())
    up = asyncio.create_task(service.bring_up(host, port))
    try:
        await asyncio.wait({up, stop}, return_when=asyncio.FIRST_COMPLETED)
        if up.done():
            url = up.result()  # a UserError (no token, port in use) ends serve here
            heap.settle()
            say("serve.started", url=url, mode="socket" if service.socket else "http")
            await stop
        log.info("stopping: finishing the work in hand")
    finally:
        up.cancel()
        stop.cancel()
        await asyncio.gather(up, stop, return_exceptions=True)
        await service.stop()


def _leave_if_threads_linger() -> None:
    """Python waits for every non-daemon thread before it exits; a database driver's that
    did not close in time would keep a stopped `serve` alive. Give them a moment, then go."""
    stray = [
        t
        for t in threading.enumerate()
        if t is not threading.main_thread() and not t.daemon and t.is_alive()
    ]
    for thread in stray:
        thread.join(THREADS_GRACE)
    if any(thread.is_alive() for thread in stray):
        log.warning("threads still running at exit are left behind")
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
