"""The reminder's own button: "remind me tomorrow" (the resume button is the checklist's)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.slack.deps import SlackDeps
from bot.slack.identity import person_for
from conversations.errors import UserError
from render.i18n import Target, catalogue
from service import people


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.action("fd_snooze")
    async def on_snooze(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        user_id = body["user"]["id"]
        channel = (body.get("container") or {}).get("channel_id")
        response_url = body.get("response_url")
        person = await person_for(user_id, (body.get("team") or {}).get("id"))
        if person is None:
            await deps.refuse(
                UserError("slack.unknown_person"),
                user_id=user_id,
                channel=channel,
                response_url=response_url,
            )
            return
        said = await people.remind_me_tomorrow(
            person,
            str(body.get("actions", [{}])[0].get("value", "")),
            deps.runner.clock.now(),
            fallback=deps.settings.language,
        )
        text = catalogue(said.language, Target.SLACK).text(said.key, **said.params)
        await deps.deliveries.say(text, user_id=user_id, channel=channel, response_url=response_url)
