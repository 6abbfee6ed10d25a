"""Showing a committed step to the person: the checklist message updated in place.

A click carries a response_url: the message is replaced through it (and notes are sent
through it as ephemeral replies), which Slack does not count against `chat.update`'s
Tier 3 limit of about 50 calls a minute for the whole workspace — a limit a round of
busy leads would hit at once. `chat.update` is the fallback (a modal's answer, an
expired response_url).

Runs after Slack has been acknowledged, as a tracked background task: the answer is
already stored, so a slow or failed Web API call here can only leave the message a step
behind (its next click is then answered with the current view), never lose an answer.
Deliveries for one conversation are serialised, and a view older than one already shown
is not shown over it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from conversations.checklist import Tell
from render.i18n import Target, catalogue
from render.slack.views import render_view
from service.runner import Reply, remember_message

log = logging.getLogger(__name__)


class Deliveries:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._tasks: set[asyncio.Task[None]] = set()
        self._locks: dict[int, asyncio.Lock] = {}
        self._shown: dict[int, int] = {}

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run after the ack; kept so shutdown (and tests) can wait for it."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("delivery failed", exc_info=task.exception())

    async def drain(self) -> None:
        """Wait for every delivery in hand."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

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

        With `channel` and `ts`, the message the person acted on is updated; without them,
        the conversation's live message is; with neither, a new DM message becomes the
        live one (a resume from App Home or from an ephemeral reply).
        """
        if ts is None and reply.message_ref:
            channel = str(reply.message_ref.get("channel") or "") or None
            ts = str(reply.message_ref.get("ts") or "") or None
        lock = self._locks.setdefault(reply.conversation_id, asyncio.Lock())
        async with lock:
            await self._show_view(
                reply, channel=channel or user_id, ts=ts, response_url=response_url
            )
        for tell in reply.tells:
            await self.tell(
                tell,
                language=reply.language,
                user_id=user_id,
                channel=channel,
                response_url=response_url,
            )

    async def fresh(self, reply: Reply, *, user_id: str) -> None:
        """Show the checklist as a new DM message, which becomes the live one."""
        fresh = Reply(**{**reply.__dict__, "message_ref": None})
        await self.show(fresh, user_id=user_id)

    async def _show_view(
        self, reply: Reply, *, channel: str, ts: str | None, response_url: str | None
    ) -> None:
        view = reply.view
        if view is None:
            return
        if self._shown.get(reply.conversation_id, -1) > reply.version:
            return
        message = render_view(view)
        try:
            if (
                ts
                and response_url
                and await self._respond(
                    response_url, text=message.text, blocks=message.blocks, replace_original=True
                )
            ):
                pass
            elif ts:
                await self.client.chat_update(
                    channel=channel, ts=ts, text=message.text, blocks=message.blocks
                )
            else:
                response = await self.client.chat_postMessage(
                    channel=channel, text=message.text, blocks=message.blocks
                )
                ts = str(response["ts"])
                channel = str(response["channel"])
        except (SlackApiError, SlackClientError) as error:
            log.warning("checklist message not updated: %s", error)
            return
        self._shown[reply.conversation_id] = reply.version
        ref: dict[str, object] = {"platform": "slack", "channel": channel, "ts": ts}
        if reply.conversation_id and ref != reply.message_ref:
            await remember_message(reply.conversation_id, ref)

    async def _respond(self, url: str, **message: Any) -> bool:
        """Post to a click's response_url; False if Slack would not take it (used, expired)."""
        webhook = AsyncWebhookClient(url, session=self.client.session)
        try:
            response = await webhook.send(**message)
        except (SlackClientError, aiohttp.ClientError, TimeoutError) as error:
            log.info("response_url failed: %s", error)
            return False
        return response.status_code == 200

    async def tell(
        self,
        tell: Tell,
        *,
        language: str,
        user_id: str,
        channel: str | None,
        response_url: str | None = None,
    ) -> None:
        """A note only the person sees, in the channel they acted in."""
        text = catalogue(language, Target.SLACK).text(tell.key, **tell.params)
        await self.say(text, user_id=user_id, channel=channel, response_url=response_url)

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
