"""Events API: each event handled once, App Home kept fresh, DMs read as commands.

Slack retries an event it thinks failed (X-Slack-Retry-Num) and bolt does not
deduplicate; an event id is recorded before the event is handled, so a retry of one
already seen is acknowledged and dropped. A DM to the bot is read as a command line, so
"me" or "help" work there too, and a stranger gets a clear answer rather than silence.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from bot.slack.commands import answer_command
from bot.slack.deps import SlackDeps
from models.sent import first_time

log = logging.getLogger(__name__)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.middleware
    async def once_per_event(
        body: dict[str, Any], next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not await first_time(f"slack:event:{event_id}"):
            log.info("event seen before, dropped", extra={"event_id": event_id})
            return BoltResponse(status=200, body="", headers={"X-Slack-No-Retry": "1"})
        return await next()

    @app.event("message")
    async def on_message(event: dict[str, Any]) -> None:
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
            return
        reply = await answer_command(
            event.get("text") or "", event["user"], event.get("team"), deps
        )
        reply.pop("response_type", None)
        await deps.client.chat_postMessage(channel=event["channel"], **reply)
