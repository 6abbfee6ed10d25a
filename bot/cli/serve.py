"""`fremdrift serve`: the bot, over Socket Mode or HTTP, with its job workers, until stopped."""

from __future__ import annotations

import asyncio
import logging
import signal

import typer

from bot.cli.common import fail, say
from bot.logs import configure
from bot.runtime import Fremdrift
from bot.settings import get_settings
from conversations.errors import UserError

log = logging.getLogger(__name__)


def serve(
    host: str = typer.Option(None, help="Listen address (default: FREMDRIFT_HOST)."),
    port: int = typer.Option(None, help="HTTP port (default: FREMDRIFT_PORT)."),
) -> None:
    """Run the bot: Socket Mode when SLACK_APP_TOKEN is set, else HTTP on /slack/events."""
    settings = get_settings()
    configure(settings.log_level, settings.log_json)
    try:
        asyncio.run(_serve(host or settings.host, port or settings.port))
    except UserError as error:
        fail(error)


async def _serve(host: str, port: int) -> None:
    service = Fremdrift(get_settings())
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    await service.start()
    try:
        url = await service.serve_http(host, port)
        await service.connect_socket()
        await service.start_workers()
        say("serve.started", url=url, mode="socket" if service.socket else "http")
        await stopping.wait()
        log.info("stopping: finishing the work in hand")
    finally:
        await service.stop()
