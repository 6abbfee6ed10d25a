"""Slack's primitives for showing a committed step: the checklist message updated in place.

The rules (which message, one delivery per conversation at a time, no older view over a
newer one) are service/delivery.py's; Slack supplies how a message is posted, updated and
a note said. A click carries a response_url: the message is replaced through it (and notes
are sent through it as ephemeral replies), which Slack does not count against
`chat.update`'s Tier 3 limit of about 50 calls a minute for the whole workspace — a limit a
round of busy leads would hit at once. `chat.update` is the fallback (a modal's answer, an
expired response_url).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.slack.posting import call
from conversations.views import View
from render.i18n import Target, catalogue
from render.slack.views import render_view
from service.delivery import Deliveries as BaseDeliveries
from service.delivery import Ref
from service.runner import Reply

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SlackPlace:
    """Where a person acted in Slack: their user id, the channel, the click's response_url."""

    user_id: str
    channel: str | None = None
    response_url: str | None = None


def slack_ref(channel: str, ts: str) -> Ref:
    return {"platform": "slack", "channel": channel, "ts": ts}


class Deliveries(BaseDeliveries[SlackPlace]):
    platform = "slack"

    def __init__(self, client: AsyncWebClient) -> None:
        super().__init__()
        self.client = client

    # -- the primitives -------------------------------------------------------------------------
    def located(self, ref: Ref, near: SlackPlace) -> SlackPlace | None:
        if ref.get("platform") not in (None, "slack") or not ref.get("ts"):
            return None
        return replace(near, channel=str(ref.get("channel") or "") or near.channel)

    async def post(self, place: SlackPlace, view: View) -> Ref:
        message = render_view(view)
        response = await call(
            self.client.chat_postMessage(
                channel=place.channel or place.user_id, text=message.text, blocks=message.blocks
            )
        )
        return slack_ref(str(response["channel"]), str(response["ts"]))

    async def update(self, place: SlackPlace, ref: Ref, view: View) -> Ref:
        message = render_view(view)
        if place.response_url and await self._respond(
            place.response_url, text=message.text, blocks=message.blocks, replace_original=True
        ):
            return ref
        await call(
            self.client.chat_update(
                channel=str(ref["channel"]),
                ts=str(ref["ts"]),
                text=message.text,
                blocks=message.blocks,
            )
        )
        return ref

    async def note(
        self, place: SlackPlace, language: str, key: str, params: Mapping[str, object]
    ) -> None:
        text = catalogue(language, Target.SLACK).text(key, **params)
        await self.say(
            text, user_id=place.user_id, channel=place.channel, response_url=place.response_url
        )

    # -- what the listeners call ------------------------------------------------------------------
    async def show(
        self,
        reply: Reply,
        *,
        user_id: str,
        channel: str | None = None,
        ts: str | None = None,
        response_url: str | None = None,
    ) -> None:
        """Redraw the checklist, then send any notes.

        With `ts`, the message the person acted on is updated; without it, the
        conversation's live message is; with neither, a new DM message becomes the live one
        (a resume from App Home or from an ephemeral reply).
        """
        acted_on = slack_ref(channel or user_id, ts) if ts else None
        await self.deliver(reply, SlackPlace(user_id, channel, response_url), acted_on)

    async def fresh(self, reply: Reply, *, user_id: str) -> None:
        """Show the checklist as a new DM message, which becomes the live one."""
        await self.deliver(reply, SlackPlace(user_id), fresh=True)

    # -- Slack's own ------------------------------------------------------------------------------
    async def _respond(self, url: str, **message: Any) -> bool:
        """Post to a click's response_url; False if Slack would not take it (used, expired)."""
        webhook = AsyncWebhookClient(url, session=self.client.session)
        try:
            response = await webhook.send(**message)
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as error:
            log.info("response_url failed: %s", error)
            return False
        return response.status_code == 200

    async def say(
        self, text: str, *, user_id: str, channel: str | None, response_url: str | None = None
    ) -> None:
        """Privately: through the click's response_url, else as an ephemeral, else by DM."""
        if response_url and await self._respond(
            response_url, text=text, response_type="ephemeral", replace_original=False
        ):
            return
        if channel:
            try:
                await self.client.chat_postEphemeral(channel=channel, user=user_id, text=text)
                return
            except (SlackApiError, SlackClientError) as error:
                log.info("ephemeral not delivered, sending a DM: %s", error)
        try:
            await self.client.chat_postMessage(channel=user_id, text=text)
        except (SlackApiError, SlackClientError) as error:
            log.warning("note not delivered: %s", error)
