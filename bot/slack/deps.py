"""What the Slack listeners share: settings, the runner, the clients and the deliveries."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings
from bot.slack.delivery import Deliveries
from conversations.errors import UserError
from conversations.runner import ChecklistRunner
from render.i18n import Target, catalogue


@dataclass
class SlackDeps:
    settings: Settings
    runner: ChecklistRunner
    client: AsyncWebClient
    deliveries: Deliveries

    async def refuse(
        self,
        error: UserError,
        *,
        user_id: str,
        channel: str | None,
        response_url: str | None = None,
        language: str | None = None,
    ) -> None:
        """Tell the person, privately, what was wrong — in words from the catalogue."""
        text = catalogue(language or self.settings.language, Target.SLACK).error(error)
        await self.deliveries.say(text, user_id=user_id, channel=channel, response_url=response_url)
