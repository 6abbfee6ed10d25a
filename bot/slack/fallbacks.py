"""Whatever no listener claims: acknowledged with a clear word, never a 404.

Bolt answers an unmatched request with 404, which Slack shows as a failed button (and
for events, retries). An action or modal this app did not draw — an old message from an
earlier version, a tampered payload — gets the dialogue's "I don't understand" instead.
Registered last, so every real listener comes first.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.slack.deps import SlackDeps
from conversations.errors import UserError
from render.i18n import Target, catalogue


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.action(re.compile(".*"))
    async def unknown_action(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        channel = (body.get("container") or {}).get("channel_id")
        deps.deliveries.spawn(
            deps.refuse(
                UserError("checklist.bad_action"), user_id=body["user"]["id"], channel=channel
            )
        )

    @app.view(re.compile(".*"))
    async def unknown_view(ack: AsyncAck, body: dict[str, Any]) -> None:
        """A form this app did not draw: said on its first field, or by DM if it has none."""
        text = catalogue(deps.settings.language, Target.PLAIN).text("checklist.bad_action")
        inputs = [
            block.get("block_id")
            for block in (body.get("view") or {}).get("blocks", [])
            if block.get("type") == "input" and block.get("block_id")
        ]
        if inputs:
            await ack(response_action="errors", errors={inputs[0]: text})
            return
        await ack()
        user_id = (body.get("user") or {}).get("id")
        if user_id:
            deps.deliveries.spawn(
                deps.refuse(UserError("checklist.bad_action"), user_id=user_id, channel=None)
            )

    @app.view_closed(re.compile(".*"))
    async def closed_view(ack: AsyncAck) -> None:
        await ack()

    @app.event(re.compile(".*"))
    async def other_event(body: dict[str, Any]) -> None:
        return None

    @app.command(re.compile(".*"))
    async def other_command(ack: AsyncAck) -> None:
        await ack(text=catalogue(deps.settings.language, Target.SLACK).text("checklist.bad_action"))
