"""The reminder's own button: "remind me tomorrow" (the resume button is the checklist's)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.slack.deps import SlackDeps
from bot.slack.identity import person_for
from conversations.errors import UserError
from models.programme import Programme
from models.round import Round
from render.i18n import Target, catalogue
from service import people


async def _programme_of(value: str) -> Programme | None:
    """The programme of the round a reminder's snooze button names ("<round>|<scope>")."""
    round_text = value.split("|", 1)[0]
    round_ = await Round.get_or_none(id=int(round_text)) if round_text.isdigit() else None
    return await Programme.get_or_none(id=round_.programme_id) if round_ else None


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
        until = await people.snooze(person, deps.runner.clock.now())
        programme = await _programme_of(str(body.get("actions", [{}])[0].get("value", "")))
        language = person.language or (programme.language if programme else deps.settings.language)
        timezone = programme.timezone if programme else "Europe/Copenhagen"
        text = catalogue(language, Target.SLACK).text(
            "round.snoozed", until=until, timezone=timezone
        )
        await deps.deliveries.say(text, user_id=user_id, channel=channel, response_url=response_url)
