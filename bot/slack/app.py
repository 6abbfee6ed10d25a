"""The bolt app: one code path for HTTP and Socket Mode; only the transport differs.

`process_before_response=True` makes bolt run a listener before it answers Slack, so the
acknowledgement of a click follows the commit of its answer (over HTTP the answer *is*
the ack; over Socket Mode bolt sends the envelope's ack when the listener returns). The
slow part, redrawing the message, runs after the ack (see bot.slack.delivery).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from bot.slack import checklist, commands, events, fallbacks, home, reminders
from bot.slack.deps import SlackDeps
from service.metrics import ACK_SECONDS

log = logging.getLogger(__name__)


def build_app(deps: SlackDeps, *, signing_secret: str) -> AsyncApp:
    app = AsyncApp(
        client=deps.client,
        signing_secret=signing_secret,
        process_before_response=True,
        raise_error_for_unhandled_request=False,
        logger=logging.getLogger("slack_bolt"),
    )
    app.middleware(timed)
    events.register(app, deps)
    checklist.register(app, deps)
    commands.register(app, deps)
    home.register(app, deps)
    reminders.register(app, deps)
    fallbacks.register(app, deps)
    return app


def request_type(body: dict[str, Any]) -> str:
    """block_actions, view_submission, event_callback, … or slash_command."""
    return "slash_command" if "command" in body else str(body.get("type") or "unknown")


async def timed(body: dict[str, Any], next: Callable[[], Awaitable[BoltResponse]]) -> BoltResponse:
    """The first middleware: time each request to its response, which over HTTP (and in
    Socket Mode, once the listener returns) is the acknowledgement."""
    started = time.perf_counter()
    try:
        return await next()
    finally:
        ACK_SECONDS.labels(type=request_type(body)).observe(time.perf_counter() - started)
