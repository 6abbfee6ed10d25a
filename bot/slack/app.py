"""The bolt app: one code path for HTTP and Socket Mode; only the transport differs.

`process_before_response=True` makes bolt run a listener before it answers Slack, so the
acknowledgement of a click follows the commit of its answer (over HTTP the answer *is*
the ack; over Socket Mode bolt sends the envelope's ack when the listener returns). The
slow part, redrawing the message, runs after the ack (see bot.slack.delivery).

Before any listener (and before an event id is recorded), `one_workspace` refuses a request
that names a workspace other than ours — SLACK_TEAM_ID, else the one bolt's auth.test
found for the bot token: it is acknowledged (so Slack does not send it again), logged, and
nothing else happens; one that names none is not Slack's, and gets bolt's 404. Over Socket
Mode, an envelope whose payload has a shape Slack never sends is acknowledged and dropped
the same way (`CheckedSocketModeHandler`; over HTTP, bot/server.py answers 400).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.logger import messages
from slack_bolt.response import BoltResponse
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import checklist, commands, events, fallbacks, home, reminders, shape
from bot.slack.deps import SlackDeps
from bot.slack.identity import ours, workspaces_named
from service.metrics import ACK_SECONDS

log = logging.getLogger(__name__)


class NotOurs(logging.Filter):
    """bolt reads SLACK_BOT_TOKEN itself and warns that it is unused beside our client —
    which is as meant; the warning would stand before every line `serve` says."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != messages.warning_client_prioritized_and_token_skipped()


BOLT_LOG = logging.getLogger("slack_bolt")
BOLT_LOG.addFilter(NotOurs())


def build_app(deps: SlackDeps, *, signing_secret: str) -> AsyncApp:
    app = AsyncApp(
        client=deps.client,
        signing_secret=signing_secret,
        process_before_response=True,
        raise_error_for_unhandled_request=False,
        logger=BOLT_LOG,
    )
    app.middleware(timed)
    app.middleware(one_workspace(deps.settings.slack_team_id))
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


Middleware = Callable[..., Awaitable[BoltResponse | None]]


def one_workspace(pinned_team: str | None) -> Middleware:
    """Let through only what comes from our workspace: `pinned_team` (SLACK_TEAM_ID), else
    the team (and enterprise) of bolt's authorize result — auth.test for the bot token,
    which bolt calls once before the first request reaches us."""

    async def guard(
        body: dict[str, Any],
        context: AsyncBoltContext,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        found = context.authorize_result
        verified = found if found is not None and found.bot_token else None
        team = pinned_team or (verified.team_id if verified else None)
        enterprise = verified.enterprise_id if verified else None
        if ours(body, team, enterprise):
            return await next()
        if workspaces_named(body) == (set(), set()):  # Slack always names one
            return BoltResponse(status=404, body="")
        log.warning(
            "request from another workspace refused",
            extra={"kind": request_type(body), "error": str(context.team_id)[:40]},
        )
        no_retry: dict[str, str | Sequence[str]] = (
            {"X-Slack-No-Retry": "1"} if body.get("type") == "event_callback" else {}
        )
        return BoltResponse(status=200, body="", headers=no_retry)

    return guard


class OneLine(logging.Filter):
    """slack_sdk logs each failed connection attempt with its traceback, every ten seconds
    while Slack cannot be reached; the line says what failed, the traceback nothing more."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True


SOCKET_LOG = logging.getLogger("bot.slack.socket_mode")
SOCKET_LOG.addFilter(OneLine())


class CheckedSocketModeHandler(AsyncSocketModeHandler):
    """bolt's Socket Mode handler, but an envelope whose payload has a shape Slack never
    sends (bot/slack/shape.py) is acknowledged — so it is not sent again — and dropped.
    Its client logs to SOCKET_LOG: one line per failed attempt to connect."""

    def __init__(self, app: AsyncApp, *, app_token: str, web_client: AsyncWebClient) -> None:
        super().__init__(app, app_token=app_token, logger=SOCKET_LOG, web_client=web_client)

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]  # as bolt's
        payload = req.payload
        wrong = shape.problem(payload) if isinstance(payload, dict) else "not an object"
        if wrong is not None:
            log.warning("socket mode envelope refused: %s", wrong, extra={"kind": req.type})
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        await super().handle(client, req)
