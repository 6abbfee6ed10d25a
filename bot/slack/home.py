"""App Home: a lead's open checklists with resume buttons; an admin's round at a glance."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.commands import on_me
from bot.slack.deps import SlackDeps
from bot.slack.identity import person_for
from conversations.commands import Command
from render.slack_views import render_home

log = logging.getLogger(__name__)


async def publish_home(user_id: str, team_id: str | None, deps: SlackDeps) -> None:
    person = await person_for(user_id, team_id)
    if person is None:
        return
    reply = await on_me(Command("me"), person, None, deps.runner.clock)
    reply.language = person.language or deps.settings.language
    admin_blocks: list[dict[str, Any]] = []
    view = render_home(reply, admin_blocks)
    try:
        await deps.client.views_publish(user_id=user_id, view=view)
    except SlackApiError as error:
        log.warning("home not published", extra={"error": str(error)})


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.event("app_home_opened")
    async def on_home(event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        await publish_home(event["user"], body.get("team_id"), deps)
