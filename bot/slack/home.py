"""App Home: a lead's open checklists with resume buttons; an admin's round at a glance."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.slack.deps import SlackDeps
from bot.slack.identity import person_for
from conversations.commands import Command
from models.people import Person, Role, RoleKind
from models.programme import Programme
from models.round import Round
from render.slack.views import render_home, render_status
from service import people, rounds
from service.commands import on_me

log = logging.getLogger(__name__)

HOME_ADMIN_BLOCKS = 55  # a home view holds 100 blocks; the checklists come first


async def publish_home(user_id: str, team_id: str | None, deps: SlackDeps) -> None:
    person = await person_for(user_id, team_id)
    if person is None:
        return
    reply = await on_me(Command("me"), person, None, deps.runner.clock)
    reply.language = await people.reader_language(person, fallback=deps.settings.language)
    view = render_home(reply, await admin_blocks(person, reply.language, deps))
    try:
        await deps.client.views_publish(user_id=user_id, view=view)
    except SlackApiError as error:
        log.warning("home not published", extra={"error": str(error)})


async def admin_blocks(person: Person, language: str, deps: SlackDeps) -> list[dict[str, Any]]:
    """For each programme the person runs: its latest round's status, as on `round status`."""
    blocks: list[dict[str, Any]] = []
    programme_ids = await Role.filter(person=person, kind=RoleKind.ADMIN).values_list(
        "programme_id", flat=True
    )
    for programme in await Programme.filter(id__in=list(programme_ids)).order_by("key"):
        if not await Round.exists(programme=programme):
            continue
        report = await rounds.status(programme, person, deps.runner.clock.now())
        blocks.append({"type": "divider"})
        blocks.extend(render_status(report, language, max_sections=20).blocks)
    return blocks[:HOME_ADMIN_BLOCKS]


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.event("app_home_opened")
    async def on_home(event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        await publish_home(event["user"], body.get("team_id"), deps)
