"""What the Slack listeners share: settings, the runner, the clients and the deliveries."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings
from bot.slack.delivery import Deliveries
from conversations.errors import UserError
from models.people import Person
from render.i18n import Target, catalogue
from service import people
from service.runner import ChecklistRunner


@dataclass
class SlackDeps:
    settings: Settings
    runner: ChecklistRunner
    client: AsyncWebClient
    deliveries: Deliveries

    async def language_for(self, person: Person | None) -> str:
        """The language a refusal is said in (`people.refusal_language`): a database that
        cannot answer falls back to the settings rather than turning a refusal into an error.
        """
        return await people.refusal_language(person, fallback=self.settings.language)

    async def refuse(
        self,
        error: UserError,
        *,
        user_id: str,
        channel: str | None,
        response_url: str | None = None,
        person: Person | None = None,
    ) -> None:
        """Tell the person, privately, what was wrong — in words from the catalogue."""
        language = await self.language_for(person)
        text = catalogue(language, Target.SLACK).error(error)
        await self.deliveries.say(text, user_id=user_id, channel=channel, response_url=response_url)
